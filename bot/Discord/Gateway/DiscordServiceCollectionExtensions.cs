using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord;

public static class DiscordServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DiscordOptions"/> (section <c>Discord</c>, validated at start), <see cref="IDiscordRest"/>
    /// and <see cref="IDiscordGateway"/>. Add <see cref="AddDiscordGatewayHostedService"/> to keep the gateway running,
    /// and register responders as <c>IGatewayEventHandler&lt;TEvent&gt;</c>.
    /// </summary>
    public static IServiceCollection AddDiscordClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DiscordOptions>().Bind(configuration.GetSection(DiscordOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscordOptions>, DiscordOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(DiscordRestClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton<DiscordRestClient>();
        services.TryAddSingleton<IDiscordRest>(provider => provider.GetRequiredService<DiscordRestClient>());
        services.TryAddSingleton<GatewayEventDispatcher>();
        services.TryAddSingleton<DiscordGatewayClient>();
        services.TryAddSingleton<IDiscordGateway>(provider => provider.GetRequiredService<DiscordGatewayClient>());
        return services;
    }

    public static IServiceCollection AddDiscordGatewayHostedService(this IServiceCollection services)
    {
        services.AddHostedService<DiscordGatewayHostedService>();
        return services;
    }
}
