using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// The REST endpoints bots use, routed by OpenAPI path template. Every request is recorded with its body and the
/// response body, gets rate-limit headers, and is checked for the bot token where Discord requires one. Route handlers
/// run one at a time under <see cref="Gate"/>; dispatches they cause are sent after the lock is released.
/// </summary>
internal sealed partial class EmulatedRest
{
    private const string ApiPrefix = "/api/v10";
    private static readonly TimeSpan InteractionTokenLifetime = TimeSpan.FromMinutes(15);

    private readonly DiscordEmulatorOptions _options;
    private readonly EmulatedWorld _world;
    private readonly EmulatedGateway _gateway;
    private readonly Func<string> _gatewayUrl;
    private readonly List<Route> _routes;
    private readonly List<(string EventName, JsonNode Data)> _pendingDispatches = [];

    public EmulatedRest(DiscordEmulatorOptions options, EmulatedWorld world, EmulatedGateway gateway, Func<string> gatewayUrl)
    {
        _options = options;
        _world = world;
        _gateway = gateway;
        _gatewayUrl = gatewayUrl;
        RateLimits = new EmulatedRateLimits(options);
        _routes =
        [
            new("GET", "/gateway", false, _ => Reply.Ok(new JsonObject { ["url"] = _gatewayUrl() })),
            new("GET", "/gateway/bot", true, _ => Reply.Ok(GatewayBot())),
            new("GET", "/users/@me", true, _ => Reply.Ok(DiscordObjects.CurrentUser(_world.Bot))),
            new("GET", "/users/@me/guilds", true, _ => Reply.Ok(new JsonArray([.. _world.Guilds.Select(guild => (JsonNode)DiscordObjects.PartialGuild(guild, _world.Bot.Id))]))),
            new("POST", "/users/@me/channels", true, CreateDm),
            new("GET", "/users/{user_id}", true, call => _world.FindUser(call["user_id"]) is { } user ? Reply.Ok(DiscordObjects.User(user)) : DiscordErrors.UnknownUser),
            new("GET", "/guilds/{guild_id}", true, call => WithGuild(call, guild => Reply.Ok(GuildWithCounts(guild)))),
            new("GET", "/guilds/{guild_id}/channels", true, call => WithGuild(call, guild => Reply.Ok(new JsonArray([.. guild.Channels.Select(channel => (JsonNode)DiscordObjects.Channel(guild, channel, _world.FindChannel(channel.Id)?.LastMessageId))])))),
            new("GET", "/guilds/{guild_id}/roles", true, call => WithGuild(call, guild => Reply.Ok(new JsonArray([.. guild.Roles.Select(role => (JsonNode)DiscordObjects.Role(role))])))),
            new("GET", "/guilds/{guild_id}/members/{user_id}", true, call => WithGuild(call, guild => guild.FindMember(call["user_id"]) is { } member ? Reply.Ok(DiscordObjects.Member(guild, member)) : DiscordErrors.UnknownMember)),
            new("GET", "/channels/{channel_id}", true, call => WithChannel(call, 0, channel => Reply.Ok(_world.ChannelJson(channel)))),
            new("PATCH", "/channels/{channel_id}", true, UpdateChannel),
            new("POST", "/channels/{channel_id}/messages", true, CreateChannelMessage),
            new("GET", "/channels/{channel_id}/messages", true, ListChannelMessages),
            new("GET", "/channels/{channel_id}/messages/{message_id}", true, call => WithMessage(call, DiscordPermission.ReadMessageHistory, (_, message) => Reply.Ok(message.ToJson(_world.Bot.Id)))),
            new("PATCH", "/channels/{channel_id}/messages/{message_id}", true, EditChannelMessage),
            new("DELETE", "/channels/{channel_id}/messages/{message_id}", true, DeleteChannelMessage),
            new("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me", true, call => React(call, add: true)),
            new("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me", true, call => React(call, add: false)),
            new("GET", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}", true, ListReactions),
            new("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}", true, call => ClearReactions(call, call["emoji_name"])),
            new("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions", true, call => ClearReactions(call, null)),
            new("POST", "/channels/{channel_id}/messages/{message_id}/threads", true, StartThreadFromMessage),
            new("POST", "/channels/{channel_id}/threads", true, StartThread),
            new("PUT", "/channels/{channel_id}/thread-members/@me", true, call => JoinThread(call, join: true)),
            new("DELETE", "/channels/{channel_id}/thread-members/@me", true, call => JoinThread(call, join: false)),
            .. CommandRoutes("/applications/{application_id}/commands", call => "global"),
            .. CommandRoutes("/applications/{application_id}/guilds/{guild_id}/commands", call => "guild:" + call["guild_id"]),
            new("POST", "/interactions/{interaction_id}/{interaction_token}/callback", false, InteractionCallback),
            new("POST", "/webhooks/{webhook_id}/{webhook_token}", false, CreateFollowUp),
            new("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", false, call => WebhookMessage(call, "@original", WebhookAction.Get)),
            new("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", false, call => WebhookMessage(call, "@original", WebhookAction.Edit)),
            new("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", false, call => WebhookMessage(call, "@original", WebhookAction.Delete)),
            new("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", false, call => WebhookMessage(call, call["message_id"], WebhookAction.Get)),
            new("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", false, call => WebhookMessage(call, call["message_id"], WebhookAction.Edit)),
            new("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", false, call => WebhookMessage(call, call["message_id"], WebhookAction.Delete)),
        ];
    }

