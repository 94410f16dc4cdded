namespace DiscordLedgerBot.Voice.Receive;

/// <summary>One speaker's finished stretch of speech as 16 kHz mono PCM, with wall-clock start and end.</summary>
public sealed record HeardUtterance(ulong SpeakerId, uint Ssrc, DateTimeOffset StartedAt, DateTimeOffset EndedAt, short[] Pcm);

/// <summary>What the receiver dropped and why; every bad packet lands in exactly one counter and never throws.</summary>
public sealed record VoiceReceiveCounters(
    long Datagrams,
    long Accepted,
    long NotRtp,
    long TransportRejected,
    long DaveRejected,
    long UnmappedDropped,
    long LateOrDuplicate,
    long Concealed,
    long FecRecovered,
    long Utterances);
