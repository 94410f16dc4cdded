using DiscordLedgerBot.Discord;
using DiscordLedgerBot.Discord.Gateway;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Speech.VoiceMessages;

/// <summary>
/// Voice messages in text channels (<c>Speech:VoiceMessages</c>): the MESSAGE_CREATE responder, its CDN client and, while
/// voice messages are on, the gateway intents their mode needs: GUILD_MESSAGES and DIRECT_MESSAGES always, the privileged
/// MESSAGE_CONTENT only for <c>wake</c> and <c>all</c> — a deployment whose developer portal does not allow it would be
/// closed with 4014, so the default mode must not ask for it.
/// </summary>
public static class VoiceMessageComposition
{
    public static IServiceCollection AddLedgerVoiceMessages(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<VoiceMessageOptions>().Bind(configuration.GetSection(VoiceMessageOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VoiceMessageOptions>, VoiceMessageOptionsValidator>());
        services.TryAddSingleton<VoiceMessageDownloader>();
        services.TryAddSingleton<VoiceMessageResponder>();
        services.AddSingleton<IGatewayEventHandler<UnknownDispatch>>(sp => sp.GetRequiredService<VoiceMessageResponder>());
        VoiceMessageDownloader.AddClient(services);

        var mode = configuration.GetValue(VoiceMessageOptions.SectionName + ":" + nameof(VoiceMessageOptions.Mode), VoiceMessageOptions.Addressed)!;
        var intents = VoiceMessageResponder.IntentsFor(mode);
        if (intents != 0)
        {
            services.PostConfigure<DiscordOptions>(discord => discord.GatewayIntents |= intents);
        }

        return services;
    }
}

internal sealed class VoiceMessageOptionsValidator : IValidateOptions<VoiceMessageOptions>
{
    public ValidateOptionsResult Validate(string? name, VoiceMessageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
