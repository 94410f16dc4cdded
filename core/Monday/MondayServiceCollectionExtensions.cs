using DiscordLedgerBot.Core.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Monday;

public static class MondayServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ILedger"/> on monday: options from the <c>Monday</c> section (validated at start),
    /// <see cref="IMondayTransport"/> over a named HttpClient, <see cref="MondayClient"/> and <see cref="MondayLedger"/>.
    /// Uses the registered <see cref="TimeProvider"/> (System when none).
    /// </summary>
    public static IServiceCollection AddMondayLedger(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MondayOptions>().Bind(configuration.GetSection(MondayOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MondayOptions>, MondayOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // Like every product service, a transport registered earlier (a test double, a recording wrapper) is kept.
        if (!services.Any(d => d.ServiceType == typeof(IMondayTransport)))
        {
            services.AddHttpClient<IMondayTransport, HttpMondayTransport>(http =>
                    // Attempt timeouts are Polly's job (with the injected clock); HttpClient's own would race it.
                    http.Timeout = Timeout.InfiniteTimeSpan)
                // The singleton MondayClient keeps its transport for the process lifetime, so the handler is never
                // rotated by the factory; recycling pooled connections keeps DNS changes visible instead.
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        }

        services.TryAddSingleton<MondayClient>();
        services.TryAddSingleton<MondayLedger>();
        services.TryAddSingleton<ILedger>(provider => provider.GetRequiredService<MondayLedger>());
        return services;
    }
}
