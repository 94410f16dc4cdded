namespace DiscordLedgerBot.Voice.Receive;

/// <summary>How the receiver cuts speech into utterances and how long it waits for stragglers.</summary>
public sealed record VoiceReceiverOptions
{
    /// <summary>Silence (no packets, or quiet audio) this long ends an utterance.</summary>
    public TimeSpan SilenceTimeout { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>After the speaker's flag drops (op 5 speaking 0), how long packets still in flight may arrive.</summary>
    public TimeSpan SpeakingEndGrace { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>An utterance is cut here even if the speaker goes on (the next one continues).</summary>
    public TimeSpan MaxUtterance { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Shorter voiced stretches are dropped as noise (a cough, a click).</summary>
    public TimeSpan MinVoiced { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Packets held for reordering before a missing one is declared lost.</summary>
    public int JitterDepth { get; init; } = 5;

    /// <summary>RMS (of 32 767) below which a 20 ms frame counts as silence.</summary>
    public double SilenceRms { get; init; } = 120;
}
