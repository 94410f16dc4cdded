using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// The REST endpoints the bot uses, routed by OpenAPI path template. Every request is recorded with its body, gets
/// rate-limit headers, and is checked for the bot token where Discord requires one.
/// </summary>
internal sealed class EmulatedRest
{
    private const string ApiPrefix = "/api/v10";
    private static readonly TimeSpan InteractionTokenLifetime = TimeSpan.FromMinutes(15);

    private readonly DiscordEmulatorOptions _options;
    private readonly EmulatedRateLimits _rateLimits;
    private readonly Func<string> _nextSnowflake;
    private readonly Func<string> _gatewayUrl;
    private readonly Func<string, long?> _dispatchedAt;
    private readonly object _gate = new();
    private readonly List<Route> _routes;
    private readonly Dictionary<string, JsonArray> _commandsByScope = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<JsonObject>> _messagesByChannel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InteractionState> _interactions = new(StringComparer.Ordinal);

    public EmulatedRest(DiscordEmulatorOptions options, Func<string> nextSnowflake, Func<string> gatewayUrl, Func<string, long?> dispatchedAt)
    {
        _options = options;
        _rateLimits = new EmulatedRateLimits(options);
        _nextSnowflake = nextSnowflake;
        _gatewayUrl = gatewayUrl;
        _dispatchedAt = dispatchedAt;
        _routes =
        [
            new("GET", "/gateway", false, (_, _) => Ok(new JsonObject { ["url"] = _gatewayUrl() })),
            new("GET", "/gateway/bot", true, (_, _) => Ok(GatewayBot())),
            new("PUT", "/applications/{application_id}/commands", true, (r, body) => PutCommands(r, "global", body)),
            new("GET", "/applications/{application_id}/commands", true, (r, _) => GetCommands(r, "global")),
            new("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", true, (r, body) => PutCommands(r, "guild:" + r["guild_id"], body)),
            new("GET", "/applications/{application_id}/guilds/{guild_id}/commands", true, (r, _) => GetCommands(r, "guild:" + r["guild_id"])),
            new("POST", "/interactions/{interaction_id}/{interaction_token}/callback", false, InteractionCallback),
            new("POST", "/webhooks/{webhook_id}/{webhook_token}", false, CreateFollowUp),
            new("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", false, (r, _) => WebhookMessage(r, "@original", null, delete: false)),
            new("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", false, (r, body) => WebhookMessage(r, "@original", body, delete: false)),
            new("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", false, (r, _) => WebhookMessage(r, "@original", null, delete: true)),
            new("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", false, (r, _) => WebhookMessage(r, r["message_id"], null, delete: false)),
            new("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", false, (r, body) => WebhookMessage(r, r["message_id"], body, delete: false)),
            new("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", false, (r, _) => WebhookMessage(r, r["message_id"], null, delete: true)),
            new("POST", "/channels/{channel_id}/messages", true, (r, body) => CreateChannelMessage(r["channel_id"], body)),
            new("GET", "/channels/{channel_id}/messages", true, (r, _) => ListChannelMessages(r["channel_id"])),
            new("GET", "/channels/{channel_id}/messages/{message_id}", true, (r, _) => ChannelMessage(r["channel_id"], r["message_id"], null, delete: false)),
            new("PATCH", "/channels/{channel_id}/messages/{message_id}", true, (r, body) => ChannelMessage(r["channel_id"], r["message_id"], body, delete: false)),
            new("DELETE", "/channels/{channel_id}/messages/{message_id}", true, (r, _) => ChannelMessage(r["channel_id"], r["message_id"], null, delete: true)),
        ];
    }

    public ObservableLog<RecordedRestRequest> Requests { get; } = new();

    public ObservableLog<InteractionResponseRecord> InteractionResponses { get; } = new();

    public EmulatedRateLimits RateLimits => _rateLimits;

    /// <summary>Set by <see cref="DiscordEmulator.RevokeToken"/>: every Bot-authenticated request gets 401.</summary>
    public bool TokenRevoked { get; set; }

    public void RegisterInteraction(string id, string token, string? channelId)
    {
        lock (_gate)
        {
            _interactions[id] = new InteractionState(id, token, channelId);
        }
    }

