using System.Globalization;
using DiscordLedgerBot.Core.Redis;

namespace DiscordLedgerBot.Core.Storage;

/// <summary>
/// Outbox, ledger cache and dedupe in Redis through our RESP client. Every outbox transition is one Lua script, so it
/// is atomic; claims are leases (a crashed claimant's records are claimed again when the lease lapses, and monday's
/// Idempotency-Key makes the resend harmless). Durability is Redis' own: run it with AOF (appendonly yes) for the
/// outbox to survive a Redis restart. Timestamps are kept as epoch milliseconds.
/// Transport failures surface as <see cref="RedisConnectionException"/>/<see cref="RedisTimeoutException"/>.
/// </summary>
public sealed class RedisStorage : IStorageBackend
{
    private readonly IRedisConnection _redis;
    private readonly TimeProvider _time;
    private readonly string _prefix;

    public RedisStorage(IRedisConnection redis, TimeProvider time, string keyPrefix = "dlb:")
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
        return new OutboxAppendResult(ToRecord(reply.Items[1]), reply.Items[0].AsInt64() == 1);
    }

    public async Task<IReadOnlyList<OutboxRecord>> ClaimBatchAsync(int maxRecords, TimeSpan claimDuration, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(claimDuration, TimeSpan.Zero);
        var reply = await RedisOutboxScripts.Claim.RunAsync(
            _redis,
            [_prefix, NowMs(), maxRecords, (long)Math.Ceiling(claimDuration.TotalMilliseconds)],
            cancellationToken).ConfigureAwait(false);
        return [.. reply.Items.Select(ToRecord)];
    }

    public async Task<OutboxRecord> MarkConfirmedAsync(string idempotencyKey, string mondayItemId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(mondayItemId);
        var reply = await RedisOutboxScripts.Confirm.RunAsync(_redis, [_prefix, idempotencyKey, mondayItemId, NowMs()], cancellationToken).ConfigureAwait(false);
        return Transition(reply, idempotencyKey, $"confirm (item {mondayItemId})");
    }

    public async Task<OutboxRecord> MarkFailedAsync(string idempotencyKey, string reason, DateTimeOffset? retryAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        RedisArgument retry = retryAt is { } at ? at.ToUnixTimeMilliseconds() : string.Empty;
        var reply = await RedisOutboxScripts.Fail.RunAsync(_redis, [_prefix, idempotencyKey, reason, retry, NowMs()], cancellationToken).ConfigureAwait(false);
        return Transition(reply, idempotencyKey, "mark failed");
    }

    public async Task<OutboxRecord?> GetAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var fields = await _redis.HGetAllAsync(RecordKey(idempotencyKey), cancellationToken).ConfigureAwait(false);
        return fields.Count == 0 ? null : ToRecord(fields);
    }

    public async Task<IReadOnlyList<OutboxRecord>> ListAsync(OutboxState state, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var keys = await _redis.ExecuteAsync(new RedisCommand("ZRANGE", StateKey(state), 0, limit - 1), cancellationToken).ConfigureAwait(false);

        // Pipelined: all HGETALLs go out together on the shared connection.
        var records = await Task.WhenAll(keys.Items.Select(k => GetAsync(k.AsString()!, cancellationToken))).ConfigureAwait(false);
        return [.. records.OfType<OutboxRecord>()];
    }

    public async Task<OutboxCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        var counts = await Task.WhenAll(Enum.GetValues<OutboxState>().Select(async state =>
            (await _redis.ExecuteAsync(new RedisCommand("ZCARD", StateKey(state)), cancellationToken).ConfigureAwait(false)).AsInt64())).ConfigureAwait(false);
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
            var purged = (int)(await RedisOutboxScripts.Purge.RunAsync(_redis, [_prefix, cutoff, PerScript], cancellationToken).ConfigureAwait(false)).AsInt64();
            total += purged;
            if (purged < PerScript)
            {
                return total;
            }
        }
    }

    public async Task<LedgerCacheEntry?> GetEntryAsync(string ledgerKey, CancellationToken cancellationToken = default)
    {
        var fields = await _redis.HGetAllAsync(LedgerKey(ledgerKey), cancellationToken).ConfigureAwait(false);
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
        return _redis.HSetAsync(
            LedgerKey(entry.LedgerKey),
            [
                new("ledgerKey", entry.LedgerKey),
                new("entryJson", entry.EntryJson),
                new("mondayItemId", entry.MondayItemId ?? string.Empty),
                new("updatedAt", entry.UpdatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
            ],
            cancellationToken);
    }

    public async Task<bool> RemoveEntryAsync(string ledgerKey, CancellationToken cancellationToken = default) =>
        await _redis.DelAsync([LedgerKey(ledgerKey)], cancellationToken).ConfigureAwait(false) == 1;

    public Task<bool> TryMarkAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        OutboxAppend.ValidateKey(key, nameof(key), OutboxAppend.MaxKeyLength);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        return _redis.SetAsync(_prefix + "dedupe:" + key, "1", timeToLive, onlyIfAbsent: true, cancellationToken);
    }

    /// <summary>The connection is shared and owned by the container, not by this store.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal Task<string> PingAsync(CancellationToken cancellationToken) => _redis.PingAsync(cancellationToken);

    /// <summary>Adds a record moved from another store unless Redis already has its key. True when added.</summary>
    internal async Task<bool> ImportAsync(OutboxRecord record, CancellationToken cancellationToken)
    {
        var reply = await RedisOutboxScripts.Import.RunAsync(
            _redis,
            [
                _prefix, record.IdempotencyKey, record.PartitionKey, record.CommandKind, record.PayloadJson, record.State.ToString(),
                record.Attempts, record.LastError ?? string.Empty, record.MondayItemId ?? string.Empty,
                record.CreatedAt.ToUnixTimeMilliseconds(), record.UpdatedAt.ToUnixTimeMilliseconds(),
                record.NextAttemptAt is { } next ? next.ToUnixTimeMilliseconds() : string.Empty, record.Version,
            ],
            cancellationToken).ConfigureAwait(false);
        return reply.AsInt64() == 1;
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
            await _redis.SetAsync(_prefix + "dedupe:" + mark.Key, "1", left, onlyIfAbsent: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private static OutboxRecord Transition(RedisReply reply, string idempotencyKey, string attempted)
    {
        var code = reply.Items[0].AsInt64();
        if (code == -1)
        {
            throw new OutboxRecordNotFoundException(idempotencyKey);
        }

        var record = ToRecord(reply.Items[1]);
        return code == -2 ? throw new OutboxStateConflictException(record, attempted) : record;
    }

    private static OutboxRecord ToRecord(RedisReply hash) => ToRecord(hash.AsDictionary());

    private static OutboxRecord ToRecord(IReadOnlyDictionary<string, string?> fields)
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

    private static DateTimeOffset? FromMs(string? value) =>
        string.IsNullOrEmpty(value) ? null : DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(value, CultureInfo.InvariantCulture));

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private string RecordKey(string idempotencyKey) => _prefix + "outbox:rec:" + idempotencyKey;

    private string StateKey(OutboxState state) => _prefix + "outbox:state:" + state;

    private string LedgerKey(string ledgerKey) => _prefix + "ledger:" + ledgerKey;
}
