namespace DiscordLedgerBot.Voice.Dave;

/// <summary>Who the local member is and which call it is in.</summary>
public sealed record DaveSessionOptions(ulong SelfUserId, ulong ChannelId)
{
    /// <summary>The highest DAVE protocol version this client implements (advertise it as max_dave_protocol_version).</summary>
    public const int MaxSupportedProtocolVersion = 1;

    /// <summary>How long receivers keep the previous epoch's keys, and accept non-protocol frames after an upgrade.</summary>
    public TimeSpan TransitionGrace { get; init; } = TimeSpan.FromSeconds(10);
}
