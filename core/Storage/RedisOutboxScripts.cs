using StackExchange.Redis;

namespace DiscordLedgerBot.Core.Storage;

/// <summary>
/// The Lua scripts that make each outbox transition atomic in Redis. Key layout (P = key prefix):
/// <c>P outbox:rec:{key}</c> hash per record; <c>P outbox:part:{partition}</c> list of the partition's unfinished
/// records in append order (head = next to send); <c>P outbox:ready</c> sorted set partition → epoch ms at which its
/// head may be claimed (Pending: created; Sent: claim lapses; Failed: retry); <c>P outbox:state:{State}</c> sorted set
/// key → sequence (listing, counting); <c>P outbox:confirmedAt</c> sorted set key → ms (retention purge);
/// <c>P outbox:seq</c> append counter. Keys are built inside the scripts from the prefix, so this layout assumes a
/// single Redis node (not Cluster).
/// </summary>
internal static class RedisOutboxScripts
{
    private const string Prelude = """
        local p = ARGV[1]
        local READY = p .. 'outbox:ready'
        local function rk(key) return p .. 'outbox:rec:' .. key end
        local function pk(part) return p .. 'outbox:part:' .. part end
        local function setstate(key, old, new, seq)
          if old then redis.call('ZREM', p .. 'outbox:state:' .. old, key) end
          redis.call('ZADD', p .. 'outbox:state:' .. new, seq, key)
        end
        local function readyat(key)
          local h = redis.call('HMGET', rk(key), 'state', 'createdAt', 'nextAttemptAt')
          if h[1] == 'Pending' then return h[2] end
          return h[3]
        end
        local function advance(part, key)
          local list = pk(part)
          redis.call('LREM', list, 1, key)
          local head = redis.call('LINDEX', list, 0)
          if head then
            redis.call('ZADD', READY, readyat(head), part)
          else
            redis.call('ZREM', READY, part)
          end
        end

        """;

    // ARGV: prefix, key, partition, kind, payload, nowMs → {created 0|1, record}
    public static readonly RedisScript Append = new(Prelude + """
        local key = ARGV[2]
        local r = rk(key)
        if redis.call('EXISTS', r) == 1 then return {0, redis.call('HGETALL', r)} end
        local seq = redis.call('INCR', p .. 'outbox:seq')
        redis.call('HSET', r, 'idempotencyKey', key, 'partitionKey', ARGV[3], 'commandKind', ARGV[4], 'payloadJson', ARGV[5],
          'state', 'Pending', 'attempts', 0, 'createdAt', ARGV[6], 'updatedAt', ARGV[6], 'sequence', seq, 'version', 1)
        setstate(key, nil, 'Pending', seq)
        if redis.call('RPUSH', pk(ARGV[3]), key) == 1 then redis.call('ZADD', READY, ARGV[6], ARGV[3]) end
        return {1, redis.call('HGETALL', r)}
        """);

    // ARGV: prefix, key, partition, kind, payload, state, attempts, lastError, itemId, createdAt, updatedAt, nextAttemptAt, version → 1 imported | 0 already there
    public static readonly RedisScript Import = new(Prelude + """
        local key = ARGV[2]
        local r = rk(key)
        if redis.call('EXISTS', r) == 1 then return 0 end
        local seq = redis.call('INCR', p .. 'outbox:seq')
        local state = ARGV[6]
        redis.call('HSET', r, 'idempotencyKey', key, 'partitionKey', ARGV[3], 'commandKind', ARGV[4], 'payloadJson', ARGV[5],
          'state', state, 'attempts', ARGV[7], 'createdAt', ARGV[10], 'updatedAt', ARGV[11], 'sequence', seq, 'version', ARGV[13])
        if ARGV[8] ~= '' then redis.call('HSET', r, 'lastError', ARGV[8]) end
        if ARGV[9] ~= '' then redis.call('HSET', r, 'mondayItemId', ARGV[9]) end
        if ARGV[12] ~= '' then redis.call('HSET', r, 'nextAttemptAt', ARGV[12]) end
        setstate(key, nil, state, seq)
        if state == 'Confirmed' then
          redis.call('ZADD', p .. 'outbox:confirmedAt', ARGV[11], key)
        elseif not (state == 'Failed' and ARGV[12] == '') then
          if redis.call('RPUSH', pk(ARGV[3]), key) == 1 then redis.call('ZADD', READY, readyat(key), ARGV[3]) end
        end
        return 1
        """);

