using DiscordLedgerBot.Core.Registry;
using StackExchange.Redis;

namespace DiscordLedgerBot.Registry;

/// <summary>Shared by the host and the CLI: the store named by configuration, and the load-or-seed start.</summary>
public static class RegistryBootstrap
{
    /// <summary>
    /// The store for <see cref="RegistryOptions.Store"/>: file, memory, or redis (one key, <see cref="RegistryOptions.RedisKey"/>,
    /// over the shared Redis connection, asked for only when the redis store is chosen).
    /// </summary>
    /// <summary>True when the registry lives in Redis, shared by every process of a cluster.</summary>
    public static bool IsRedis(RegistryOptions options) => options.Store == "redis";

    public static IRegistryStore CreateStore(RegistryOptions options, Func<IDatabaseAsync> redis) => options.Store switch
    {
        "memory" => new MemoryRegistryStore(),
        "redis" => new RedisRegistryStore(redis(), options.RedisKey),
        _ => new FileRegistryStore(options.StorePath),
    };

    /// <summary>Loads the persisted registry, seeding it from the catalog file only when the store is empty.</summary>
    public static async Task InitializeAsync(CapabilityRegistry registry, IRegistryStore store, RegistryOptions options, CancellationToken cancellationToken)
    {
        var persisted = await store.LoadAsync(cancellationToken);
        var seed = persisted is null ? await RegistryCatalogParser.LoadFileAsync(options.ResolveCatalogPath(), cancellationToken) : null;
        await registry.InitializeAsync(seed, cancellationToken);
    }
}
