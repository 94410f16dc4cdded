using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Voice.Dave;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Voice;

/// <summary>
/// Voice: /voice, the per-guild voice connections and the default utterance sink. The options are always bound and
/// validated; the command, the gateway handlers and the connections exist only with <c>Voice:Enabled</c>.
/// </summary>
public static class VoiceComposition
{
    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetSection(VoiceOptions.SectionName).GetValue<bool>(nameof(VoiceOptions.Enabled));

    public static IServiceCollection AddLedgerBotVoice(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<VoiceOptions>().Bind(configuration.GetSection(VoiceOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VoiceOptions>, VoiceOptionsValidator>());

        // The speech pipeline replaces this with its recognizer (AddSingleton/Replace); until then utterances are logged and counted.
        services.TryAddSingleton<IUtteranceSink, LoggingUtteranceSink>();
        if (!IsEnabled(configuration))
        {
            return services;
        }

        services.TryAddSingleton<IDaveMlsSessionFactory, MlsDaveSessionFactory>();
        services.TryAddSingleton<VoiceGuildDirectory>();
        services.TryAddSingleton<VoiceChannelManager>();
        services.TryAddSingleton<VoiceModule>();
        services.AddSingleton<IGatewayEventHandler<GuildCreated>>(sp => sp.GetRequiredService<VoiceGuildDirectory>());
        services.AddSingleton<IGatewayEventHandler<VoiceStateUpdated>>(sp => sp.GetRequiredService<VoiceGuildDirectory>());
        services.AddSingleton<IGatewayEventHandler<Ready>>(sp => sp.GetRequiredService<VoiceChannelManager>());
        services.AddSingleton<IGatewayEventHandler<VoiceStateUpdated>>(sp => sp.GetRequiredService<VoiceChannelManager>());
        services.AddSingleton<IGatewayEventHandler<VoiceServerUpdated>>(sp => sp.GetRequiredService<VoiceChannelManager>());
        return services;
    }
}
