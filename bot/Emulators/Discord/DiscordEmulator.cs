using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord.Voice;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// An in-process Discord on 127.0.0.1: gateway v10 WebSocket, the REST routes bots use, and a guild with channels,
/// roles, members and permission overwrites. Tests inject interactions and gateway trouble (reconnect, invalid session,
/// close codes, drops, zombie) and read what the bot sent and what it was answered. Out-of-process callers use the
/// control API under <c>/__emulator/</c> (docs/operations/discord-emulator.md).
/// </summary>
public sealed partial class DiscordEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatedGateway _gateway;
    private readonly EmulatedRest _rest;
    private readonly EmulatedWorld _world;

    private DiscordEmulator(DiscordEmulatorOptions options)
    {
        Options = options;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));

        // Gateway sockets are long-lived requests; stopping must not wait the default 30 s for them.
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        _app = builder.Build();
        Snowflakes = new SnowflakeGenerator(options.TimeProvider);
        IReadOnlyList<EmulatedGuild> guilds = options.Guilds.Count > 0 ? [.. options.Guilds] : [EmulatedGuild.Realistic(options.BotUserId, options.BotUserName)];
        _world = new EmulatedWorld(options, Snowflakes, guilds);
        Voice = new EmulatedVoiceServer(options, MemberVoiceStateAsync);
        _gateway = new EmulatedGateway(options, Snowflakes, GuildCreates, BotMemberIn, Voice, () => $"127.0.0.1:{Port}");
        _rest = new EmulatedRest(options, _world, _gateway, () => GatewayUrl.ToString());
        _app.UseWebSockets();
        _app.Map("/gateway", _gateway.AcceptAsync);
        _app.Map("/gateway-resume", _gateway.AcceptAsync);
        _app.Map("/api/v10/{**path}", _rest.HandleAsync);

        // The voice WebSocket: Discord's endpoint is host:port with no path, so the voice gateway answers at the root.
        _app.Map("/", (Func<HttpContext, Task>)AcceptVoiceAsync);
        _app.MapPost("/__emulator/voice/{channelId}/members", (Func<HttpContext, string, Task<IResult>>)AddVoiceMemberAsync);
        _app.MapDelete("/__emulator/voice/{channelId}/members/{userId}", (Func<string, string, Task<IResult>>)RemoveVoiceMemberAsync);
        _app.MapPost("/__emulator/voice/{channelId}/play", (Func<HttpContext, string, Task<IResult>>)PlayAsync);
        _app.MapPost("/__emulator/interactions", (Func<HttpContext, Task<IResult>>)DeliverInteractionAsync);
        MapVoiceMessages();
        _app.MapGet("/__emulator/interactions/{id}/responses", (string id) =>
            InteractionResponsesOf(id) is { } responses ? Json(200, responses) : Json(404, new JsonObject { ["message"] = $"Unknown interaction {id}." }));
    }

    public DiscordEmulatorOptions Options { get; }

    /// <summary>The voice server (voice gateway v8 + UDP) op 4 joins land on; tests add members and play clips here.</summary>
    public EmulatedVoiceServer Voice { get; }

    /// <summary>The guilds the bot is in (the options' guilds, or the realistic default).</summary>
    public IReadOnlyList<EmulatedGuild> Guilds => _world.Guilds;

    /// <summary>The id source of everything the emulator creates (messages, interactions, threads, DMs, command versions).</summary>
    public SnowflakeGenerator Snowflakes { get; }

    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:port/api/v10 — set Discord:ApiBaseUrl to this.</summary>
    public Uri RestBaseUrl => new($"http://127.0.0.1:{Port}/api/v10");

    /// <summary>http://127.0.0.1:port/ — the control API lives under <c>/__emulator/</c>.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>ws://127.0.0.1:port/gateway — what GET /gateway/bot returns. The resume URL in READY is /gateway-resume.</summary>
    public Uri GatewayUrl => new($"ws://127.0.0.1:{Port}/gateway");

    /// <summary>Every REST request with its body and the response body, in arrival order (validate them all against the spec).</summary>
    public ObservableLog<RecordedRestRequest> RestRequests => _rest.Requests;

    public ObservableLog<InteractionResponseRecord> InteractionResponses => _rest.InteractionResponses;

    public ObservableLog<GatewayClientFrame> GatewayClientFrames => _gateway.ClientFrames;

    public ObservableLog<GatewayServerFrame> GatewayServerFrames => _gateway.ServerFrames;

    public ObservableLog<GatewayConnectionRecord> GatewayConnections => _gateway.Connections;

    public ObservableLog<GatewayConnectionClosed> GatewayClosures => _gateway.Closures;

    public ObservableLog<GatewayIdentifyRecord> GatewayIdentifies => _gateway.Identifies;

    public string? CurrentSessionId => _gateway.CurrentSessionId;

    /// <summary>429s the emulator answered (limits exceeded or forced).</summary>
    public int RateLimitedCount => _rest.RateLimits.RateLimitedCount;

    /// <summary>Requests that arrived while the bot had been told to wait by a 429.</summary>
    public int RateLimitViolations => _rest.RateLimits.Violations;

    public static async Task<DiscordEmulator> StartAsync(DiscordEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var emulator = new DiscordEmulator(options ?? new DiscordEmulatorOptions());
        await emulator._app.StartAsync(cancellationToken);
        emulator.Port = LoopbackServer.BoundPort(emulator._app.Services);
        return emulator;
    }

    /// <summary>For <c>bot emulate discord</c>: serves until <paramref name="cancellationToken"/> fires, then stops.</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        await LoopbackServer.ServeUntilCancelledAsync(TimeProvider.System, cancellationToken);

        _gateway.AbortAll();
        await _app.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// Every message stored in the channel in creation order, current (edited) state, ephemeral ones included; deleted
    /// ones are gone. <c>GET /channels/{id}/messages</c> shows what a bot sees instead: newest first, no ephemeral ones.
    /// </summary>
    public IReadOnlyList<EmulatedMessage> MessagesIn(string channelId)
    {
        lock (_rest.Gate)
        {
            return _world.FindChannel(channelId) is { } channel
                ? [.. channel.Messages.Where(message => !message.Deleted).Select(message => new EmulatedMessage(message.Id, channelId, message.ToJson(Options.BotUserId)))]
                : [];
        }
    }

    /// <summary>Commands registered globally (null) or for a guild.</summary>
    public IReadOnlyList<JsonObject> RegisteredCommands(string? guildId = null)
    {
        lock (_rest.Gate)
        {
            var scope = guildId is null ? "global" : "guild:" + guildId;
            return _world.HasCommands(scope) ? [.. _world.Commands(scope).Select(command => (JsonObject)command.DeepClone())] : [];
        }
    }

    /// <summary>
    /// Sends INTERACTION_CREATE for <paramref name="interaction"/> (see <see cref="EmulatedInteractions"/>), completed
    /// the way Discord fills it in. When the bot is disconnected the dispatch waits in the session for Resume.
    /// </summary>
    /// <exception cref="EmulatorRequestException">Discord could not produce this interaction (unknown member, hidden channel, no such button...).</exception>
    public async Task<EmulatedInteraction> InjectInteractionAsync(JsonObject interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        if (CurrentSessionId is null)
        {
            throw new InvalidOperationException("No gateway session yet: the bot has not identified.");
        }

        (InteractionState State, JsonObject Payload) prepared;
        lock (_rest.Gate)
        {
            prepared = _rest.PrepareInteraction(interaction);
        }

        await _gateway.DispatchAsync("INTERACTION_CREATE", prepared.Payload.DeepClone());
        return new EmulatedInteraction(prepared.State.Id, prepared.State.Token, prepared.State.ChannelId, prepared.Payload);
    }

    /// <summary>
    /// The initial response, edits, follow-ups and deletions of an interaction in order, each with the message as Discord
    /// stored it at that point; null for an unknown interaction.
    /// </summary>
    public JsonArray? InteractionResponsesOf(string interactionId)
    {
        lock (_rest.Gate)
        {
            return _rest.ResponsesOf(interactionId);
        }
    }

    /// <summary>Sends any dispatch on the current session; returns its sequence number.</summary>
    public Task<long> DispatchAsync(string eventName, JsonNode? data) => _gateway.DispatchAsync(eventName, data);

    /// <summary>Op 7: the bot should reconnect and resume.</summary>
    public Task SendReconnectAsync() => _gateway.SendToCurrentAsync(new JsonObject { ["op"] = 7, ["d"] = null });

    /// <summary>Op 9; <paramref name="resumable"/> false also forgets the session, as Discord does.</summary>
    public Task SendInvalidSessionAsync(bool resumable)
    {
        if (!resumable)
        {
            _gateway.InvalidateLatestSession();
        }

        return _gateway.SendToCurrentAsync(new JsonObject { ["op"] = 9, ["d"] = resumable });
    }

    /// <summary>Op 1: asks the bot for an immediate heartbeat.</summary>
    public Task RequestHeartbeatAsync() => _gateway.SendToCurrentAsync(new JsonObject { ["op"] = 1, ["d"] = null });

    /// <summary>Closes the current connection with <paramref name="closeCode"/> (4007/4009 also end the session).</summary>
    public Task CloseGatewayAsync(int closeCode, string reason = "Closed by emulator.") => _gateway.CloseCurrentAsync(closeCode, reason);

    /// <summary>Cuts the TCP connection without a close frame (network failure); the session stays resumable.</summary>
    public void DropGatewayConnection() => _gateway.DropCurrent();

    /// <summary>Stops answering heartbeats on the current connection only, so the bot must detect a zombie and reconnect.</summary>
    public void StopAcknowledgingHeartbeats() => _gateway.StopAcknowledgingOnCurrent();

    /// <summary>Answers the next matching request (any route when <paramref name="routeTemplate"/> is null) with a 429.</summary>
    public void ForceRateLimit(EmulatedRateLimitScope scope, TimeSpan retryAfter, string? routeTemplate = null) =>
        _rest.RateLimits.Force(scope, retryAfter, routeTemplate);

    /// <summary>From now on the bot token is rejected: REST answers 401 (gateway identify would get 4004 if the token changed).</summary>
    public void RevokeToken() => _rest.TokenRevoked = true;

    /// <summary>Received→initial-response latencies of every answered interaction, for benchmarks.</summary>
    public IReadOnlyList<TimeSpan> InteractionAckLatencies() => [.. InteractionResponses.Snapshot().Select(response => response.Latency)];

    public async ValueTask DisposeAsync()
    {
        _gateway.AbortAll();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Voice.Dispose();
    }

    // Discord tells every bot with the voice-states intent who sits where; /voice join uses it to find the caller's channel.
    private async Task MemberVoiceStateAsync(ulong userId, ulong? channelId)
    {
        var user = userId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var channel = channelId?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var guild = channel is null ? _world.Guilds[0] : _world.Guilds.FirstOrDefault(g => g.Channels.Any(c => c.Id == channel)) ?? _world.Guilds[0];
        await _gateway.DispatchIfIdentifiedAsync("VOICE_STATE_UPDATE", new JsonObject
        {
            ["guild_id"] = guild.Id,
            ["channel_id"] = channel,
            ["user_id"] = user,
            ["session_id"] = "emu-member-voice-" + user,
            ["deaf"] = false,
            ["mute"] = false,
            ["self_deaf"] = false,
            ["self_mute"] = false,
            ["self_video"] = false,
            ["suppress"] = false,
            ["request_to_speak_timestamp"] = null,
        }, 1 << 7);
    }

    private async Task AcceptVoiceAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await Voice.AcceptAsync(context);
    }

    /// <summary><c>POST /__emulator/voice/{channel}/members</c> <c>{"user_id":"…"}</c>: an emulated member joins the voice channel.</summary>
    private async Task<IResult> AddVoiceMemberAsync(HttpContext context, string channelId)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        if (!ulong.TryParse(channelId, System.Globalization.CultureInfo.InvariantCulture, out var channel)
            || !ulong.TryParse(body?["user_id"]?.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out var user))
        {
            return Json(400, new JsonObject { ["message"] = "A numeric channel id in the path and {\"user_id\": \"…\"} in the body are required." });
        }

        await Voice.AddMemberAsync(channel, user);
        return Json(200, new JsonObject { ["channel_id"] = channelId, ["user_id"] = user.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    private async Task<IResult> RemoveVoiceMemberAsync(string channelId, string userId)
    {
        if (!ulong.TryParse(channelId, System.Globalization.CultureInfo.InvariantCulture, out var channel)
            || !ulong.TryParse(userId, System.Globalization.CultureInfo.InvariantCulture, out var user))
        {
            return Json(400, new JsonObject { ["message"] = "Numeric channel and user ids are required." });
        }

        await Voice.RemoveMemberAsync(channel, user);
        return Results.NoContent();
    }

    /// <summary>
    /// <c>POST /__emulator/voice/{channel}/play?user_id=…&amp;loss=…</c> with a 16-bit PCM WAV body: the member (added if
    /// needed) speaks it into the call at the real 20 ms cadence. Answers the frames sent and dropped.
    /// </summary>
    private async Task<IResult> PlayAsync(HttpContext context, string channelId)
    {
        if (!ulong.TryParse(channelId, System.Globalization.CultureInfo.InvariantCulture, out var channel)
            || !ulong.TryParse(context.Request.Query["user_id"], System.Globalization.CultureInfo.InvariantCulture, out var user))
        {
            return Json(400, new JsonObject { ["message"] = "A numeric channel id in the path and ?user_id= are required." });
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        VoiceClip clip;
        try
        {
            clip = VoiceClip.FromWav(body.ToArray());
        }
        catch (FormatException invalid)
        {
            return Json(400, new JsonObject { ["message"] = invalid.Message });
        }

        var loss = int.TryParse(context.Request.Query["loss"], System.Globalization.CultureInfo.InvariantCulture, out var percent) ? Math.Clamp(percent, 0, 100) : 0;
        try
        {
            await Voice.AddMemberAsync(channel, user);
            var played = await Voice.PlayAsync(channel, user, clip, new VoicePlayOptions { PacketLossPercent = loss, Pacing = TimeSpan.FromMilliseconds(20) });
            return Json(200, new JsonObject { ["frames"] = played.Frames, ["dropped"] = played.Dropped, ["ssrc"] = played.Ssrc });
        }
        catch (InvalidOperationException notReady)
        {
            return Json(409, new JsonObject { ["message"] = notReady.Message });
        }
    }

    private static IResult Json(int status, JsonNode body) => Results.Text(body.ToJsonString(), "application/json", statusCode: status);

    /// <summary><c>POST /__emulator/interactions</c>: the body is the <c>d</c> of an INTERACTION_CREATE; answers its id and token.</summary>
    private async Task<IResult> DeliverInteractionAsync(HttpContext context)
    {
        JsonObject? requested;
        try
        {
            requested = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (JsonException exception)
        {
            return Json(400, new JsonObject { ["message"] = "The body is not JSON: " + exception.Message });
        }

        if (requested is null)
        {
            return Json(400, new JsonObject { ["message"] = "The body must be the d object of an INTERACTION_CREATE." });
        }

        try
        {
            var delivered = await InjectInteractionAsync(requested);
            return Json(200, new JsonObject { ["id"] = delivered.Id, ["token"] = delivered.Token });
        }
        catch (EmulatorRequestException exception)
        {
            return Json(400, new JsonObject { ["message"] = exception.Message });
        }
        catch (InvalidOperationException exception)
        {
            return Json(409, new JsonObject { ["message"] = exception.Message });
        }
    }

    private IReadOnlyList<JsonObject> GuildCreates()
    {
        lock (_rest.Gate)
        {
            return [.. _world.Guilds.Select(_world.GuildCreate)];
        }
    }

    private JsonObject? BotMemberIn(string guildId) =>
        _world.FindGuild(guildId) is { } guild && guild.FindMember(Options.BotUserId) is { } member ? DiscordObjects.Member(guild, member) : null;
}
