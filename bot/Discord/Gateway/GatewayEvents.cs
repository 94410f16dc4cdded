using System.Text.Json;

namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>Dispatch READY: the session to resume later and who we are.</summary>
public sealed record Ready(string SessionId, string ResumeGatewayUrl, string UserId, string? ApplicationId, IReadOnlyList<string> GuildIds) : IGatewayEvent;

/// <summary>Dispatch RESUMED: every missed dispatch has been replayed before this one.</summary>
public sealed record Resumed(long? LastSequence) : IGatewayEvent;

/// <summary>Dispatch GUILD_CREATE (lazy load after READY, or joining a guild). <see cref="Guild"/> is the raw guild object.</summary>
public sealed record GuildCreated(string GuildId, string? Name, JsonElement Guild) : IGatewayEvent;

/// <summary>Dispatch VOICE_STATE_UPDATE. For our own user it carries the voice <see cref="SessionId"/> a voice connection needs.</summary>
public sealed record VoiceStateUpdated(string? GuildId, string? ChannelId, string UserId, string SessionId, JsonElement VoiceState) : IGatewayEvent;

/// <summary>Dispatch VOICE_SERVER_UPDATE. A null <see cref="Endpoint"/> means the voice server is being reallocated.</summary>
public sealed record VoiceServerUpdated(string GuildId, string? Endpoint, string Token) : IGatewayEvent
{
    public override string ToString() => $"VoiceServerUpdated {{ GuildId = {GuildId}, Endpoint = {Endpoint}, Token = <redacted> }}";
}

/// <summary>Any dispatch this client has no type for; <see cref="Sequence"/> is the gateway's <c>s</c>.</summary>
public sealed record UnknownDispatch(string EventName, long Sequence, JsonElement Data) : IGatewayEvent;
