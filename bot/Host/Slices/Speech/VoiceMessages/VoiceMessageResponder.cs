using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Voice.Audio;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Speech.VoiceMessages;

/// <summary>
/// Discord voice messages as spoken requests: MESSAGE_CREATE with the IS_VOICE_MESSAGE flag is queued (the gateway pump
/// must not wait on a download), then on a worker the attachment is fetched from the CDN into memory, decoded from Ogg
/// Opus to 16 kHz mono and handed to the same <see cref="IUtteranceSink"/> as live voice, with the message id as the
/// utterance id. A message that cannot be fetched or read is answered under it; the audio is never stored.
/// </summary>
public sealed partial class VoiceMessageResponder(
    VoiceMessageDownloader downloader,
    IUtteranceSink sink,
    IDiscordGateway gateway,
    IDiscordRest rest,
    IOptionsMonitor<VoiceMessageOptions> options,
    IOptionsMonitor<SpeechOptions> speech,
    TimeProvider time,
    ILogger<VoiceMessageResponder> logger) : BackgroundService, IGatewayEventHandler<UnknownDispatch>
{
    /// <summary>IS_VOICE_MESSAGE: the message is a voice message (one audio/ogg attachment with duration and waveform).</summary>
    public const int VoiceMessageFlag = 1 << 13;

    /// <summary>GUILD_MESSAGES | DIRECT_MESSAGES: MESSAGE_CREATE in guilds and DMs, with attachments in DMs and in messages that mention the bot.</summary>
    public const int MessageIntents = (1 << 9) | (1 << 12);

    /// <summary>MESSAGE_CONTENT (privileged): attachments of guild messages that do not mention the bot.</summary>
    public const int MessageContentIntent = 1 << 15;

    /// <summary>The gateway intents <paramref name="mode"/> needs; an unknown mode fails validation at start.</summary>
    public static int IntentsFor(string mode) => mode switch
    {
        VoiceMessageOptions.Addressed => MessageIntents,
        VoiceMessageOptions.Wake or VoiceMessageOptions.All => MessageIntents | MessageContentIntent,
        _ => 0,
    };

    private const int Workers = 2;

    // Only message metadata waits here, never audio: an unbounded queue holds no more than the gateway delivered.
    private readonly Channel<VoiceMessage> _queue = Channel.CreateUnbounded<VoiceMessage>();

    private sealed record VoiceMessage(string MessageId, string GuildId, string ChannelId, string AuthorId, bool Addressed, Uri? Url, long Size, double? DurationSeconds, DateTimeOffset Sent, bool ContentRequested);

    public Task HandleAsync(UnknownDispatch gatewayEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gatewayEvent);
        if (gatewayEvent.EventName == "MESSAGE_CREATE" && Parse(gatewayEvent.Data) is { } message)
        {
            _queue.Writer.TryWrite(message);
        }

        return Task.CompletedTask;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)));

    private VoiceMessage? Parse(JsonElement data)
    {
        var settings = options.CurrentValue;
        if (!settings.Enabled || !speech.CurrentValue.Enabled || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("flags", out var flags) || !flags.TryGetInt32(out var bits) || (bits & VoiceMessageFlag) == 0
            || Text(data, "id") is not { } id || Text(data, "channel_id") is not { } channel
            || !data.TryGetProperty("author", out var author) || Text(author, "id") is not { } authorId)
        {
            return null;
        }

        var self = gateway.Session?.UserId;
        if (authorId == self || (author.TryGetProperty("bot", out var bot) && bot.ValueKind == JsonValueKind.True)
            || (settings.Channels.Count > 0 && !settings.Channels.Contains(channel)))
        {
            return null;
        }

        var guild = Text(data, "guild_id");
        var mentioned = guild is null
            || (data.TryGetProperty("mentions", out var mentions) && mentions.ValueKind == JsonValueKind.Array
                && mentions.EnumerateArray().Any(user => Text(user, "id") == self));
        var repliedToBot = data.TryGetProperty("referenced_message", out var referenced) && referenced.ValueKind == JsonValueKind.Object
            && referenced.TryGetProperty("author", out var referencedAuthor) && Text(referencedAuthor, "id") == self;
        if (settings.Mode == VoiceMessageOptions.Addressed && !mentioned && !repliedToBot)
        {
            // Not for the bot, and without MESSAGE_CONTENT Discord sent it without its audio anyway.
            return null;
        }

        var addressed = settings.Mode == VoiceMessageOptions.All || mentioned || repliedToBot;
        var sent = Text(data, "timestamp") is { } stamp && DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : time.GetUtcNow();
        if (!data.TryGetProperty("attachments", out var attachments) || attachments.ValueKind != JsonValueKind.Array || attachments.GetArrayLength() == 0)
        {
            // Discord strips attachments from guild messages that do not mention the bot unless MESSAGE_CONTENT is granted.
            LogNoAttachment(logger, id, channel);
            return new VoiceMessage(id, guild ?? string.Empty, channel, authorId, addressed, null, 0, null, sent, settings.NeedsMessageContent);
        }

        var attachment = attachments[0];
        var url = Text(attachment, "url") is { } text && Uri.TryCreate(text, UriKind.Absolute, out var parsed) ? parsed : null;
        var size = attachment.TryGetProperty("size", out var sizeValue) && sizeValue.TryGetInt64(out var bytes) ? bytes : 0;
        var duration = attachment.TryGetProperty("duration_secs", out var durationValue) && durationValue.TryGetDouble(out var seconds) ? seconds : (double?)null;
        return new VoiceMessage(id, guild ?? string.Empty, channel, authorId, addressed, url, size, duration, sent, settings.NeedsMessageContent);
    }

    private Task WorkAsync(CancellationToken stoppingToken) =>
        SpeechWork.DrainAsync(_queue.Reader, ProcessAsync, (exception, message) => LogFailed(logger, exception, message.MessageId), stoppingToken);

    private async Task ProcessAsync(VoiceMessage message, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var limit = speech.CurrentValue.MaxUtterance;
        short[] pcm;
        try
        {
            if (message.Url is not { } url)
            {
                throw new VoiceMessageException(message.ContentRequested
                    ? "Discord delivered it without its audio: the bot needs the Message Content intent (developer portal > Bot > Privileged Gateway Intents)."
                    : "Discord delivered it without its audio because it does not mention me: reply with the @mention on, or send it as a DM.");
            }

            if (message.DurationSeconds > limit.TotalSeconds)
            {
                throw new VoiceMessageException($"It is {message.DurationSeconds:0} s long; say one short request (at most {limit.TotalSeconds:0} s) per message.");
            }

            if (message.Size > settings.MaxBytes)
            {
                throw new VoiceMessageException($"It is {message.Size / 1024} KiB; at most {settings.MaxBytes / 1024} KiB is fetched (Speech:VoiceMessages:MaxBytes).");
            }

            var file = await downloader.DownloadAsync(url, cancellationToken);
            try
            {
                pcm = OggOpusDecoder.DecodeToSpeechRate(file, limit);
            }
            catch (OggOpusFormatException unreadable)
            {
                throw new VoiceMessageException($"It is not a readable Ogg Opus recording: {unreadable.Message}", unreadable);
            }
        }
        catch (VoiceMessageException failed)
        {
            LogUnusable(logger, message.MessageId, message.ChannelId, failed.Message);
            await ReplyAsync(message, $"I could not use that voice message. {failed.Message} Nothing was changed.", cancellationToken);
            return;
        }

        var utterance = new SpokenUtterance(message.MessageId, message.GuildId, message.ChannelId, message.AuthorId, UtteranceOrigin.VoiceMessage, message.Sent, message.Sent + TimeSpan.FromSeconds(pcm.Length / (double)SpokenUtterance.SampleRate), pcm)
        {
            Addressed = message.Addressed,
        };
        await sink.AcceptAsync(utterance, cancellationToken);
    }

    private async Task ReplyAsync(VoiceMessage message, string text, CancellationToken cancellationToken)
    {
        var reply = new MessageBuilder().WithContent($"<@{message.AuthorId}> {text}").WithAllowedMentions(AllowedMentions.None).Build()
            with { MessageReference = new MessageReferencePayload(message.MessageId) };
        await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, CardResponder.ChannelMessagesRoute, new Dictionary<string, string> { ["channel_id"] = message.ChannelId }, reply), cancellationToken);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [LoggerMessage(EventId = 8811, Level = LogLevel.Warning, Message = "Voice message {MessageId} in {ChannelId} arrived without its attachment (Discord withholds it from guild messages that do not mention the bot unless the Message Content intent is granted)")]
    private static partial void LogNoAttachment(ILogger logger, string messageId, string channelId);

    [LoggerMessage(EventId = 8812, Level = LogLevel.Warning, Message = "Voice message {MessageId} in {ChannelId} could not be used: {Reason}")]
    private static partial void LogUnusable(ILogger logger, string messageId, string channelId, string reason);

    [LoggerMessage(EventId = 8813, Level = LogLevel.Error, Message = "Voice message {MessageId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string messageId);
}
