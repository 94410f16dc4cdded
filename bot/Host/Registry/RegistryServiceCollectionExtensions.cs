using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Registry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DiscordLedgerBot.Registry;

public static class RegistryServiceCollectionExtensions
{
    public const string HealthProbeHttpClientName = "registry-health";

    /// <summary>
    /// Registers the capability registry, its health checkers, the health-job planner and the options.
    /// <see cref="IRegistryStore"/>, <see cref="IDecisionRecorder"/> and <see cref="IRegistryEventSink"/> are
    /// TryAdd'ed: register the Redis store, the ledger-backed recorder or another sink first to replace them.
    /// The planner is a hosted service only where the host adds it (<c>AddLedgerBot</c> for the bot process).
    /// </summary>
    public static IServiceCollection AddCapabilityRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RegistryOptions>().Bind(configuration.GetSection(RegistryOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => RegistryBootstrap.CreateStore(
            sp.GetRequiredService<IOptions<RegistryOptions>>().Value,
            () => sp.GetService<IConnectionMultiplexer>()?.GetDatabase()
                ?? throw new InvalidOperationException("Registry:Store is 'redis' but no IConnectionMultiplexer is registered: configure the Redis section and register the storage services.")));
        services.TryAddSingleton<IDecisionRecorder, LoggingDecisionRecorder>();
        services.AddExceptionHandler<RegistryConflictExceptionHandler>();
        services.TryAddSingleton<IEventBus, EventBus>();
        services.TryAddSingleton<IRegistryEventSink, EventBusRegistrySink>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RegistryOptions>>().Value;
            return new CapabilityRegistry(
                sp.GetRequiredService<IRegistryStore>(),
                sp.GetRequiredService<IDecisionRecorder>(),
                sp.GetRequiredService<IRegistryEventSink>(),
                sp.GetRequiredService<TimeProvider>(),
                new CapabilityRegistryOptions { AuditLedgerKey = options.AuditLedgerKey, Breaker = options.Breaker },
                sp.GetRequiredService<ILogger<CapabilityRegistry>>(),
                // Processes sharing the registry store are one cluster: they share what their checks observe too.
                RegistryBootstrap.IsRedis(options)
                    ? new RedisToolHealthStore(sp.GetRequiredService<IConnectionMultiplexer>(), options.HealthKeyPrefix, sp.GetRequiredService<ILogger<RedisToolHealthStore>>())
                    : null);
        });
        // Probes: no redirects (a redirect is not the expected status), no client-wide timeout (each probe has its own).
        // The checker keeps one client for its lifetime, so the handler's own pooled-connection lifetime is what
        // makes DNS changes visible.
        services.AddHttpClient(HealthProbeHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AllowAutoRedirect = false,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            })
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IHealthChecker>(sp => new HttpHealthChecker(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HealthProbeHttpClientName), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IHealthChecker>(sp => new TcpHealthChecker(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IHealthChecker>(sp => new CommandHealthChecker(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IHealthChecker>(sp => new TtlHealthChecker(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<RegistryHealthMonitor>();
        services.TryAddTransient<RegistryHealthJob>();
        services.TryAddTransient<RegistrySweepJob>();
        services.TryAddSingleton<RegistryHealthScheduler>();
        return services;
    }
}
