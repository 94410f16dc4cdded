using StackExchange.Redis;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>
/// The registry snapshot as one Redis string: SET replaces it atomically, so readers see the old or the new
/// registry, never a mix. A save is one Lua script that compares the stored snapshot's revision with the writer's
/// expectation before it sets, so concurrent writers from several processes cannot overwrite each other.
/// Durability is the Redis server's (AOF/RDB) configuration.
/// </summary>
public sealed class RedisRegistryStore(IDatabaseAsync redis, string key = RedisRegistryStore.DefaultKey) : IRegistryStore
{
    public const string DefaultKey = "dlb:registry:snapshot";

    // KEYS[1] snapshot; ARGV: expected revision, new snapshot JSON → 1 saved | 0 revision moved.
    private const string CompareAndSet = """
        local current = redis.call('GET', KEYS[1])
        local revision = 0
        if current then
          local doc = cjson.decode(current)
          revision = tonumber(doc.revision or doc.Revision or 0)
        end
        if revision ~= tonumber(ARGV[1]) then return 0 end
        redis.call('SET', KEYS[1], ARGV[2])
        return 1
        """;

    public string Key { get; } = key;

    public async Task<RegistrySnapshot?> LoadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var value = await redis.StringGetAsync(Key).ConfigureAwait(false);
        return value.IsNull ? null : RegistrySnapshotSerializer.Deserialize((byte[])value!, $"redis key {Key}");
    }

    public async Task<bool> SaveAsync(RegistrySnapshot snapshot, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        cancellationToken.ThrowIfCancellationRequested();
        var saved = await redis.ScriptEvaluateAsync(CompareAndSet, [Key], [expectedRevision, RegistrySnapshotSerializer.Serialize(snapshot)]).ConfigureAwait(false);
        return (long)saved == 1;
    }
}
