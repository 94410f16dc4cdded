using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// One REST request as received, with the answer: <see cref="ResponseBody"/> is the JSON sent back (null for none). <see cref="PathTemplate"/> is the OpenAPI path (e.g. <c>/channels/{channel_id}/messages</c>,
/// <c>/webhooks/{webhook_id}/{webhook_token}/messages/@original</c>) so bodies can be validated against the spec;
/// <see cref="Path"/> is the concrete path below <c>/api/v10</c>.
/// </summary>
public sealed record RecordedRestRequest(
    string Method,
    string Path,
    string? PathTemplate,
    string Query,
    JsonNode? Body,
    string? ContentType,
    string? UserAgent,
    bool HadBotAuthorization,
    int StatusCode,
    long ReceivedTimestamp,
    JsonNode? ResponseBody);

/// <summary>A frame the bot sent on the gateway.</summary>
public sealed record GatewayClientFrame(int ConnectionId, int Op, JsonNode? Data, long ReceivedTimestamp);

/// <summary>A frame the emulator sent on the gateway; <see cref="Sequence"/> and <see cref="EventName"/> only for dispatches.</summary>
public sealed record GatewayServerFrame(int ConnectionId, int Op, string? EventName, long? Sequence, JsonNode? Data);

/// <summary>A WebSocket connection; <see cref="Path"/> is <c>/gateway</c> for a fresh connect, <c>/gateway-resume</c> for the resume URL.</summary>
public sealed record GatewayConnectionRecord(int ConnectionId, string Path, string Query);

/// <summary>A gateway connection ended; <see cref="CloseCode"/> is the code the client or the emulator sent (null: dropped).</summary>
public sealed record GatewayConnectionClosed(int ConnectionId, int? CloseCode, bool ClosedByClient);

/// <summary>An Identify the gateway received: its shard pair, when (TimeProvider timestamp), and whether a session started.</summary>
public sealed record GatewayIdentifyRecord(int ConnectionId, int ShardId, int ShardCount, long ReceivedTimestamp, bool Accepted);

/// <summary>An interaction the test injected; <see cref="Payload"/> is the <c>d</c> of the INTERACTION_CREATE as sent.</summary>
public sealed record EmulatedInteraction(string Id, string Token, string? ChannelId, JsonObject Payload);

/// <summary>
/// The initial response to an interaction. Timestamps are the emulator's <see cref="TimeProvider"/> timestamps:
/// <see cref="DispatchedTimestamp"/> when INTERACTION_CREATE was written to the bot's socket.
/// </summary>
public sealed record InteractionResponseRecord(string InteractionId, int CallbackType, JsonNode? Data, long DispatchedTimestamp, long RespondedTimestamp, TimeSpan Latency);

/// <summary>A message as stored by the emulator (channel messages and interaction/webhook messages).</summary>
public sealed record EmulatedMessage(string Id, string ChannelId, JsonObject Message);

/// <summary>Which kind of 429 to force.</summary>
public enum EmulatedRateLimitScope
{
    User,
    Shared,
    Global,
}
