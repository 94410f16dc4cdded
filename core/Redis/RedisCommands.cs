namespace DiscordLedgerBot.Core.Redis;

/// <summary>Typed helpers for the commands this codebase uses, all built on <see cref="IRedisConnection.ExecuteAsync"/>.</summary>
public static class RedisCommands
{
    public static async Task<string> PingAsync(this IRedisConnection redis, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("PING"), cancellationToken).ConfigureAwait(false)).AsString() ?? string.Empty;

    public static async Task<string?> GetAsync(this IRedisConnection redis, string key, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("GET", key), cancellationToken).ConfigureAwait(false)).AsString();

    /// <summary>SET with optional expiry (sent as PX) and NX; returns false when NX prevented the write.</summary>
    public static async Task<bool> SetAsync(
        this IRedisConnection redis,
        string key,
        RedisArgument value,
        TimeSpan? expiry = null,
        bool onlyIfAbsent = false,
        CancellationToken cancellationToken = default)
    {
        List<RedisArgument> args = [key, value];
        if (expiry is { } ttl)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero, nameof(expiry));
            args.Add("PX");
            args.Add((long)Math.Ceiling(ttl.TotalMilliseconds));
        }

        if (onlyIfAbsent)
        {
            args.Add("NX");
        }

        var reply = await redis.ExecuteAsync(new RedisCommand("SET", [.. args]), cancellationToken).ConfigureAwait(false);
        return !reply.IsNull;
    }

    public static async Task<long> DelAsync(this IRedisConnection redis, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("DEL", [.. keys.Select(RedisArgument.FromString)]), cancellationToken).ConfigureAwait(false)).AsInt64();

    public static async Task<bool> ExpireAsync(this IRedisConnection redis, string key, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("PEXPIRE", key, (long)Math.Ceiling(ttl.TotalMilliseconds)), cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    public static async Task<long> HSetAsync(this IRedisConnection redis, string key, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken cancellationToken = default)
    {
        List<RedisArgument> args = [key];
        foreach (var (field, value) in fields)
        {
            args.Add(field);
            args.Add(value);
        }

        if (args.Count == 1)
        {
            throw new ArgumentException("HSET needs at least one field.", nameof(fields));
        }

        return (await redis.ExecuteAsync(new RedisCommand("HSET", [.. args]), cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    public static async Task<string?> HGetAsync(this IRedisConnection redis, string key, string field, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("HGET", key, field), cancellationToken).ConfigureAwait(false)).AsString();

    public static async Task<IReadOnlyDictionary<string, string?>> HGetAllAsync(this IRedisConnection redis, string key, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("HGETALL", key), cancellationToken).ConfigureAwait(false)).AsDictionary();

    public static async Task<long> HDelAsync(this IRedisConnection redis, string key, IReadOnlyCollection<string> fields, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("HDEL", [key, .. fields.Select(RedisArgument.FromString)]), cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>Loads a Lua script and returns its SHA1, for <see cref="EvalShaAsync"/>.</summary>
    public static async Task<string> ScriptLoadAsync(this IRedisConnection redis, string script, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("SCRIPT", "LOAD", script), cancellationToken).ConfigureAwait(false)).AsString()
        ?? throw new RedisProtocolException("SCRIPT LOAD returned no digest.");

    public static Task<RedisReply> EvalShaAsync(this IRedisConnection redis, string sha, IReadOnlyList<string> keys, IReadOnlyList<RedisArgument> args, CancellationToken cancellationToken = default) =>
        redis.ExecuteAsync(new RedisCommand("EVALSHA", [sha, keys.Count, .. keys.Select(RedisArgument.FromString), .. args]), cancellationToken);

    public static Task<RedisReply> EvalAsync(this IRedisConnection redis, string script, IReadOnlyList<string> keys, IReadOnlyList<RedisArgument> args, CancellationToken cancellationToken = default) =>
        redis.ExecuteAsync(new RedisCommand("EVAL", [script, keys.Count, .. keys.Select(RedisArgument.FromString), .. args]), cancellationToken);

    /// <summary>INFO [section] parsed into key/value pairs (section headers and blank lines dropped).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> InfoAsync(this IRedisConnection redis, string? section = null, CancellationToken cancellationToken = default)
    {
        var command = section is null ? new RedisCommand("INFO") : new RedisCommand("INFO", section);
        var text = (await redis.ExecuteAsync(command, cancellationToken).ConfigureAwait(false)).AsString() ?? string.Empty;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (!line.StartsWith('#') && colon > 0)
            {
                result[line[..colon]] = line[(colon + 1)..];
            }
        }

        return result;
    }
}
