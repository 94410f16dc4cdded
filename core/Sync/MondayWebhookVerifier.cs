using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Sync;

/// <summary>What the webhook route makes of one delivery.</summary>
public abstract record WebhookVerdict
{
    private WebhookVerdict()
    {
    }

    /// <summary>Bad path token or bad JWT: 401, nothing read, nothing changed.</summary>
    public sealed record Unauthorized(string Reason) : WebhookVerdict;

    /// <summary>Not a monday delivery we understand: 400, nothing changed.</summary>
    public sealed record Malformed(string Reason) : WebhookVerdict;

    /// <summary>monday's handshake on <c>create_webhook</c>: echo the challenge.</summary>
    public sealed record Challenge(string Value) : WebhookVerdict;

    /// <summary>An event about <paramref name="ItemId"/>; <paramref name="TriggerUuid"/> is the dedupe key.</summary>
    public sealed record ItemEvent(string ItemId, string TriggerUuid, string Type) : WebhookVerdict;

    /// <summary>An event without an item (a column created …): acknowledged, nothing to re-read.</summary>
    public sealed record Ignored(string Type) : WebhookVerdict;
}

/// <summary>
/// Checks a monday webhook delivery. monday's board webhooks are unsigned, so the secret path token is the gate;
/// when the monday app's Signing Secret is configured every delivery must also carry an HS256 JWT signed with it
/// (verified here with HMAC-SHA256: signature, <c>exp</c>, and <c>aud</c> when present must name this route).
/// The payload is only a hint: the receiver re-reads the item from monday.
/// </summary>
public sealed class MondayWebhookVerifier(IOptions<SyncOptions> options, TimeProvider time)
{
    public const string RoutePrefix = "/webhooks/monday/";

    public WebhookVerdict Verify(string pathToken, string? authorization, string body)
    {
        var settings = options.Value;
        if (settings.WebhookPathToken.Length == 0 || !FixedTimeEquals(pathToken, settings.WebhookPathToken))
        {
            return new WebhookVerdict.Unauthorized("unknown webhook path");
        }

        if (settings.WebhookSigningSecret.Length > 0 && VerifyJwt(authorization, settings.WebhookSigningSecret, RoutePrefix + pathToken) is { } problem)
        {
            return new WebhookVerdict.Unauthorized(problem);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return new WebhookVerdict.Malformed("body is not JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new WebhookVerdict.Malformed("body is not a JSON object");
            }

            if (root.TryGetProperty("challenge", out var challenge) && challenge.ValueKind == JsonValueKind.String)
            {
                return new WebhookVerdict.Challenge(challenge.GetString()!);
            }

            if (!root.TryGetProperty("event", out var @event) || @event.ValueKind != JsonValueKind.Object)
            {
                return new WebhookVerdict.Malformed("body has neither challenge nor event");
            }

            var type = Text(@event, "type") ?? "unknown";
            var trigger = Text(@event, "triggerUuid");
            if (string.IsNullOrEmpty(trigger) || trigger.Length > 64)
            {
                return new WebhookVerdict.Malformed("event.triggerUuid is missing");
            }

            var item = Text(@event, "pulseId") ?? Text(@event, "itemId");
            if (item is null)
            {
                return new WebhookVerdict.Ignored(type);
            }

            return item.Length is > 0 and <= 20 && item.All(char.IsAsciiDigit)
                ? new WebhookVerdict.ItemEvent(item, trigger, type)
                : new WebhookVerdict.Malformed("event.pulseId is not an item id");
        }
    }

    private string? VerifyJwt(string? authorization, string secret, string routePath)
    {
        var token = authorization?.Trim() ?? string.Empty;
        if (token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = token[7..].Trim();
        }

        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return "missing or malformed JWT";
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url(parts[0]));
            if (Text(header.RootElement, "alg") != "HS256")
            {
                return "JWT is not HS256";
            }

            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
            if (!CryptographicOperations.FixedTimeEquals(expected, Base64Url(parts[2])))
            {
                return "JWT signature does not match";
            }

            using var payload = JsonDocument.Parse(Base64Url(parts[1]));
            var claims = payload.RootElement;
            if (!claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number
                || DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) <= time.GetUtcNow())
            {
                return "JWT expired or without exp";
            }

            if (Text(claims, "aud") is { } audience && !audience.EndsWith(routePath, StringComparison.Ordinal))
            {
                return "JWT audience is another endpoint";
            }

            return null;
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            return "malformed JWT";
        }
    }

    private static byte[] Base64Url(string segment)
    {
        var padded = segment.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.FromBase64String(padded);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
