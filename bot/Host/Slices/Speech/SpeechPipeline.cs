using System.Text.Json;
using System.Threading.Channels;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Core.Speech.Recognition;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Slices.Ledger;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Speech;

/// <summary>
/// The real <see cref="IUtteranceSink"/>: queues each utterance (the voice receiver must not wait) and, on its own
/// workers, recognises it, answers a pending prompt's spoken yes/no, applies the wake-phrase / push-to-talk gate, parses
/// the request and posts the answer, confirmation prompt or question in the channel's text chat. Audio is dropped as
/// soon as it is recognised; a recognition failure is said in the channel, never dropped silently.
/// </summary>
public sealed partial class SpeechPipeline(
    ISpeechRecognizer recognizer,
    SpeechVocabularySource vocabulary,
    SpeechActions actions,
    SpeechRequests requests,
    IDiscordRest rest,
    IOptionsMonitor<SpeechOptions> options,
    ILogger<SpeechPipeline> logger) : BackgroundService, IUtteranceSink
{
    private readonly Channel<SpokenUtterance> _queue = Channel.CreateBounded<SpokenUtterance>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });

    public ValueTask AcceptAsync(SpokenUtterance utterance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(utterance);
        if (options.CurrentValue.Enabled && !_queue.Writer.TryWrite(utterance))
        {
            LogDropped(logger, utterance.UtteranceId);
        }

        return ValueTask.CompletedTask;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.CurrentValue.PocketSphinx.MaxDecoders)).Select(_ => WorkAsync(stoppingToken)));

    private Task WorkAsync(CancellationToken stoppingToken) =>
        SpeechWork.DrainAsync(_queue.Reader, ProcessAsync, (exception, utterance) => LogFailed(logger, exception, utterance.UtteranceId), stoppingToken);

    /// <summary>One utterance, start to finish (also what the CLI and benches drive directly).</summary>
    public async Task ProcessAsync(SpokenUtterance utterance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(utterance);
        var settings = options.CurrentValue;
        requests.Sweep();
        var silent = new SpeechOrigin(utterance.UtteranceId, utterance.GuildId, utterance.ChannelId, utterance.SpeakerId, utterance.Origin, "…");
        if (utterance.Duration > settings.MaxUtterance)
        {
            if (utterance.Origin == UtteranceOrigin.VoiceMessage)
            {
                await ReplyAsync(utterance, SpeechActions.Say(silent, $"That voice message is longer than {(int)settings.MaxUtterance.TotalSeconds} s; say one short request per message. Nothing was changed."), cancellationToken);
            }

            return;
        }

        var words = vocabulary.Current();
        SpeechTranscript transcript;
        try
        {
            transcript = await recognizer.TranscribeAsync(utterance.Pcm, words, cancellationToken);
        }
        catch (SpeechRecognitionException failed)
        {
            LogRecognitionFailed(logger, failed, utterance.UtteranceId, recognizer.Name);
            await ReplyAsync(utterance, SpeechActions.Say(silent, $"I could not recognise that ({recognizer.Name} engine): {failed.Message} Nothing was changed."), cancellationToken);
            return;
        }

        var parsed = new IntentParser(words).Parse(transcript.Text, actions.Today, settings.WakePhrase);
        var origin = SpeechOrigin.Of(utterance, transcript.Text);
        if (settings.Audit)
        {
            LogAudit(logger, utterance.UtteranceId, utterance.ChannelId, utterance.SpeakerId, transcript.Text);
        }

        // A voice message cannot answer a prompt: it is settled by its buttons only (a recording may be old news).
        if (utterance.Origin == UtteranceOrigin.VoiceChannel && parsed.Intent is { IsAnswer: true } answer && requests.TakeLatestWrite(utterance.ChannelId, utterance.SpeakerId) is { } pending)
        {
            var outcome = answer.Kind == SpeechIntentKind.Confirm ? await actions.ExecuteAsync(pending, cancellationToken) : "Cancelled; nothing was changed.";
            await SettlePromptAsync(pending, outcome, cancellationToken);
            return;
        }

        var gated = utterance.Addressed
            || string.IsNullOrWhiteSpace(settings.WakePhrase)
            || parsed.WakeHeard
            || requests.IsListening(utterance.ChannelId, utterance.SpeakerId);
        if (!gated)
        {
            // Talk among people in the channel, not addressed to the bot.
            return;
        }

        if (parsed.Intent is { IsAnswer: true } && utterance.Origin == UtteranceOrigin.VoiceMessage)
        {
            await ReplyAsync(utterance, SpeechActions.Say(origin, "A voice message cannot confirm or cancel: press the prompt's Confirm or Cancel button."), cancellationToken);
            return;
        }

        if (parsed.Intent is null or { IsAnswer: true })
        {
            await ReplyAsync(utterance, SpeechActions.Say(origin, "That is not a request I know. Try “what's blocked”, “status of …”, “move … to blocked waiting on …”, “assign it to …” or “create task …”."), cancellationToken);
            return;
        }

        var reply = actions.Respond(origin, parsed.Intent);
        var posted = await ReplyAsync(utterance, reply.Message, cancellationToken);
        if (reply.Prompt is { } prompt)
        {
            // A spoken yes settles this message: it loses its buttons and says how it ended.
            prompt.PromptChannelId = utterance.ChannelId;
            prompt.PromptMessageId = posted;
        }
    }

    /// <summary>A prompt answered by voice: its buttons go, and it says how it ended.</summary>
    private async Task SettlePromptAsync(PendingWrite write, string outcome, CancellationToken cancellationToken)
    {
        var text = $"<@{write.Origin.SpeakerId}> heard: “{write.Origin.Transcript}”\n{outcome}";
        var message = new MessageBuilder().WithContent(text).WithAllowedMentions(AllowedMentions.None).Build() with { Components = [] };
        if (write.PromptChannelId is { } channel && write.PromptMessageId is { } id)
        {
            await rest.SendAsync(new DiscordRestRequest(HttpMethod.Patch, CardResponder.ChannelMessageRoute, new Dictionary<string, string> { ["channel_id"] = channel, ["message_id"] = id }, message), cancellationToken);
        }
        else
        {
            await PostAsync(write.Origin.ChannelId, message, cancellationToken);
        }
    }

    /// <summary>In the utterance's channel; a voice message is answered as a reply to it, so the answer sits under the recording.</summary>
    private Task<string?> ReplyAsync(SpokenUtterance utterance, MessagePayload message, CancellationToken cancellationToken) =>
        PostAsync(utterance.ChannelId, utterance.Origin == UtteranceOrigin.VoiceMessage ? message with { MessageReference = new MessageReferencePayload(utterance.UtteranceId) } : message, cancellationToken);

    private async Task<string?> PostAsync(string channelId, MessagePayload message, CancellationToken cancellationToken)
    {
        var posted = await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, CardResponder.ChannelMessagesRoute, new Dictionary<string, string> { ["channel_id"] = channelId }, message), cancellationToken);
        return posted is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("id", out var id) ? id.GetString() : null;
    }

    [LoggerMessage(EventId = 8801, Level = LogLevel.Warning, Message = "Speech queue full: utterance {UtteranceId} replaced an older one")]
    private static partial void LogDropped(ILogger logger, string utteranceId);

    [LoggerMessage(EventId = 8802, Level = LogLevel.Error, Message = "Spoken request {UtteranceId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string utteranceId);

    [LoggerMessage(EventId = 8803, Level = LogLevel.Warning, Message = "Utterance {UtteranceId}: the {Engine} engine could not recognise it")]
    private static partial void LogRecognitionFailed(ILogger logger, Exception exception, string utteranceId, string engine);

    [LoggerMessage(EventId = 8804, Level = LogLevel.Information, Message = "Speech audit: utterance {UtteranceId} in {ChannelId} by {SpeakerId}: {Transcript}")]
    private static partial void LogAudit(ILogger logger, string utteranceId, string channelId, string speakerId, string transcript);
}
