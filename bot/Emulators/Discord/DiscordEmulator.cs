using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// An in-process Discord: gateway v10 WebSocket and the REST endpoints the bot uses, on 127.0.0.1. Tests inject
/// interactions and gateway trouble (reconnect, invalid session, close codes, drops, zombie) and read what the bot sent.
/// </summary>
public sealed class DiscordEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatedGateway _gateway;
    private readonly EmulatedRest _rest;
    private long _snowflake = 1_300_000_000_000_000_000;

    private DiscordEmulator(DiscordEmulatorOptions options)
    {
        Options = options;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));

        // Gateway sockets are long-lived requests; stopping must not wait the default 30 s for them.
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        _app = builder.Build();
        _gateway = new EmulatedGateway(options, NextSnowflake);
        _rest = new EmulatedRest(options, NextSnowflake, () => GatewayUrl.ToString(), DispatchedAt);
        _app.UseWebSockets();
        _app.Map("/gateway", _gateway.AcceptAsync);
        _app.Map("/gateway-resume", _gateway.AcceptAsync);
        _app.Map("/api/v10/{**path}", _rest.HandleAsync);
    }

    public DiscordEmulatorOptions Options { get; }

    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:port/api/v10 — set Discord:ApiBaseUrl to this.</summary>
    public Uri RestBaseUrl => new($"http://127.0.0.1:{Port}/api/v10");

    /// <summary>ws://127.0.0.1:port/gateway — what GET /gateway/bot returns. The resume URL in READY is /gateway-resume.</summary>
    public Uri GatewayUrl => new($"ws://127.0.0.1:{Port}/gateway");

    /// <summary>Every REST request with its body, in arrival order (validate them all against the OpenAPI spec).</summary>
    public ObservableLog<RecordedRestRequest> RestRequests => _rest.Requests;

    public ObservableLog<InteractionResponseRecord> InteractionResponses => _rest.InteractionResponses;

    public ObservableLog<GatewayClientFrame> GatewayClientFrames => _gateway.ClientFrames;

    public ObservableLog<GatewayServerFrame> GatewayServerFrames => _gateway.ServerFrames;

    public ObservableLog<GatewayConnectionRecord> GatewayConnections => _gateway.Connections;

    public ObservableLog<GatewayConnectionClosed> GatewayClosures => _gateway.Closures;

    public string? CurrentSessionId => _gateway.CurrentSessionId;

    /// <summary>429s the emulator answered (limits exceeded or forced).</summary>
    public int RateLimitedCount => _rest.RateLimits.RateLimitedCount;

    /// <summary>Requests that arrived while the bot had been told to wait by a 429.</summary>
    public int RateLimitViolations => _rest.RateLimits.Violations;

    public static async Task<DiscordEmulator> StartAsync(DiscordEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var emulator = new DiscordEmulator(options ?? new DiscordEmulatorOptions());
        await emulator._app.StartAsync(cancellationToken);
        var address = emulator._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Port = new Uri(address).Port;
        return emulator;
    }

    /// <summary>For <c>bot emulate discord</c>: serves until <paramref name="cancellationToken"/> fires, then stops.</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Normal stop.
        }

        _gateway.AbortAll();
        await _app.StopAsync(CancellationToken.None);
    }

    public IReadOnlyList<EmulatedMessage> MessagesIn(string channelId) => _rest.MessagesIn(channelId);

    /// <summary>Commands registered by bulk overwrite, globally (null) or for a guild.</summary>
    public IReadOnlyList<JsonObject> RegisteredCommands(string? guildId = null) => _rest.Commands(guildId);

    /// <summary>
    /// Sends INTERACTION_CREATE for <paramref name="interaction"/> (see <see cref="EmulatedInteractions"/>); fills id, token,
    /// application_id and version when missing. When the bot is disconnected the dispatch waits in the session for Resume.
    /// </summary>
    public async Task<EmulatedInteraction> InjectInteractionAsync(JsonObject interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        var payload = (JsonObject)interaction.DeepClone();
        var id = payload["id"]?.GetValue<string>() ?? NextSnowflake();
        var token = payload["token"]?.GetValue<string>() ?? "emu-interaction-token-" + NextSnowflake();
        payload["id"] = id;
        payload["token"] = token;
        payload["application_id"] ??= Options.ApplicationId;
        payload["version"] ??= 1;
        var channelId = payload["channel_id"]?.GetValue<string>();
        _rest.RegisterInteraction(id, token, channelId);
        await _gateway.DispatchAsync("INTERACTION_CREATE", payload.DeepClone());
        return new EmulatedInteraction(id, token, channelId, payload);
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
    }

    private long? DispatchedAt(string interactionId)
    {
        lock (_gateway.InteractionDispatchedAt)
        {
            return _gateway.InteractionDispatchedAt.TryGetValue(interactionId, out var at) ? at : null;
        }
    }

    private string NextSnowflake() => Interlocked.Increment(ref _snowflake).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