    // ARGV: prefix, nowMs, max, claimMs → list of records
    public static readonly RedisScript Claim = new(Prelude + """
        local now = tonumber(ARGV[2])
        local lease_end = now + tonumber(ARGV[4])
        local parts = redis.call('ZRANGEBYSCORE', READY, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
        local out = {}
        for _, part in ipairs(parts) do
          local head = redis.call('LINDEX', pk(part), 0)
          if not head then
            redis.call('ZREM', READY, part)
          else
            local r = rk(head)
            local h = redis.call('HMGET', r, 'state', 'sequence')
            setstate(head, h[1], 'Sent', h[2])
            redis.call('HSET', r, 'state', 'Sent', 'nextAttemptAt', lease_end, 'updatedAt', now)
            redis.call('HINCRBY', r, 'attempts', 1)
            redis.call('HINCRBY', r, 'version', 1)
            redis.call('ZADD', READY, lease_end, part)
            out[#out + 1] = redis.call('HGETALL', r)
          end
        end
        return out
        """);

    // ARGV: prefix, nowMs, claimMs, then (key, claim version) pairs → the renewed records. A renewal keeps the version: the
    // claim is the same. The record is its partition's head (only heads are claimed), so the partition's ready time moves too.
    public static readonly RedisScript Renew = new(Prelude + """
        local lease_end = tonumber(ARGV[2]) + tonumber(ARGV[3])
        local out = {}
        for i = 4, #ARGV, 2 do
          local key = ARGV[i]
          local r = rk(key)
          local h = redis.call('HMGET', r, 'state', 'version', 'partitionKey')
          if h[1] == 'Sent' and h[2] == ARGV[i + 1] then
            redis.call('HSET', r, 'nextAttemptAt', lease_end, 'updatedAt', ARGV[2])
            redis.call('ZADD', READY, lease_end, h[3])
            out[#out + 1] = redis.call('HGETALL', r)
          end
        end
        return out
        """);

    // ARGV: prefix, key, itemId, nowMs, claim version or '' → {1 changed | 0 already | -1 missing | -2 conflict, record}
    public static readonly RedisScript Confirm = new(Prelude + """
        local key = ARGV[2]
        local r = rk(key)
        if redis.call('EXISTS', r) == 0 then return {-1} end
        if ARGV[5] ~= '' and redis.call('HGET', r, 'version') ~= ARGV[5] then return {-2, redis.call('HGETALL', r)} end
        local h = redis.call('HMGET', r, 'state', 'mondayItemId', 'partitionKey', 'sequence')
        if h[1] == 'Confirmed' and h[2] == ARGV[3] then return {0, redis.call('HGETALL', r)} end
        if h[1] ~= 'Sent' then return {-2, redis.call('HGETALL', r)} end
        redis.call('HSET', r, 'state', 'Confirmed', 'mondayItemId', ARGV[3], 'updatedAt', ARGV[4])
        redis.call('HDEL', r, 'nextAttemptAt')
        redis.call('HINCRBY', r, 'version', 1)
        setstate(key, 'Sent', 'Confirmed', h[4])
        redis.call('ZADD', p .. 'outbox:confirmedAt', ARGV[4], key)
        advance(h[3], key)
        return {1, redis.call('HGETALL', r)}
        """);

