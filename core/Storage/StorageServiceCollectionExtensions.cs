using DiscordLedgerBot.Core.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DiscordLedgerBot.Core.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the storage backend chosen by <see cref="StorageOptions.Backend"/> as <see cref="IStorageBackend"/>,
    /// <see cref="IOutboxStore"/>, <see cref="ILedgerCache"/>, <see cref="IDedupeStore"/> and <see cref="IStorageStatus"/>,
    /// plus the shared StackExchange.Redis <see cref="IConnectionMultiplexer"/> (connected on first use only). The host binds the
    /// sections: <c>Storage</c> → <see cref="StorageOptions"/>,
    /// <c>Redis</c> → <see cref="RedisOptions"/>. Both are validated at start.
    /// </summary>
    public static IServiceCollection AddLedgerStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>().ValidateOnStart();
        services.AddOptions<RedisOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());

        // With abortConnect=false this returns after one connect attempt even when Redis is down, and the
        // multiplexer keeps reconnecting in the background; the container disposes it at shutdown.
        services.TryAddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(
            sp.GetRequiredService<IOptions<RedisOptions>>().Value.ToConfigurationOptions(sp.GetService<ILoggerFactory>())));

        services.TryAddSingleton(CreateBackend);
        services.TryAddSingleton<IOutboxStore>(sp => sp.GetRequiredService<IStorageBackend>());
        services.TryAddSingleton<ILedgerCache>(sp => sp.GetRequiredService<IStorageBackend>());
        services.TryAddSingleton<IDedupeStore>(sp => sp.GetRequiredService<IStorageBackend>());
        services.TryAddSingleton<IStorageStatus>(sp => sp.GetRequiredService<IStorageBackend>() as IStorageStatus
            ?? new FixedStorageStatus(sp.GetRequiredService<IStorageBackend>().Name));
        return services;
    }

    /// <summary>
    /// Opens the backend <see cref="StorageOptions.Backend"/> names. Hosts that must react to a held data directory
    /// (the CLI hands its commands to the running bot) register their own <see cref="IStorageBackend"/> around this.
    /// </summary>
    public static IStorageBackend CreateBackend(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var redisOptions = services.GetRequiredService<IOptions<RedisOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        switch (options.EffectiveBackend(redisOptions))
        {
            case StorageBackendKind.Memory:
                return EmbeddedStorage.CreateInMemory(time);
            case StorageBackendKind.Redis:
                var fallback = OpenFile(services, options, time);
                var redis = new RedisStorage(services.GetRequiredService<IConnectionMultiplexer>().GetDatabase(), time, options.RedisKeyPrefix);
                return new FailoverStorage(redis, fallback, time, options.FailoverProbeInterval, services.GetRequiredService<ILogger<FailoverStorage>>());
            default:
                return OpenFile(services, options, time);
        }
    }

    private static EmbeddedStorage OpenFile(IServiceProvider services, StorageOptions options, TimeProvider time) =>
        EmbeddedStorage.OpenFile(
            options.DataDirectory,
            time,
            services.GetRequiredService<ILogger<EmbeddedStorage>>(),
            options.SnapshotEvery,
            options.RepairCorruptJournal);

    private sealed class FixedStorageStatus(string name) : IStorageStatus
    {
        public string ActiveBackend => name;

        public bool IsDegraded => false;
    }
}
