using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Core.Monday;

/// <summary>
/// The narrow seam to monday: sends one GraphQL request and hands back the raw answer. No retries, no parsing;
/// those live in <see cref="MondayClient"/> so a different transport (or a registry package) can replace this.
/// </summary>
public interface IMondayTransport
{
    /// <exception cref="HttpRequestException">The connection failed or was dropped.</exception>
    Task<MondayRawResponse> SendAsync(MondayRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// One GraphQL request. <paramref name="Query"/> is always a constant or built from trusted aliases; every value
/// travels in <paramref name="Variables"/>. <paramref name="IdempotencyKey"/> is required for mutations.
/// </summary>
public sealed record MondayRequest(string Query, JsonObject Variables, string? IdempotencyKey);

/// <summary>Status, body and headers (case-insensitive names; repeated headers joined with ", ").</summary>
public sealed record MondayRawResponse(int StatusCode, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