    private enum WebhookAction
    {
        Get,
        Edit,
        Delete,
    }

    /// <summary>Serialises route handlers and control calls over the world's state.</summary>
    public Lock Gate { get; } = new();

    public ObservableLog<RecordedRestRequest> Requests { get; } = new();

    public ObservableLog<InteractionResponseRecord> InteractionResponses { get; } = new();

    public EmulatedRateLimits RateLimits { get; }

    /// <summary>Set by <see cref="DiscordEmulator.RevokeToken"/>: every Bot-authenticated request gets 401.</summary>
    public bool TokenRevoked { get; set; }

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
        List<(string EventName, JsonNode Data)> dispatches = [];
        Reply reply;
        if (route is null)
        {
            reply = DiscordErrors.NotFound;
        }
        else if (route.RequiresBotToken && !authorized)
        {
            reply = DiscordErrors.Unauthorized;
        }
        else if (RateLimits.Apply(context, method, route.Template, MajorOf(values)) is { } limited)
        {
            reply = limited;
        }
        else if (bodyInvalid)
        {
            reply = DiscordErrors.Error(400, 50109, "The request body contains invalid JSON.");
        }
        else if (body is not null && !(context.Request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            reply = DiscordErrors.Error(400, 50035, "Invalid Form Body");
        }
        else
        {
            lock (Gate)
            {
                reply = route.Handle(new Call(values, body, context.Request.Query));
                dispatches.AddRange(_pendingDispatches);
                _pendingDispatches.Clear();
            }
        }

        foreach (var (eventName, data) in dispatches)
        {
            await _gateway.DispatchIfIdentifiedAsync(eventName, data, GatewayIntent.Guilds);
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
            reply.Status,
            received,
            reply.Body?.DeepClone()));
        context.Response.StatusCode = reply.Status;
        if (reply.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body.ToJsonString(), context.RequestAborted);
        }
    }

    private static string MajorOf(Dictionary<string, string> values) =>
        values.TryGetValue("channel_id", out var channel) ? "channel:" + channel
        : values.TryGetValue("guild_id", out var guild) ? "guild:" + guild
        : values.TryGetValue("webhook_id", out var webhook) ? "webhook:" + webhook + "/" + values.GetValueOrDefault("webhook_token")
        : values.TryGetValue("interaction_id", out var interaction) ? "interaction:" + interaction
        : string.Empty;

    private (Route? Route, Dictionary<string, string> Values) Match(string method, string path)
    {
        var segments = path.Trim('/').Split('/');

        // Literal segments win over parameters (/users/@me before /users/{user_id}), as in the spec's own matching.
        foreach (var route in _routes.Where(route => route.Method == method && route.Segments.Length == segments.Length).OrderByDescending(route => route.LiteralCount))
        {
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
        ["shards"] = _options.RecommendedShards,
        ["session_start_limit"] = new JsonObject { ["total"] = 1000, ["remaining"] = 999, ["reset_after"] = 14_400_000, ["max_concurrency"] = _options.MaxConcurrency },
    };

    private JsonObject GuildWithCounts(EmulatedGuild guild)
    {
        var json = DiscordObjects.Guild(guild);
        json["approximate_member_count"] = guild.Members.Count;
        json["approximate_presence_count"] = 0;
        return json;
    }

    private Reply WithGuild(Call call, Func<EmulatedGuild, Reply> handle) =>
        _world.FindGuild(call["guild_id"]) is { } guild ? handle(guild) : DiscordErrors.UnknownGuild;

    /// <summary>Runs <paramref name="handle"/> when the channel exists, the bot can see it and has <paramref name="needed"/>.</summary>
    private Reply WithChannel(Call call, ulong needed, Func<ChannelState, Reply> handle)
    {
        if (_world.FindChannel(call["channel_id"]) is not { } channel)
        {
            return DiscordErrors.UnknownChannel;
        }

        var permissions = _world.BotPermissionsIn(channel);
        if ((permissions & DiscordPermission.ViewChannel) == 0)
        {
            return DiscordErrors.MissingAccess;
        }

        return (permissions & needed) == needed ? handle(channel) : DiscordErrors.MissingPermissions;
    }

    private Reply WithMessage(Call call, ulong needed, Func<ChannelState, StoredMessage, Reply> handle) =>
        WithChannel(call, needed, channel =>
            channel.Messages.FirstOrDefault(message => message.Id == call["message_id"] && !message.Deleted && !message.Ephemeral) is { } message
                ? handle(channel, message)
                : DiscordErrors.UnknownMessage);

    private void Dispatch(string eventName, JsonNode data) => _pendingDispatches.Add((eventName, data));

    private sealed class Route(string method, string template, bool requiresBotToken, Func<Call, Reply> handle)
    {
        public string Method { get; } = method;

        public string Template { get; } = template;

        public string[] Segments { get; } = template.Trim('/').Split('/');

        public int LiteralCount => Segments.Count(segment => !segment.StartsWith('{'));

        public bool RequiresBotToken { get; } = requiresBotToken;

        public Func<Call, Reply> Handle { get; } = handle;
    }

    private sealed record Call(Dictionary<string, string> Values, JsonNode? Body, IQueryCollection Query)
    {
        public string this[string name] => Values[name];

        public JsonObject? Object => Body as JsonObject;
    }
}