    public IReadOnlyList<EmulatedMessage> MessagesIn(string channelId)
    {
        lock (_gate)
        {
            return _messagesByChannel.TryGetValue(channelId, out var messages)
                ? [.. messages.Select(message => new EmulatedMessage(message["id"]!.GetValue<string>(), channelId, (JsonObject)message.DeepClone()))]
                : [];
        }
    }

    public IReadOnlyList<JsonObject> Commands(string? guildId)
    {
        lock (_gate)
        {
            return _commandsByScope.TryGetValue(guildId is null ? "global" : "guild:" + guildId, out var commands)
                ? [.. commands.Select(command => (JsonObject)command!.DeepClone())]
                : [];
        }
    }

    public async Task HandleAsync(HttpContext context)
    {
        var received = _options.TimeProvider.GetTimestamp();
        var method = context.Request.Method;
        var fullPath = context.Request.Path.Value ?? string.Empty;
        var path = fullPath.StartsWith(ApiPrefix, StringComparison.Ordinal) ? fullPath[ApiPrefix.Length..] : fullPath;
        JsonNode? body = null;
        var bodyInvalid = false;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            }
            catch (JsonException)
            {
                bodyInvalid = true;
            }
        }

        var (route, values) = Match(method, path);
        var authorized = string.Equals(context.Request.Headers.Authorization.ToString(), "Bot " + _options.BotToken, StringComparison.Ordinal) && !TokenRevoked;
        var hadBotAuthorization = context.Request.Headers.Authorization.ToString().StartsWith("Bot ", StringComparison.Ordinal);
        IResult result;
        if (route is null)
        {
            result = Error(404, 0, "404: Not Found");
        }
        else if (route.RequiresBotToken && !authorized)
        {
            result = Error(401, 0, "401: Unauthorized");
        }
        else if (_rateLimits.Apply(context, method, route.Template, MajorOf(values)) is { } limited)
        {
            result = limited;
        }
        else if (bodyInvalid || (body is not null && !(context.Request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            result = Error(400, 50035, "Invalid Form Body");
        }
        else
        {
            lock (_gate)
            {
                result = route.Handle(values, body);
            }
        }

        // Recorded before answering, so a test that saw the bot's call complete always finds it here.
        Requests.Add(new RecordedRestRequest(
            method,
            path,
            route?.Template,
            context.Request.QueryString.Value ?? string.Empty,
            body,
            context.Request.ContentType,
            context.Request.Headers.UserAgent.ToString(),
            hadBotAuthorization,
            (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK,
            received));
        await result.ExecuteAsync(context);
    }

    private static string MajorOf(Dictionary<string, string> values) =>
        values.TryGetValue("channel_id", out var channel) ? "channel:" + channel
        : values.TryGetValue("guild_id", out var guild) ? "guild:" + guild
        : values.TryGetValue("webhook_id", out var webhook) ? "webhook:" + webhook + "/" + values.GetValueOrDefault("webhook_token")
        : values.TryGetValue("interaction_id", out var interaction) ? "interaction:" + interaction
        : string.Empty;

    private static IResult Ok(JsonNode body) => Results.Text(body.ToJsonString(), "application/json", statusCode: 200);

    private static IResult Error(int status, int code, string message) =>
        Results.Text(new JsonObject { ["code"] = code, ["message"] = message }.ToJsonString(), "application/json", statusCode: status);

    private (Route? Route, Dictionary<string, string> Values) Match(string method, string path)
    {
        var segments = path.Trim('/').Split('/');
        foreach (var route in _routes.Where(route => route.Method == method))
        {
            if (route.Segments.Length != segments.Length)
            {
                continue;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var matched = true;
            for (var i = 0; i < segments.Length && matched; i++)
            {
                var pattern = route.Segments[i];
                if (pattern.StartsWith('{'))
                {
                    values[pattern[1..^1]] = Uri.UnescapeDataString(segments[i]);
                }
                else
                {
                    matched = pattern == segments[i];
                }
            }

            if (matched)
            {
                return (route, values);
            }
        }

        return (null, []);
    }

    private JsonObject GatewayBot() => new()
    {
        ["url"] = _gatewayUrl(),
        ["shards"] = 1,
        ["session_start_limit"] = new JsonObject { ["total"] = 1000, ["remaining"] = 999, ["reset_after"] = 14_400_000, ["max_concurrency"] = 1 },
    };

    private IResult PutCommands(Dictionary<string, string> route, string scope, JsonNode? body)
    {
        if (route["application_id"] != _options.ApplicationId)
        {
            return Error(403, 50001, "Missing Access");
        }

        if (body is not JsonArray commands)
        {
            return Error(400, 50035, "Invalid Form Body: expected an array of commands");
        }

        _commandsByScope.TryGetValue(scope, out var previous);
        var stored = new JsonArray();
        foreach (var command in commands.OfType<JsonObject>())
        {
            var copy = (JsonObject)command.DeepClone();
            var name = copy["name"]?.GetValue<string>();
            var type = copy["type"]?.GetValue<int>() ?? 1;

            // Overwriting keeps the id of a command with the same name and type, as Discord does.
            var existing = previous?.OfType<JsonObject>().FirstOrDefault(c => c["name"]?.GetValue<string>() == name && (c["type"]?.GetValue<int>() ?? 1) == type);
            copy["id"] = existing?["id"]?.GetValue<string>() ?? _nextSnowflake();
            copy["application_id"] = _options.ApplicationId;
            copy["type"] = type;
            copy["version"] = _nextSnowflake();
            if (scope.StartsWith("guild:", StringComparison.Ordinal))
            {
                copy["guild_id"] = scope["guild:".Length..];
            }

            stored.Add(copy);
        }

        _commandsByScope[scope] = stored;
        return Ok(stored.DeepClone());
    }

    private IResult GetCommands(Dictionary<string, string> route, string scope) =>
        route["application_id"] != _options.ApplicationId
            ? Error(403, 50001, "Missing Access")
            : Ok(_commandsByScope.TryGetValue(scope, out var commands) ? commands.DeepClone() : new JsonArray());

    private IResult InteractionCallback(Dictionary<string, string> route, JsonNode? body)
    {
        if (!_interactions.TryGetValue(route["interaction_id"], out var interaction) || interaction.Token != route["interaction_token"])
        {
            return Error(404, 10062, "Unknown interaction");
        }

        if (interaction.Responded)
        {
            return Error(400, 40060, "Interaction has already been acknowledged.");
        }

        var now = _options.TimeProvider.GetTimestamp();
        var dispatchedAt = _dispatchedAt(interaction.Id) ?? now;
        var latency = _options.TimeProvider.GetElapsedTime(dispatchedAt, now);
        if (latency > _options.InteractionResponseDeadline)
        {
            return Error(404, 10062, "Unknown interaction");
        }

        if (body?["type"]?.GetValue<int>() is not { } type)
        {
            return Error(400, 50035, "Invalid Form Body: type is required");
        }

        interaction.Responded = true;
        var data = body["data"]?.DeepClone();
        if (type is 4 or 5)
        {
            var message = NewMessage(interaction.ChannelId ?? "0", type == 4 ? data as JsonObject : new JsonObject { ["flags"] = (data?["flags"]?.GetValue<int>() ?? 0) | 128 });
            message["interaction_metadata"] = new JsonObject { ["id"] = interaction.Id, ["type"] = 2 };
            message["webhook_id"] = _options.ApplicationId;
            interaction.OriginalMessageId = message["id"]!.GetValue<string>();
            Store(message);
        }

        InteractionResponses.Add(new InteractionResponseRecord(interaction.Id, type, data, dispatchedAt, now, latency));
        return Results.StatusCode(204);
    }

    private IResult CreateFollowUp(Dictionary<string, string> route, JsonNode? body)
    {
        if (FindWebhookInteraction(route) is not { } interaction)
        {
            return Error(401, 50027, "Invalid Webhook Token");
        }

        if (!interaction.Responded)
        {
            return Error(400, 10015, "Unknown Webhook: the interaction has no initial response yet");
        }

        var message = NewMessage(interaction.ChannelId ?? "0", body as JsonObject);
        message["webhook_id"] = _options.ApplicationId;
        Store(message);
        return Ok(message.DeepClone());
    }

    private IResult WebhookMessage(Dictionary<string, string> route, string messageId, JsonNode? body, bool delete)
    {
        if (FindWebhookInteraction(route) is not { } interaction)
        {
            return Error(401, 50027, "Invalid Webhook Token");
        }

        var id = messageId == "@original" ? interaction.OriginalMessageId : messageId;
        return id is null ? Error(404, 10008, "Unknown Message") : ChannelMessage(interaction.ChannelId ?? "0", id, body, delete);
    }

    /// <summary>The interaction whose token this webhook route uses, while the token is valid (15 minutes from dispatch).</summary>
    private InteractionState? FindWebhookInteraction(Dictionary<string, string> route)
    {
        if (route["webhook_id"] != _options.ApplicationId
            || _interactions.Values.FirstOrDefault(interaction => interaction.Token == route["webhook_token"]) is not { } interaction)
        {
            return null;
        }

        var now = _options.TimeProvider.GetTimestamp();
        return _options.TimeProvider.GetElapsedTime(_dispatchedAt(interaction.Id) ?? now, now) <= InteractionTokenLifetime ? interaction : null;
    }

    private IResult CreateChannelMessage(string channelId, JsonNode? body)
    {
        if (body is not JsonObject content || !(content.ContainsKey("content") || content.ContainsKey("embeds") || content.ContainsKey("components") || content.ContainsKey("sticker_ids") || content.ContainsKey("poll")))
        {
            return Error(400, 50006, "Cannot send an empty message");
        }

        var message = NewMessage(channelId, content);
        Store(message);
        return Ok(message.DeepClone());
    }

    private IResult ListChannelMessages(string channelId) =>
        Ok(new JsonArray([.. (_messagesByChannel.TryGetValue(channelId, out var messages) ? messages : []).AsEnumerable().Reverse().Select(message => message.DeepClone())]));

    private IResult ChannelMessage(string channelId, string messageId, JsonNode? body, bool delete)
    {
        if (!_messagesByChannel.TryGetValue(channelId, out var messages) || messages.FirstOrDefault(m => m["id"]!.GetValue<string>() == messageId) is not { } message)
        {
            return Error(404, 10008, "Unknown Message");
        }

        if (delete)
        {
            messages.Remove(message);
            return Results.StatusCode(204);
        }

        if (body is JsonObject patch)
        {
            foreach (var (key, value) in patch)
            {
                message[key] = value?.DeepClone();
            }

            message["edited_timestamp"] = Timestamp();
        }

        return Ok(message.DeepClone());
    }

    private JsonObject NewMessage(string channelId, JsonObject? content)
    {
        var message = content is null ? [] : (JsonObject)content.DeepClone();
        message.Remove("nonce");
        message.Remove("enforce_nonce");
        message["id"] = _nextSnowflake();
        message["channel_id"] = channelId;
        message["type"] = 0;
        message["author"] = new JsonObject { ["id"] = _options.BotUserId, ["username"] = _options.BotUserName, ["bot"] = true };
        message["content"] ??= string.Empty;
        message["embeds"] ??= new JsonArray();
        message["components"] ??= new JsonArray();
        message["timestamp"] = Timestamp();
        message["edited_timestamp"] = null;
        return message;
    }

    private void Store(JsonObject message)
    {
        var channelId = message["channel_id"]!.GetValue<string>();
        if (!_messagesByChannel.TryGetValue(channelId, out var messages))
        {
            _messagesByChannel[channelId] = messages = [];
        }

        messages.Add(message);
    }

    private string Timestamp() => _options.TimeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);

    private sealed class Route(string method, string template, bool requiresBotToken, Func<Dictionary<string, string>, JsonNode?, IResult> handle)
    {
        public string Method { get; } = method;

        public string Template { get; } = template;

        public string[] Segments { get; } = template.Trim('/').Split('/');

        public bool RequiresBotToken { get; } = requiresBotToken;

        public Func<Dictionary<string, string>, JsonNode?, IResult> Handle { get; } = handle;
    }

    private sealed class InteractionState(string id, string token, string? channelId)
    {
        public string Id { get; } = id;

        public string Token { get; } = token;

        public string? ChannelId { get; } = channelId;

        public bool Responded { get; set; }

        public string? OriginalMessageId { get; set; }
    }
}
