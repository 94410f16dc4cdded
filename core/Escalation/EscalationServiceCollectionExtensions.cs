using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Escalation;

public static class EscalationServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EscalationEngine"/> with options from the <c>Escalation</c> section (validated at start). A
    /// notifier registered earlier (the bot's Discord one) is kept; otherwise firings are recorded on the board only.
    /// </summary>
    public static IServiceCollection AddLedgerEscalation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EscalationOptions>().Bind(configuration.GetSection(EscalationOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EscalationOptions>, EscalationOptionsValidator>());
        services.TryAddSingleton<IEscalationNotifier, NoEscalationNotifier>();
        services.TryAddSingleton<EscalationEngine>();
        return services;
    }
}
