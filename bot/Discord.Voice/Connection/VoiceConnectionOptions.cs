using DiscordLedgerBot.Voice.Receive;

namespace DiscordLedgerBot.Voice.Connection;

/// <summary>Where a voice session lives: what VOICE_STATE_UPDATE (session id) and VOICE_SERVER_UPDATE (endpoint, token) said.</summary>
public sealed record VoiceServerInfo(ulong GuildId, ulong ChannelId, ulong UserId, string SessionId, string Endpoint, string Token)
{
    public override string ToString() => $"VoiceServerInfo {{ GuildId = {GuildId}, ChannelId = {ChannelId}, Endpoint = {Endpoint}, Token = <redacted> }}";
}

public sealed record VoiceConnectionOptions
{
    /// <summary>"wss" on Discord; the emulator's voice server speaks plain "ws".</summary>
    public string Scheme { get; init; } = "wss";

    /// <summary>Advertised as <c>max_dave_protocol_version</c>; 0 makes Discord refuse the call (4017).</summary>
    public int MaxDaveProtocolVersion { get; init; } = 1;

    public TimeSpan IpDiscoveryTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>UDP keepalives keep NAT bindings open while nobody speaks.</summary>
    public TimeSpan UdpKeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Resumes in a row without reaching the server before giving up (then the owner rejoins).</summary>
    public int MaxResumeAttempts { get; init; } = 5;

    public VoiceReceiverOptions Receiver { get; init; } = new();
}

public enum VoiceConnectionState
{
    Connecting,
    Connected,
    Resuming,
    Closed,
}

/// <summary>How a voice connection ended for good: <see cref="Rejoin"/> asks the owner for a fresh session via op 4.</summary>
public sealed record VoiceConnectionEnd(int? CloseCode, string Reason, bool Rejoin);

/// <summary>A snapshot for <c>/voice status</c> and tests.</summary>
public sealed record VoiceConnectionStatus(
    VoiceConnectionState State,
    string? Mode,
    int DaveProtocolVersion,
    ulong? Epoch,
    string? VoicePrivacyCode,
    IReadOnlyList<ulong> Members,
    int Resumes,
    VoiceReceiveCounters Counters);
