using System.Globalization;
using System.Text.RegularExpressions;

namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>Which gateway shard a connection is: Identify's <c>shard</c> pair [id, count].</summary>
public sealed record GatewayShard(int Id, int Count)
{
    /// <summary>The shard whose connection receives a guild's events (Discord's formula).</summary>
    public static int ForGuild(string guildId, int shardCount) =>
        (int)((ulong.Parse(guildId, CultureInfo.InvariantCulture) >> 22) % (ulong)shardCount);

    /// <summary>Shards in the same bucket must identify at least 5 s apart; different buckets may identify together.</summary>
    public int Bucket(int maxConcurrency) => Id % Math.Max(1, maxConcurrency);

    public override string ToString() => $"[{Id}, {Count}]";
}

/// <summary>
/// The shards this process runs, from <c>Discord:Shards</c>: <c>"0-3/8"</c> (shards 0 to 3 of 8), <c>"5/8"</c> (one
/// shard), or <c>"auto"</c> (every shard of the count GET /gateway/bot recommends). Several processes split one bot by
/// owning disjoint ranges of the same count.
/// </summary>
public sealed partial record ShardRange(int First, int Last, int? Count)
{
    public bool IsAuto => Count is null;

    public static bool TryParse(string? text, out ShardRange? range)
    {
        range = null;
        if (string.Equals(text?.Trim(), "auto", StringComparison.OrdinalIgnoreCase))
        {
            range = new ShardRange(0, -1, null);
            return true;
        }

        var match = Pattern().Match(text ?? string.Empty);
        if (!match.Success)
        {
            return false;
        }

        var first = int.Parse(match.Groups["first"].Value, CultureInfo.InvariantCulture);
        var last = match.Groups["last"].Success ? int.Parse(match.Groups["last"].Value, CultureInfo.InvariantCulture) : first;
        var count = int.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture);
        if (count < 1 || first > last || last >= count)
        {
            return false;
        }

        range = new ShardRange(first, last, count);
        return true;
    }

    /// <summary>The shards to run once the recommended count is known (only <see cref="IsAuto"/> uses it).</summary>
    public IReadOnlyList<GatewayShard> Resolve(int recommendedCount)
    {
        var count = Count ?? Math.Max(1, recommendedCount);
        var last = Count is null ? count - 1 : Last;
        return [.. Enumerable.Range(First, last - First + 1).Select(id => new GatewayShard(id, count))];
    }

    [GeneratedRegex(@"^\s*(?<first>\d{1,5})(?:\s*-\s*(?<last>\d{1,5}))?\s*/\s*(?<count>\d{1,5})\s*$")]
    private static partial Regex Pattern();
}

/// <summary>
/// A bucket's identify turn shared by every process of the bot (several processes owning shards of one bucket).
/// <see cref="IdentifyGate"/> orders its own shards first, then holds this lease from before the connect until the
/// Identify is sent, and leaves it standing for <see cref="IdentifyGate.Window"/> + <see cref="IdentifyGate.Margin"/>
/// after that, so no other process identifies in the bucket within Discord's 5 s.
/// </summary>
public interface IIdentifyLease
{
    /// <summary>Waits until this process holds <paramref name="bucket"/>'s turn for at most <paramref name="hold"/>; returns the holder's token.</summary>
    Task<string> AcquireAsync(int bucket, TimeSpan hold, CancellationToken cancellationToken);

    /// <summary>The Identify went out: the turn stays taken for <paramref name="window"/> from now, then lapses by itself.</summary>
    Task MarkSentAsync(int bucket, string token, TimeSpan window);

    /// <summary>No Identify was sent (the connect failed): hands the turn on at once, if <paramref name="token"/> still holds it.</summary>
    Task ReleaseAsync(int bucket, string token);
}

/// <summary>
/// Identify concurrency: at most <see cref="MaxConcurrency"/> identifies per 5 s, one per bucket
/// (<c>shard_id % max_concurrency</c>), as GET /gateway/bot's <c>session_start_limit.max_concurrency</c> allows.
/// A shard takes its bucket's turn before it connects and holds it until its Identify is on the wire, so the next
/// shard of the bucket counts the 5 s from the moment Discord receives the Identify, whatever the connect took.
/// Resumes do not count. With a <see cref="IIdentifyLease"/> (Redis, several processes) the turn is also taken
/// cluster-wide; without one the gate covers this process only.
/// </summary>
public sealed class IdentifyGate(TimeProvider time, IIdentifyLease? lease = null)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    /// <summary>Added to <see cref="Window"/>: Discord counts from when it received the previous Identify, which is a little after we sent it.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a cluster-wide turn is held before the Identify is sent: a process that dies while connecting blocks the
    /// bucket this long at most; a connect that takes longer gives the turn up (the gateway's hello timeout is shorter).
    /// </summary>
    public static readonly TimeSpan ConnectHold = TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Bucket> _buckets = [];
    private int _maxConcurrency = 1;

    public int MaxConcurrency
    {
        get => Volatile.Read(ref _maxConcurrency);
        set => Volatile.Write(ref _maxConcurrency, Math.Max(1, value));
    }

    /// <summary>True when turns are also taken across processes.</summary>
    public bool IsClusterWide => lease is not null;

    /// <summary>Waits until <paramref name="shard"/>'s bucket may identify; dispose the turn once the Identify is sent (or the attempt failed).</summary>
    public async Task<IdentifyTurn> WaitTurnAsync(GatewayShard shard, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shard);
        Bucket bucket;
        int id;
        lock (_gate)
        {
            id = shard.Bucket(MaxConcurrency);
            if (!_buckets.TryGetValue(id, out bucket!))
            {
                bucket = new Bucket();
                _buckets[id] = bucket;
            }
        }

        await bucket.Turn.WaitAsync(cancellationToken);
        string? token = null;
        try
        {
            var wait = bucket.LastIdentify is { } last ? last + Window + Margin - time.GetUtcNow() : TimeSpan.Zero;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }

            if (lease is not null)
            {
                token = await lease.AcquireAsync(id, ConnectHold, cancellationToken);
            }
        }
        catch
        {
            bucket.Turn.Release();
            throw;
        }

        return new IdentifyTurn(bucket, time, lease, id, token);
    }

    /// <summary>A bucket's turn: <see cref="MarkSentAsync"/> right after the Identify went out; disposing hands the turn on.</summary>
    public sealed class IdentifyTurn : IAsyncDisposable
    {
        private readonly Bucket _bucket;
        private readonly TimeProvider _time;
        private readonly IIdentifyLease? _lease;
        private readonly int _bucketId;
        private readonly string? _token;
        private bool _sent;
        private int _released;

        internal IdentifyTurn(Bucket bucket, TimeProvider time, IIdentifyLease? lease, int bucketId, string? token)
        {
            _bucket = bucket;
            _time = time;
            _lease = lease;
            _bucketId = bucketId;
            _token = token;
        }

        public async Task MarkSentAsync()
        {
            _bucket.LastIdentify = _time.GetUtcNow();
            _sent = true;
            if (_lease is not null && _token is not null)
            {
                await _lease.MarkSentAsync(_bucketId, _token, Window + Margin);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            try
            {
                if (!_sent && _lease is not null && _token is not null)
                {
                    await _lease.ReleaseAsync(_bucketId, _token);
                }
            }
            finally
            {
                _bucket.Turn.Release();
            }
        }
    }

    internal sealed class Bucket
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        public DateTimeOffset? LastIdentify { get; set; }
    }
}
