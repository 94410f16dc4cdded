using System.Globalization;
using DiscordLedgerBot.Discord.Gateway;
using StackExchange.Redis;

namespace DiscordLedgerBot.Scaling;

/// <summary>
/// Identify turns across processes: key <c>{prefix}identify:{application id}:{bucket}</c>, taken with
/// <c>SET NX PX</c> (held while connecting), cut to 5.5 s once the Identify is sent, deleted if none was sent. A process
/// that finds it taken looks again every 100 ms. When Redis cannot be reached the turn is this process's
/// only (logged): a collision then costs one INVALID_SESSION and a retry, never a stuck shard.
/// </summary>
public sealed partial class RedisIdentifyLease(IConnectionMultiplexer redis, string keyPrefix, string applicationId, TimeProvider time, ILogger<RedisIdentifyLease> logger) : IIdentifyLease
{
    /// <summary>
    /// How often a waiter looks again: the holder cuts its 30 s connect hold to 5.5 s once its Identify is sent, or frees
    /// the turn when the connect failed, so the remaining time to live seen earlier is only an upper bound.
    /// </summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    // KEYS[1] lease; ARGV: token, ms → 1 when the token holds it (then its time to live is set), else 0.
    private const string ExpireIfHeld = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    // KEYS[1] lease; ARGV: token → 1 when the token held it and it is now free.
    private const string DeleteIfHeld = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    public string KeyFor(int bucket) => $"{keyPrefix}identify:{applicationId}:{bucket.ToString(CultureInfo.InvariantCulture)}";

    public async Task<string> AcquireAsync(int bucket, TimeSpan hold, CancellationToken cancellationToken)
    {
        var key = KeyFor(bucket);
        var token = Guid.NewGuid().ToString("N");
        var database = redis.GetDatabase();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TimeSpan wait;
            try
            {
                if (await database.StringSetAsync(key, token, hold, When.NotExists).ConfigureAwait(false))
                {
                    return token;
                }

                var left = await database.KeyTimeToLiveAsync(key).ConfigureAwait(false);
                wait = left is { } remaining && remaining < Poll ? remaining : Poll;
            }
            catch (Exception unavailable) when (unavailable is RedisException or RedisTimeoutException)
            {
                LogUnavailable(logger, unavailable, bucket);
                return string.Empty;
            }

            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task MarkSentAsync(int bucket, string token, TimeSpan window) =>
        RunIfHeldAsync(ExpireIfHeld, bucket, token, [token, (long)window.TotalMilliseconds]);

    public Task ReleaseAsync(int bucket, string token) =>
        RunIfHeldAsync(DeleteIfHeld, bucket, token, [token]);

    private async Task RunIfHeldAsync(string script, int bucket, string token, RedisValue[] arguments)
    {
        if (token.Length == 0)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(script, [KeyFor(bucket)], arguments).ConfigureAwait(false);
        }
        catch (Exception unavailable) when (unavailable is RedisException or RedisTimeoutException)
        {
            // The key lapses by itself (hold time); nothing else depends on this write.
            LogUnavailable(logger, unavailable, bucket);
        }
    }

    [LoggerMessage(EventId = 9310, Level = LogLevel.Warning, Message = "Redis is unreachable for the identify turn of bucket {Bucket}: this process identifies on its own turn only (another process may collide once and retry)")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, int bucket);
}
