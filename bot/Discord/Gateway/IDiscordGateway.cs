namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>
/// The main gateway connection: keeps one session alive (heartbeats, resume, re-identify) and turns dispatches into
/// <see cref="IGatewayEvent"/> notifications handled by <see cref="IGatewayEventHandler{TEvent}"/> services.
/// </summary>
public interface IDiscordGateway
{
    GatewayStatus Status { get; }

    /// <summary>The current session once READY arrived; null before and after a session is invalidated.</summary>
    GatewaySession? Session { get; }

    /// <summary>
    /// Connects and stays connected until <paramref name="cancellationToken"/> fires (closes with 1000: the bot goes offline).
    /// </summary>
    /// <exception cref="GatewayFatalException">Discord refused us for good (bad token, disallowed intents, invalid shard...).</exception>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Sends op 4 to join (<paramref name="channelId"/> set) or leave (null) a voice channel.</summary>
    /// <exception cref="InvalidOperationException">No session is ready.</exception>
    Task UpdateVoiceStateAsync(string guildId, string? channelId, bool selfMute, bool selfDeaf, CancellationToken cancellationToken);
}

public enum GatewayStatus
{
    Disconnected,
    Connecting,
    Identifying,
    Resuming,
    Ready,
    Stopped,
}

/// <summary>What READY told us; <see cref="UserId"/> is the bot's own user (needed to spot our VOICE_STATE_UPDATE).</summary>
public sealed record GatewaySession(string SessionId, string ResumeGatewayUrl, string UserId, string? ApplicationId);

/// <summary>Discord closed the gateway with a code after which reconnecting cannot help; the message says what to fix.</summary>
public sealed class GatewayFatalException : Exception
{
    public GatewayFatalException(int closeCode, string message)
        : base(message) => CloseCode = closeCode;

    public GatewayFatalException()
    {
    }

    public GatewayFatalException(string message)
        : base(message)
    {
    }

    public GatewayFatalException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The WebSocket close code (4004, 4010-4014), or 0 when the failure came from REST (e.g. GET /gateway/bot answered 401).</summary>
    public int CloseCode { get; }
}
