using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Registry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Registry;

public static class RegistryServiceCollectionExtensions
{
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
            () => sp.GetService<IRedisConnection>()
                ?? throw new InvalidOperationException("Registry:Store is 'redis' but no IRedisConnection is registered: configure the Redis section and register the storage services.")));
        services.TryAddSingleton<IDecisionRecorder, LoggingDecisionRecorder>();
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
                sp.GetRequiredService<ILogger<CapabilityRegistry>>());
        });
        services.TryAddSingleton<RegistryHealthHttpClient>();
        services.AddSingleton<IHealthChecker>(sp => new HttpHealthChecker(sp.GetRequiredService<RegistryHealthHttpClient>().Client, sp.GetRequiredService<TimeProvider>()));
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

/// <summary>
/// The HttpClient health probes use: pooled connections recycled every few minutes (DNS changes are seen),
/// no redirects (a redirect is not the expected status) and no client-wide timeout (each probe has its own).
/// </summary>
public sealed class RegistryHealthHttpClient : IDisposable
{
    public HttpClient Client { get; } = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public void Dispose() => Client.Dispose();
}
