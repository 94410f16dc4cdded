using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Sync;

public static class SyncServiceCollectionExtensions
{
    /// <summary>
    /// monday → bot sync: <see cref="SyncOptions"/> (validated at start), the change feed, the reconciler and the webhook
    /// verifier. The host supplies <see cref="ILedgerLocalView"/> and schedules the poll.
    /// </summary>
    public static IServiceCollection AddLedgerSync(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>());
        services.TryAddSingleton<MondayChangeFeed>();
        services.TryAddSingleton<LedgerSync>();
        services.TryAddSingleton<MondayWebhookVerifier>();
        return services;
    }
}
