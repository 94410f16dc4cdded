using System.Globalization;
using System.Text;
using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Slices.Speech;
using DiscordLedgerBot.Voice.Connection;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Voice;

/// <summary>
/// /voice join [channel] | leave | status. Join takes the named voice channel or the caller's own; the caller must be
/// allowed to connect there (Discord resolves the caller's permissions in a named channel) and the bot too (computed
/// from the guild's roles and overwrites). The bot only listens: it joins self-muted and never sends audio.
/// /voice listen [off] is push-to-talk for spoken requests: the caller's speech in the bot's channel is understood without
/// the wake phrase for <c>Speech:ListenWindow</c>.
/// </summary>
public sealed class VoiceModule(VoiceChannelManager voice, VoiceGuildDirectory directory, SpeechRequests speech, IOptionsMonitor<SpeechOptions> speechOptions)
{
    private static readonly IReadOnlyList<ChannelType> VoiceChannelTypes = [ChannelType.GuildVoice, ChannelType.GuildStageVoice];

    public static ApplicationCommand Declaration() => ApplicationCommandBuilder.ChatInput("voice", "Let the bot listen in a voice channel")
        .InContexts(InteractionContextType.Guild)
        .AddSubcommand("join", "The bot joins your voice channel, or the one you name, and listens", o => o
            .AddChannel("channel", "The voice channel (default: the one you are in)", channelTypes: VoiceChannelTypes))
        .AddSubcommand("leave", "The bot leaves the voice channel")
        .AddSubcommand("status", "Where the bot listens, the encryption and the voice privacy code")
        .AddSubcommand("listen", "Push-to-talk: your next requests need no wake phrase", o => o
            .AddBoolean("off", "Stop: the wake phrase is needed again"))
        .Build();

    public void Map(InteractionRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        var options = new InteractionRouteOptions(DeferEphemeral: true);
        router.MapCommand("voice join", JoinAsync, options)
            .MapCommand("voice leave", LeaveAsync, options)
            .MapCommand("voice status", (c, _) => Task.FromResult(Status(c)), options)
            .MapCommand("voice listen", (c, _) => Task.FromResult(Listen(c)), options);
    }

    private async Task<InteractionResponse> JoinAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        var guildId = interaction.GuildId ?? throw new InteractionInputException("Use /voice in a server.");
        var callerId = interaction.User?.Id ?? throw new InteractionInputException("Discord did not say who you are.");
        ulong channelId;
        if (interaction.Command!.GetChannel("channel") is { } named)
        {
            if (named.Type is not (ChannelType.GuildVoice or ChannelType.GuildStageVoice))
            {
                throw new InteractionInputException($"#{named.Name} is not a voice channel.");
            }

            if (named.Permissions is { } callerPermissions && !callerPermissions.Allows(DiscordPermissions.ViewChannel | DiscordPermissions.Connect))
            {
                throw new InteractionInputException($"You may not connect to {Mention(named.Id)}, so the bot will not listen there for you.");
            }

            channelId = named.Id;
        }
        else
        {
            channelId = directory.VoiceChannelOf(guildId, callerId)
                ?? throw new InteractionInputException("Join a voice channel first, or name one: /voice join channel:…");
        }

        if (directory.BotPermissionsIn(guildId, channelId) is { } botPermissions && !botPermissions.Allows(DiscordPermissions.ViewChannel | DiscordPermissions.Connect))
        {
            throw new InteractionInputException($"The bot lacks {botPermissions.Missing(DiscordPermissions.ViewChannel | DiscordPermissions.Connect)} in {Mention(channelId)}; give its role Connect there.");
        }

        await voice.JoinAsync(guildId, channelId, cancellationToken);
        return InteractionResponse.Text($"Joining {Mention(channelId)}: the bot listens (muted, it never speaks). /voice status shows the encryption and the voice privacy code.", ephemeral: true);
    }

    private async Task<InteractionResponse> LeaveAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var guildId = context.Interaction.GuildId ?? throw new InteractionInputException("Use /voice in a server.");
        var wasIn = await voice.LeaveAsync(guildId, cancellationToken);
        return InteractionResponse.Text(wasIn ? "Left the voice channel." : "The bot was not in a voice channel; nothing changed.", ephemeral: true);
    }

    private InteractionResponse Listen(InteractionContext context)
    {
        var interaction = context.Interaction;
        var guildId = interaction.GuildId ?? throw new InteractionInputException("Use /voice in a server.");
        var callerId = interaction.User?.Id ?? throw new InteractionInputException("Discord did not say who you are.");
        var channelId = voice.Status(guildId).RequestedChannelId
            ?? throw new InteractionInputException("The bot is not in a voice channel: /voice join first.");
        var channel = channelId.ToString(CultureInfo.InvariantCulture);
        var caller = callerId.ToString(CultureInfo.InvariantCulture);
        if (interaction.Command!.GetBoolean("off") == true)
        {
            speech.StopListening(channel, caller);
            return InteractionResponse.Text($"Push-to-talk off: say \"{speechOptions.CurrentValue.WakePhrase}\" before a request in {Mention(channelId)}.", ephemeral: true);
        }

        var until = speech.Listen(channel, caller);
        return InteractionResponse.Text($"Listening to you in {Mention(channelId)} without the wake phrase until <t:{until.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}:t>. /voice listen off stops it.", ephemeral: true);
    }

    private InteractionResponse Status(InteractionContext context)
    {
        var guildId = context.Interaction.GuildId ?? throw new InteractionInputException("Use /voice in a server.");
        var status = voice.Status(guildId);
        if (status.RequestedChannelId is not { } channel)
        {
            return InteractionResponse.Text("The bot is not in a voice channel." + (status.LastEnd is { } last ? $" Last session ended: {last}." : string.Empty), ephemeral: true);
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Voice channel {Mention(channel)}: ");
        if (status.Connection is not { } connection)
        {
            text.Append("connecting…");
        }
        else
        {
            text.Append(connection.State.ToString().ToLowerInvariant())
                .Append(CultureInfo.InvariantCulture, $", transport {connection.Mode ?? "pending"}")
                .Append(connection.DaveProtocolVersion > 0
                    ? $", end-to-end encrypted (DAVE v{connection.DaveProtocolVersion}, epoch {connection.Epoch?.ToString(CultureInfo.InvariantCulture) ?? "pending"})"
                    : ", not end-to-end encrypted (transport only)")
                .Append(CultureInfo.InvariantCulture, $", {connection.Members.Count} other member(s), {connection.Counters.Utterances} utterance(s) heard");
            if (connection.VoicePrivacyCode is { } code)
            {
                text.AppendLine().Append("Voice privacy code: `").Append(PrivacyCodeGroups(code)).Append('`');
            }
        }

        if (status.LastEnd is { } ended)
        {
            text.AppendLine().Append("Last session ended: ").Append(ended);
        }

        return InteractionResponse.Text(text.ToString(), ephemeral: true);
    }

    /// <summary>The 30 digits in 6 groups of 5, as Discord's clients show them.</summary>
    public static string PrivacyCodeGroups(string code) =>
        string.Join(' ', Enumerable.Range(0, code.Length / 5).Select(i => code.Substring(i * 5, 5)));

    private static string Mention(ulong channelId) => $"<#{channelId.ToString(CultureInfo.InvariantCulture)}>";
}
