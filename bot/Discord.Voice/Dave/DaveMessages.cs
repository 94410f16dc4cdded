namespace DiscordLedgerBot.Voice.Dave;

/// <summary>Voice gateway opcodes of the DAVE protocol (plus the voice ops the state machine listens to).</summary>
public enum DaveOpcode : byte
{
    SessionDescription = 4,
    ClientsConnect = 11,
    ClientDisconnect = 13,
    PrepareTransition = 21,
    ExecuteTransition = 22,
    ReadyForTransition = 23,
    PrepareEpoch = 24,
    MlsExternalSenderPackage = 25,
    MlsKeyPackage = 26,
    MlsProposals = 27,
    MlsCommitWelcome = 28,
    MlsAnnounceCommitTransition = 29,
    MlsWelcome = 30,
    MlsInvalidCommitWelcome = 31,
}

/// <summary>A message the voice gateway client must send, already encoded.</summary>
public abstract record DaveOutboundMessage(DaveOpcode Opcode);

/// <summary>A complete JSON gateway message (<c>{"op":..,"d":{..}}</c>) to send as a text frame.</summary>
public sealed record DaveJsonMessage(DaveOpcode Opcode, string Json) : DaveOutboundMessage(Opcode);

/// <summary>A complete client binary message (<c>u8 opcode | payload</c>) to send as a binary frame.</summary>
public sealed record DaveBinaryMessage(DaveOpcode Opcode, byte[] Bytes) : DaveOutboundMessage(Opcode);

/// <summary>Something the session did or refused, for logs, metrics and the UI. Never carries secrets.</summary>
public abstract record DaveSessionEvent;

/// <summary>A new MLS epoch's ratchets are installed for receiving; sending switches when the transition executes.</summary>
public sealed record DaveEpochPrepared(ulong Epoch, int TransitionId, string VoicePrivacyCode, IReadOnlyList<ulong> Members) : DaveSessionEvent;

/// <summary>Senders switched to the prepared epoch or protocol version.</summary>
public sealed record DaveTransitionExecuted(int TransitionId, int ProtocolVersion) : DaveSessionEvent;

/// <summary>The local MLS state was discarded and a fresh KeyPackage sent.</summary>
public sealed record DaveMlsReset(string Reason) : DaveSessionEvent;

/// <summary>An announced commit or a welcome could not be processed; op 31 was sent and the state reset.</summary>
public sealed record DaveCommitOrWelcomeRejected(DaveOpcode Opcode, int TransitionId, string Reason) : DaveSessionEvent;

/// <summary>An input was malformed or not applicable in the current state and changed nothing.</summary>
public sealed record DaveInputIgnored(int Opcode, string Reason) : DaveSessionEvent;

/// <summary>What one input produced: messages to send (in order) and events.</summary>
public sealed record DaveStep(IReadOnlyList<DaveOutboundMessage> Outbound, IReadOnlyList<DaveSessionEvent> Events)
{
    public static DaveStep Empty { get; } = new([], []);

    /// <summary>The u16 sequence number of a server binary message, for the next heartbeat's seq_ack.</summary>
    public int? Sequence { get; init; }
}
