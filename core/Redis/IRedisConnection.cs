namespace DiscordLedgerBot.Core.Redis;

/// <summary>
/// The narrow seam to Redis: send one command, get its reply. Implementations multiplex many concurrent callers
/// over one connection and pipeline their commands. An error reply surfaces as <see cref="RedisServerException"/>;
/// transport problems as <see cref="RedisConnectionException"/> or <see cref="RedisTimeoutException"/>.
/// </summary>
public interface IRedisConnection
{
    /// <summary>True while a live, authenticated connection exists (a hint: the next command may still fail).</summary>
    bool IsConnected { get; }

    Task<RedisReply> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken = default);
}
