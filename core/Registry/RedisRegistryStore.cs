using StackExchange.Redis;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>
/// The registry snapshot as one Redis string: SET replaces it atomically, so readers see the old or the new
/// registry, never a mix. Durability is the Redis server's (AOF/RDB) configuration.
/// </summary>
public sealed class RedisRegistryStore(IDatabaseAsync redis, string key = RedisRegistryStore.DefaultKey) : IRegistryStore
{
    public const string DefaultKey = "dlb:registry:snapshot";

    public string Key { get; } = key;

    public async Task<RegistrySnapshot?> LoadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var value = await redis.StringGetAsync(Key).ConfigureAwait(false);
        return value.IsNull ? null : RegistrySnapshotSerializer.Deserialize((byte[])value!, $"redis key {Key}");
    }

    public Task SaveAsync(RegistrySnapshot snapshot, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return redis.StringSetAsync(Key, RegistrySnapshotSerializer.Serialize(snapshot));
    }
}