    // ARGV: prefix, key, reason, retryAtMs or '', nowMs, claim version or '' → {1 | -1 | -2, record}
    public static readonly RedisScript Fail = new(Prelude + """
        local key = ARGV[2]
        local r = rk(key)
        if redis.call('EXISTS', r) == 0 then return {-1} end
        if ARGV[6] ~= '' and redis.call('HGET', r, 'version') ~= ARGV[6] then return {-2, redis.call('HGETALL', r)} end
        local h = redis.call('HMGET', r, 'state', 'partitionKey', 'sequence')
        if h[1] ~= 'Sent' then return {-2, redis.call('HGETALL', r)} end
        redis.call('HSET', r, 'state', 'Failed', 'lastError', ARGV[3], 'updatedAt', ARGV[5])
        redis.call('HINCRBY', r, 'version', 1)
        setstate(key, 'Sent', 'Failed', h[3])
        if ARGV[4] ~= '' then
          redis.call('HSET', r, 'nextAttemptAt', ARGV[4])
          redis.call('ZADD', READY, ARGV[4], h[2])
        else
          redis.call('HDEL', r, 'nextAttemptAt')
          advance(h[2], key)
        end
        return {1, redis.call('HGETALL', r)}
        """);

    // ARGV: prefix, cutoffMs (exclusive), limit → number purged
    public static readonly RedisScript Purge = new(Prelude + """
        local keys = redis.call('ZRANGEBYSCORE', p .. 'outbox:confirmedAt', '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
        for _, key in ipairs(keys) do
          redis.call('DEL', rk(key))
          redis.call('ZREM', p .. 'outbox:state:Confirmed', key)
          redis.call('ZREM', p .. 'outbox:confirmedAt', key)
        end
        return #keys
        """);

    // ARGV: prefix, ledgerKey, entryJson, itemId or '', updatedAtMs → 1 written | 0 Redis had a newer entry
    public static readonly RedisScript SetLedgerIfNotOlder = new(Prelude + """
        local r = p .. 'ledger:' .. ARGV[2]
        local current = redis.call('HGET', r, 'updatedAt')
        if current and tonumber(current) > tonumber(ARGV[5]) then return 0 end
        redis.call('HSET', r, 'ledgerKey', ARGV[2], 'entryJson', ARGV[3], 'mondayItemId', ARGV[4], 'updatedAt', ARGV[5])
        return 1
        """);

    // ARGV: prefix, ledger key, expects an entry (0/1), its expected JSON, writes (0/1: 0 removes), JSON, item id, updatedAt ms.
    public static readonly RedisScript CompareAndSetLedger = new(Prelude + """
        local r = p .. 'ledger:' .. ARGV[2]
        local current = redis.call('HGET', r, 'entryJson')
        if ARGV[3] == '0' then
          if current then return 0 end
        elseif current ~= ARGV[4] then return 0 end
        if ARGV[5] == '0' then
          redis.call('DEL', r)
        else
          redis.call('HSET', r, 'ledgerKey', ARGV[2], 'entryJson', ARGV[6], 'mondayItemId', ARGV[7], 'updatedAt', ARGV[8])
        end
        return 1
        """);
}

/// <summary>
/// A Lua script. StackExchange.Redis loads it once per server (SCRIPT LOAD) and runs it by digest (EVALSHA); the outbox
/// passes no KEYS because the scripts build their keys from the prefix (see <see cref="RedisOutboxScripts"/>).
/// </summary>
internal sealed class RedisScript(string source)
{
    public string Source { get; } = source;

    public async Task<RedisResult> RunAsync(IDatabaseAsync redis, RedisValue[] args, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await redis.ScriptEvaluateAsync(Source, keys: null, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // A restarted Redis has an empty script cache; the library forgets its digests on NOSCRIPT, so one
            // more call loads the script again.
            return await redis.ScriptEvaluateAsync(Source, keys: null, args).ConfigureAwait(false);
        }
    }
}
