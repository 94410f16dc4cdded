namespace DiscordLedgerBot.Core.Speech;

/// <summary>Where an utterance was heard: live in a voice channel, or from a voice message posted in a text channel.</summary>
public enum UtteranceOrigin
{
    VoiceChannel,
    VoiceMessage,
}

/// <summary>
/// One speaker's stretch of speech, cut at silence or when the speaker stopped, as 16 kHz mono signed 16-bit PCM —
/// the form every recognizer takes. The voice receiver (or the voice-message reader) produces it; the speech
/// pipeline consumes it. Ids are Discord snowflakes as strings so core stays free of Discord types.
/// </summary>
/// <param name="UtteranceId">Unique per utterance; write intents use it as their idempotency key.</param>
/// <param name="GuildId">The guild the channel belongs to.</param>
/// <param name="ChannelId">The voice channel (or, for a voice message, the text channel) it was heard in.</param>
/// <param name="SpeakerId">The user who spoke.</param>
/// <param name="StartedAt">When the first sample was captured.</param>
/// <param name="EndedAt">When the last sample was captured.</param>
/// <param name="Pcm">16 kHz mono samples.</param>
public sealed record SpokenUtterance(
    string UtteranceId,
    string GuildId,
    string ChannelId,
    string SpeakerId,
    UtteranceOrigin Origin,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    ReadOnlyMemory<short> Pcm)
{
    public const int SampleRate = 16_000;

    /// <summary>
    /// Addressed to the bot by where it was said (a voice message in a DM, one that mentions or replies to the bot, or
    /// <c>Speech:VoiceMessages:Mode=all</c>): no wake phrase is needed. False for live voice, which the wake phrase or
    /// push-to-talk gates.
    /// </summary>
    public bool Addressed { get; init; }

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Pcm.Length / SampleRate);
}

/// <summary>
/// The seam between hearing and understanding: the voice receiver hands every finished utterance here and moves
/// on. Implementations must return quickly (queue the work) — the receiver calls this on its audio path.
/// </summary>
public interface IUtteranceSink
{
    ValueTask AcceptAsync(SpokenUtterance utterance, CancellationToken cancellationToken);
}
