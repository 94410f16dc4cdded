using DiscordLedgerBot.Core.Redis;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>
/// The registry snapshot as one Redis string (our RESP client): SET replaces it atomically, so readers see the
/// old or the new registry, never a mix. Durability is the Redis server's (AOF/RDB) configuration.
/// </summary>
public sealed class RedisRegistryStore(IRedisConnection redis, string key = RedisRegistryStore.DefaultKey) : IRegistryStore
{
    public const string DefaultKey = "dlb:registry:snapshot";

    public string Key { get; } = key;

    public async Task<RegistrySnapshot?> LoadAsync(CancellationToken cancellationToken)
    {
        var reply = await redis.ExecuteAsync(new RedisCommand("GET", Key), cancellationToken);
        return reply.AsBytes() is { } bytes ? RegistrySnapshotSerializer.Deserialize(bytes, $"redis key {Key}") : null;
    }

    public Task SaveAsync(RegistrySnapshot snapshot, CancellationToken cancellationToken) =>
        redis.ExecuteAsync(new RedisCommand("SET", Key, RegistrySnapshotSerializer.Serialize(snapshot)), cancellationToken);
}
