using System.Text.Json;

namespace DiscordLedgerBot.Discord.Rest;

/// <summary>
/// The narrow seam to Discord's HTTP API. Implementations own authentication, the User-Agent, per-route and global
/// rate limits, retries and timeouts; callers only say which route and what body.
/// </summary>
public interface IDiscordRest
{
    /// <summary>Sends one request and returns the parsed JSON body (null for 204 No Content).</summary>
    /// <exception cref="DiscordRestException">Discord answered with a non-success status after retries.</exception>
    Task<JsonElement?> SendAsync(DiscordRestRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// One REST call. <paramref name="RouteTemplate"/> uses Discord's placeholders (e.g. <c>/channels/{channel_id}/messages</c>)
/// so the client can derive the rate-limit bucket from the major parameter; <paramref name="RouteValues"/> fills them.
/// </summary>
/// <param name="Body">Serialized with System.Text.Json as-is (pass a JsonNode, a record with JsonPropertyName attributes, or null).</param>
/// <param name="Authenticated">False for interaction callbacks and webhook-token routes, which carry their own token.</param>
/// <param name="AuditLogReason">Sent as X-Audit-Log-Reason when set.</param>
public sealed record DiscordRestRequest(
    HttpMethod Method,
    string RouteTemplate,
    IReadOnlyDictionary<string, string> RouteValues,
    object? Body = null,
    bool Authenticated = true,
    IReadOnlyDictionary<string, string>? Query = null,
    string? AuditLogReason = null)
{
    /// <summary>
    /// Marks a POST as safe to repeat after a 5xx or a transport failure (e.g. a bulk overwrite or a message carrying
    /// <c>nonce</c> + <c>enforce_nonce</c>). Other methods are always treated as safe; 429s are always repeated.
    /// </summary>
    public bool RetrySafe { get; init; }
}

/// <summary>Discord rejected a request; carries its JSON error code and message.</summary>
public sealed class DiscordRestException(int statusCode, int? errorCode, string message, string? responseBody)
    : Exception($"Discord answered {statusCode}{(errorCode is { } code ? $" (code {code})" : string.Empty)}: {message}")
{
    public int StatusCode { get; } = statusCode;

    public int? ErrorCode { get; } = errorCode;

    public string? ResponseBody { get; } = responseBody;
}
