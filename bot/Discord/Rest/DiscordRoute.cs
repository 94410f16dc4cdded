using System.Text;

namespace DiscordLedgerBot.Discord.Rest;

/// <summary>
/// A request resolved against its template: the concrete relative path and the keys the rate limiter needs.
/// Discord shares a limit between requests with the same <c>X-RateLimit-Bucket</c> AND the same top-level resource
/// (channel, guild, webhook+token), so the major parameter is part of every key.
/// </summary>
internal sealed record DiscordRoute(string RelativeUri, string RouteKey, string MajorParameter, bool CountsTowardsGlobalLimit)
{
    private static readonly string[] MajorParameterNames = ["channel_id", "guild_id", "webhook_id", "interaction_id"];

    /// <summary>Requests with the same key are sent one at a time, in call order.</summary>
    public string QueueKey => $"{RouteKey}|{MajorParameter}";

    public static DiscordRoute Resolve(DiscordRestRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var template = request.RouteTemplate;
        if (string.IsNullOrWhiteSpace(template) || template[0] != '/')
        {
            throw new ArgumentException($"RouteTemplate must start with '/', got '{template}'.", nameof(request));
        }

        var path = new StringBuilder(template.Length + 32);
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            if (open < 0)
            {
                path.Append(template, position, template.Length - position);
                break;
            }

            var close = template.IndexOf('}', open);
            if (close < 0)
            {
                throw new ArgumentException($"RouteTemplate '{template}' has an unclosed placeholder.", nameof(request));
            }

            path.Append(template, position, open - position);
            var name = template[(open + 1)..close];
            if (!request.RouteValues.TryGetValue(name, out var value) || string.IsNullOrEmpty(value))
            {
                throw new ArgumentException($"RouteValues lacks '{name}' required by '{template}'.", nameof(request));
            }

            path.Append(Uri.EscapeDataString(value));
            position = close + 1;
        }

        if (request.Query is { Count: > 0 } query)
        {
            path.Append('?');
            path.AppendJoin('&', query.Select(pair => $"{Uri.EscapeDataString(pair.Key)}={Uri.EscapeDataString(pair.Value)}"));
        }

        return new DiscordRoute(
            path.ToString().TrimStart('/'),
            $"{request.Method.Method} {template}",
            MajorParameterOf(request),
            CountsTowardsGlobalLimit: !template.StartsWith("/interactions/", StringComparison.Ordinal));
    }

    private static string MajorParameterOf(DiscordRestRequest request)
    {
        foreach (var name in MajorParameterNames)
        {
            if (!request.RouteTemplate.Contains('{' + name + '}', StringComparison.Ordinal) || !request.RouteValues.TryGetValue(name, out var value))
            {
                continue;
            }

            // Webhook limits are per webhook id + token (interaction follow-ups all share the application id).
            var tokenName = name == "webhook_id" ? "webhook_token" : name == "interaction_id" ? "interaction_token" : null;
            return tokenName is not null && request.RouteValues.TryGetValue(tokenName, out var token)
                ? $"{name}={value}/{token}"
                : $"{name}={value}";
        }

        return string.Empty;
    }
}
