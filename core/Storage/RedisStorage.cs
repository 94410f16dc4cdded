using System.Globalization;
using StackExchange.Redis;

namespace DiscordLedgerBot.Core.Storage;

/// <summary>
/// Outbox, ledger cache and dedupe in Redis through StackExchange.Redis. Every outbox transition is one Lua script, so it
/// is atomic; claims are leases (a crashed claimant's records are claimed again when the lease lapses, and monday's
/// Idempotency-Key makes the resend harmless). Durability is Redis' own: run it with AOF (appendonly yes) for the
/// outbox to survive a Redis restart. Timestamps are kept as epoch milliseconds.
/// Transport failures surface as StackExchange.Redis' <see cref="RedisConnectionException"/>/<see cref="RedisTimeoutException"/>.
/// Cancellation is honoured between commands only: the library takes no token, a command once sent runs to its reply.
/// </summary>
public sealed class RedisStorage : IStorageBackend
{
    private readonly IDatabaseAsync _redis;
    private readonly TimeProvider _time;
    private readonly string _prefix;

    public RedisStorage(IDatabaseAsync redis, TimeProvider time, string keyPrefix = "dlb:")
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _prefix = keyPrefix ?? throw new ArgumentNullException(nameof(keyPrefix));
    }

    public string Name => "redis";

    public string KeyPrefix => _prefix;

    public async Task<OutboxAppendResult> AppendAsync(OutboxAppend command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reply = await RedisOutboxScripts.Append.RunAsync(
            _redis,
            [_prefix, command.IdempotencyKey, command.PartitionKey, command.CommandKind, command.PayloadJson, NowMs()],
            cancellationToken).ConfigureAwait(false);
        return new OutboxAppendResult(ToRecord(reply[1]), (long)reply[0] == 1);
    }

    public async Task<IReadOnlyList<OutboxRecord>> ClaimBatchAsync(int maxRecords, TimeSpan claimDuration, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(claimDuration, TimeSpan.Zero);
        var reply = await RedisOutboxScripts.Claim.RunAsync(
            _redis,
            [_prefix, NowMs(), maxRecords, (long)Math.Ceiling(claimDuration.TotalMilliseconds)],
            cancellationToken).ConfigureAwait(false);
        return [.. ((RedisResult[])reply!).Select(ToRecord)];
    }

    public async Task<IReadOnlyList<OutboxRecord>> RenewClaimsAsync(IReadOnlyList<OutboxClaim> claims, TimeSpan claimDuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(claimDuration, TimeSpan.Zero);
        if (claims.Count == 0)
        {
            return [];
        }

        RedisValue[] args = [_prefix, NowMs(), (long)Math.Ceiling(claimDuration.TotalMilliseconds), .. claims.SelectMany(c => new RedisValue[] { c.IdempotencyKey, c.Version })];
        var reply = await RedisOutboxScripts.Renew.RunAsync(_redis, args, cancellationToken).ConfigureAwait(false);
        return [.. ((RedisResult[])reply!).Select(ToRecord)];
    }

    public async Task<OutboxRecord> MarkConfirmedAsync(string idempotencyKey, string mondayItemId, int? claimVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(mondayItemId);
        var reply = await RedisOutboxScripts.Confirm.RunAsync(_redis, [_prefix, idempotencyKey, mondayItemId, NowMs(), Fence(claimVersion)], cancellationToken).ConfigureAwait(false);
        return Transition(reply, idempotencyKey, $"confirm (item {mondayItemId})");
    }

    public async Task<OutboxRecord> MarkFailedAsync(string idempotencyKey, string reason, DateTimeOffset? retryAt, int? claimVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var reply = await RedisOutboxScripts.Fail.RunAsync(_redis, [_prefix, idempotencyKey, reason, MsOrEmpty(retryAt), NowMs(), Fence(claimVersion)], cancellationToken).ConfigureAwait(false);
        return Transition(reply, idempotencyKey, "mark failed");
    }

    public async Task<OutboxRecord?> GetAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var fields = await _redis.HashGetAllAsync(RecordKey(idempotencyKey)).ConfigureAwait(false);
        return fields.Length == 0 ? null : ToRecord(fields.ToStringDictionary());
    }

    public async Task<IReadOnlyList<OutboxRecord>> ListAsync(OutboxState state, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var keys = await _redis.SortedSetRangeByRankAsync(StateKey(state), 0, limit - 1).ConfigureAwait(false);

        // Pipelined: all HGETALLs go out together on the shared connection.
        var records = await Task.WhenAll(keys.Select(k => GetAsync(k.ToString(), cancellationToken))).ConfigureAwait(false);
        return [.. records.OfType<OutboxRecord>()];
    }

    public async Task<OutboxCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var counts = await Task.WhenAll(Enum.GetValues<OutboxState>().Select(state => _redis.SortedSetLengthAsync(StateKey(state)))).ConfigureAwait(false);
        return new OutboxCounts(counts[(int)OutboxState.Pending], counts[(int)OutboxState.Sent], counts[(int)OutboxState.Confirmed], counts[(int)OutboxState.Failed]);
    }

    public async Task<int> PurgeConfirmedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        const int PerScript = 500;
        var cutoff = (_time.GetUtcNow() - olderThan).ToUnixTimeMilliseconds();
        var total = 0;
        while (true)
        {
            // Bounded batches keep each script short: Redis runs nothing else while a script runs.
            var purged = (int)await RedisOutboxScripts.Purge.RunAsync(_redis, [_prefix, cutoff, PerScript], cancellationToken).ConfigureAwait(false);
            total += purged;
            if (purged < PerScript)
            {
                return total;
            }
        }
    }

    public async Task<LedgerCacheEntry?> GetEntryAsync(string ledgerKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var fields = (await _redis.HashGetAllAsync(LedgerKey(ledgerKey)).ConfigureAwait(false)).ToStringDictionary();
        if (fields.Count == 0)
        {
            return null;
        }

        var itemId = fields.GetValueOrDefault("mondayItemId");
        return new LedgerCacheEntry(
            fields.GetValueOrDefault("ledgerKey") ?? ledgerKey,
            fields.GetValueOrDefault("entryJson") ?? string.Empty,
            string.IsNullOrEmpty(itemId) ? null : itemId,
            FromMs(fields.GetValueOrDefault("updatedAt")) ?? DateTimeOffset.UnixEpoch);
    }

    public Task SetEntryAsync(LedgerCacheEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        OutboxAppend.ValidateKey(entry.LedgerKey, nameof(entry.LedgerKey), OutboxAppend.MaxKeyLength);
        cancellationToken.ThrowIfCancellationRequested();
        return _redis.HashSetAsync(
            LedgerKey(entry.LedgerKey),
            [
                new("ledgerKey", entry.LedgerKey),
                new("entryJson", entry.EntryJson),
                new("mondayItemId", entry.MondayItemId ?? string.Empty),
                new("updatedAt", entry.UpdatedAt.ToUnixTimeMilliseconds()),
            ]);
    }

    public Task<bool> RemoveEntryAsync(string ledgerKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _redis.KeyDeleteAsync(LedgerKey(ledgerKey));
    }

    public async Task<bool> CompareAndSetEntryAsync(string ledgerKey, string? expectedJson, LedgerCacheEntry? replacement, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ledgerKey);
        if (replacement is not null && replacement.LedgerKey != ledgerKey)
        {
            throw new ArgumentException($"The replacement is for '{replacement.LedgerKey}', not '{ledgerKey}'.", nameof(replacement));
        }

        OutboxAppend.ValidateKey(ledgerKey, nameof(ledgerKey), OutboxAppend.MaxKeyLength);
        var reply = await RedisOutboxScripts.CompareAndSetLedger.RunAsync(
            _redis,
            [
                _prefix, ledgerKey, expectedJson is null ? 0 : 1, expectedJson ?? string.Empty, replacement is null ? 0 : 1,
                replacement?.EntryJson ?? string.Empty, replacement?.MondayItemId ?? string.Empty, replacement?.UpdatedAt.ToUnixTimeMilliseconds() ?? 0,
            ],
            cancellationToken).ConfigureAwait(false);
        return (long)reply == 1;
    }

    public Task<bool> TryMarkAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        OutboxAppend.ValidateKey(key, nameof(key), OutboxAppend.MaxKeyLength);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        return _redis.StringSetAsync(_prefix + "dedupe:" + key, 1, timeToLive, When.NotExists);
    }

    /// <summary>The multiplexer is shared and owned by the container, not by this store.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _redis.PingAsync();
    }

    /// <summary>Adds a record moved from another store unless Redis already has its key. True when added.</summary>
    internal async Task<bool> ImportAsync(OutboxRecord record, CancellationToken cancellationToken)
    {
        var reply = await RedisOutboxScripts.Import.RunAsync(
            _redis,
            [
                _prefix, record.IdempotencyKey, record.PartitionKey, record.CommandKind, record.PayloadJson, record.State.ToString(),
                record.Attempts, record.LastError ?? string.Empty, record.MondayItemId ?? string.Empty,
                record.CreatedAt.ToUnixTimeMilliseconds(), record.UpdatedAt.ToUnixTimeMilliseconds(),
                MsOrEmpty(record.NextAttemptAt), record.Version,
            ],
            cancellationToken).ConfigureAwait(false);
        return (long)reply == 1;
    }

    /// <summary>Writes a ledger entry moved from another store unless Redis holds a newer one.</summary>
    internal async Task ImportEntryAsync(LedgerCacheEntry entry, CancellationToken cancellationToken) =>
        await RedisOutboxScripts.SetLedgerIfNotOlder.RunAsync(
            _redis,
            [_prefix, entry.LedgerKey, entry.EntryJson, entry.MondayItemId ?? string.Empty, entry.UpdatedAt.ToUnixTimeMilliseconds()],
            cancellationToken).ConfigureAwait(false);

    /// <summary>Carries a dedupe mark over with the time it has left.</summary>
    internal async Task ImportDedupeAsync(DedupeMark mark, CancellationToken cancellationToken)
    {
        var left = mark.ExpiresAt - _time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _redis.StringSetAsync(_prefix + "dedupe:" + mark.Key, 1, left, When.NotExists).ConfigureAwait(false);
        }
    }

    private static RedisValue Fence(int? claimVersion) => claimVersion is { } version ? version : RedisValue.EmptyString;

    private static OutboxRecord Transition(RedisResult reply, string idempotencyKey, string attempted)
    {
        var code = (long)reply[0];
        if (code == -1)
        {
            throw new OutboxRecordNotFoundException(idempotencyKey);
        }

        var record = ToRecord(reply[1]);
        return code == -2 ? throw new OutboxStateConflictException(record, attempted) : record;
    }

    // A record's HGETALL comes back from Lua as a flat field/value array (scripts answer in RESP2 shapes).
    private static OutboxRecord ToRecord(RedisResult hash) =>
        ToRecord(hash.ToDictionary(StringComparer.Ordinal).ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.Ordinal));

    private static OutboxRecord ToRecord(IReadOnlyDictionary<string, string> fields)
    {
        string Required(string name) => fields.GetValueOrDefault(name)
            ?? throw new StorageCorruptedException($"An outbox record in Redis lacks its '{name}' field.");
        string? Optional(string name) => fields.GetValueOrDefault(name) is { Length: > 0 } value ? value : null;

        return new OutboxRecord
        {
            IdempotencyKey = Required("idempotencyKey"),
            PartitionKey = Required("partitionKey"),
            CommandKind = Required("commandKind"),
            PayloadJson = Required("payloadJson"),
            State = Enum.Parse<OutboxState>(Required("state")),
            Attempts = int.Parse(Required("attempts"), CultureInfo.InvariantCulture),
            LastError = Optional("lastError"),
            MondayItemId = Optional("mondayItemId"),
            CreatedAt = FromMs(Required("createdAt"))!.Value,
            UpdatedAt = FromMs(Required("updatedAt"))!.Value,
            NextAttemptAt = FromMs(Optional("nextAttemptAt")),
            Sequence = long.Parse(Required("sequence"), CultureInfo.InvariantCulture),
            Version = int.Parse(Required("version"), CultureInfo.InvariantCulture),
        };
    }

    // The scripts take an empty string for "no time".
    private static RedisValue MsOrEmpty(DateTimeOffset? value) => value is { } at ? at.ToUnixTimeMilliseconds() : RedisValue.EmptyString;

    private static DateTimeOffset? FromMs(string? value) =>
        string.IsNullOrEmpty(value) ? null : DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(value, CultureInfo.InvariantCulture));

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private string RecordKey(string idempotencyKey) => _prefix + "outbox:rec:" + idempotencyKey;

    private string StateKey(OutboxState state) => _prefix + "outbox:state:" + state;

    private string LedgerKey(string ledgerKey) => _prefix + "ledger:" + ledgerKey;
}
