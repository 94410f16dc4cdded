using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using DiscordLedgerBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>
/// Gateway v10 over <see cref="ClientWebSocket"/>, JSON encoding, no transport compression (our traffic is a few
/// interactions and voice events; zlib-stream would add a stateful inflater for little gain).
/// The receive loop records each dispatch's sequence number and queues the event in the same step, and the queue
/// outlives connections, so a resume can neither lose nor (thanks to the sequence check) duplicate a dispatch.
/// </summary>
public sealed partial class DiscordGatewayClient : IDiscordGateway
{
    private static readonly IReadOnlyDictionary<string, string> NoRouteValues = new Dictionary<string, string>();

    private readonly IDiscordRest _rest;
    private readonly IOptionsMonitor<DiscordOptions> _options;
    private readonly GatewayEventDispatcher _dispatcher;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DiscordGatewayClient> _logger;
    private readonly Random _random;
    private readonly GatewayShard? _shard;
    private readonly IdentifyGate _identifyGate;
    private readonly object _stateGate = new();
    private string? _gatewayUrl;
    private GatewaySession? _session;
    private long? _lastSequence;
    private GatewayConnection? _connection;
    private volatile GatewayStatus _status = GatewayStatus.Disconnected;
    private int _running;

    /// <param name="random">Source of the first-heartbeat jitter; tests pass a seeded one.</param>
    /// <param name="identifyGate">Shared by every shard of the process (see <see cref="DiscordShardManager"/>); its own otherwise.</param>
    /// <param name="shard">The shard this connection is; Discord:ShardId/ShardCount when null.</param>
    public DiscordGatewayClient(
        IDiscordRest rest,
        IOptionsMonitor<DiscordOptions> options,
        GatewayEventDispatcher dispatcher,
        TimeProvider timeProvider,
        ILogger<DiscordGatewayClient> logger,
        Random? random = null,
        IdentifyGate? identifyGate = null,
        GatewayShard? shard = null)
    {
        _shard = shard;
        _identifyGate = identifyGate ?? new IdentifyGate(timeProvider);
        _rest = rest;
        _options = options;
        _dispatcher = dispatcher;
        _timeProvider = timeProvider;
        _logger = logger;
        _random = random ?? Random.Shared;
    }

    private enum NextStep
    {
        Resume,
        Identify,
        Stop,
    }

    public GatewayStatus Status => _status;

    public GatewayShard Shard => _shard ?? new GatewayShard(_options.CurrentValue.ShardId, _options.CurrentValue.ShardCount);

    public GatewaySession? Session
    {
        get
        {
            lock (_stateGate)
            {
                return _session;
            }
        }
    }

    /// <summary>The last dispatch sequence number received in this session (sent in heartbeats and Resume).</summary>
    public long? LastSequence
    {
        get
        {
            lock (_stateGate)
            {
                return _lastSequence;
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The gateway is already running.");
        }

        var events = Channel.CreateUnbounded<IGatewayEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stopDispatching = new CancellationTokenSource();
        var dispatching = PumpEventsAsync(events.Reader, stopDispatching.Token);
        try
        {
            await MaintainSessionAsync(events.Writer, cancellationToken);
        }
        finally
        {
            events.Writer.TryComplete();
            _status = GatewayStatus.Stopped;
            if (cancellationToken.IsCancellationRequested)
            {
                await stopDispatching.CancelAsync();
            }

            // On a fatal close the events already received are still handled before the error surfaces.
            await dispatching;
            Volatile.Write(ref _running, 0);
        }
    }

    public async Task UpdateVoiceStateAsync(string guildId, string? channelId, bool selfMute, bool selfDeaf, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(guildId);
        GatewayConnection? connection;
        lock (_stateGate)
        {
            connection = _session is null ? null : _connection;
        }

        if (connection is null || _status != GatewayStatus.Ready)
        {
            throw new InvalidOperationException("The gateway has no ready session; wait for Ready before changing voice state.");
        }

        var payload = new JsonObject
        {
            ["op"] = (int)GatewayOpCode.VoiceStateUpdate,
            ["d"] = new JsonObject
            {
                ["guild_id"] = guildId,
                ["channel_id"] = channelId,
                ["self_mute"] = selfMute,
                ["self_deaf"] = selfDeaf,
            },
        };
        await connection.SendAsync(JsonSerializer.SerializeToUtf8Bytes(payload), isHeartbeat: false, cancellationToken);
    }

    private static Uri WithGatewayQuery(string url) => new UriBuilder(url) { Query = "v=10&encoding=json" }.Uri;

    private static async Task<JsonDocument?> ReceiveFrameAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(buffer.WrittenMemory);
            }
        }
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task PumpEventsAsync(ChannelReader<IGatewayEvent> reader, CancellationToken cancellationToken)
    {
        // Interactions are independent and have a 3-second deadline, so a slow command must not hold up the next one;
        // every other event is handled in gateway order (voice state before voice server, guild create before use).
        var interactionsInFlight = new List<Task>();
        try
        {
            await foreach (var gatewayEvent in reader.ReadAllAsync(cancellationToken))
            {
                if (gatewayEvent is InteractionCreated)
                {
                    interactionsInFlight.RemoveAll(task => task.IsCompleted);
                    interactionsInFlight.Add(Task.Run(() => _dispatcher.DispatchAsync(gatewayEvent, cancellationToken), CancellationToken.None));
                }
                else
                {
                    using var activity = DiscordTelemetry.Source.StartActivity("discord.gateway.event");
                    activity?.SetTag("discord.event", gatewayEvent.GetType().Name);
                    await _dispatcher.DispatchAsync(gatewayEvent, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Host stopping: events not yet handled are dropped with the process.
        }

        await Task.WhenAll(interactionsInFlight);
    }

    private async Task MaintainSessionAsync(ChannelWriter<IGatewayEvent> events, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var backoff = options.GatewayReconnectDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            var session = Session;
            ConnectionEnd end;
            try
            {
                var url = session?.ResumeGatewayUrl ?? await GetGatewayUrlAsync(cancellationToken);
                await using var identifyTurn = session is null ? await _identifyGate.WaitTurnAsync(Shard, cancellationToken) : null;
                end = await RunConnectionAsync(url, identifyTurn, events, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (DiscordRestException exception) when (exception.StatusCode is 401 or 403)
            {
                throw new GatewayFatalException($"GET /gateway/bot was refused with {exception.StatusCode}: check Discord:Token (env Discord__Token).", exception);
            }
            catch (DiscordRestUnavailableException exception)
            {
                throw new GatewayFatalException("Cannot reach the gateway: " + exception.Message, exception);
            }
            catch (Exception exception) when (exception is WebSocketException or HttpRequestException or IOException or TimeoutException or JsonException or DiscordRestException)
            {
                LogConnectionFailed(_logger, exception, backoff.TotalMilliseconds);
                // A drop without a close code keeps the session resumable (READY may have arrived on this very connection).
                end = new ConnectionEnd(Session is null ? NextStep.Identify : NextStep.Resume, Immediate: false, ReachedReady: false);
            }

            if (end.Fatal is { } fatal)
            {
                LogFatalClose(_logger, fatal.CloseCode, fatal.Message);
                throw fatal;
            }

            if (end.Step == NextStep.Stop)
            {
                return;
            }

            if (end.Step == NextStep.Identify)
            {
                lock (_stateGate)
                {
                    _session = null;
                    _lastSequence = null;
                }
            }

            if (end.ReachedReady)
            {
                backoff = options.GatewayReconnectDelay;
            }

            if (!end.Immediate)
            {
                try
                {
                    await Task.Delay(backoff, _timeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.GatewayMaxReconnectDelay.Ticks));
            }
        }
    }

    private async Task<string> GetGatewayUrlAsync(CancellationToken cancellationToken)
    {
        if (_gatewayUrl is { } cached)
        {
            return cached;
        }

        var response = await _rest.SendAsync(new DiscordRestRequest(HttpMethod.Get, "/gateway/bot", NoRouteValues), cancellationToken)
            ?? throw new JsonException("GET /gateway/bot returned no body.");
        var url = StringOf(response, "url") ?? throw new JsonException("GET /gateway/bot returned no 'url'.");
        if (response.TryGetProperty("session_start_limit", out var startLimit)
            && startLimit.TryGetProperty("max_concurrency", out var concurrency) && concurrency.TryGetInt32(out var maxConcurrency))
        {
            _identifyGate.MaxConcurrency = maxConcurrency;
        }

        if (response.TryGetProperty("session_start_limit", out var limit)
            && limit.TryGetProperty("remaining", out var remaining) && remaining.TryGetInt32(out var left) && left == 0
            && limit.TryGetProperty("reset_after", out var resetAfter) && resetAfter.TryGetDouble(out var milliseconds))
        {
            // Identifying past the daily budget would terminate sessions and reset the token; waiting is the only safe move.
            LogIdentifyBudgetSpent(_logger, milliseconds);
            await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), _timeProvider, cancellationToken);
        }

        _gatewayUrl = url;
        return url;
    }

    /// <param name="identifyTurn">The identify bucket's turn for a new session; null resumes.</param>
    private async Task<ConnectionEnd> RunConnectionAsync(string url, IdentifyGate.IdentifyTurn? identifyTurn, ChannelWriter<IGatewayEvent> events, CancellationToken cancellationToken)
    {
        var resume = identifyTurn is null;
        var options = _options.CurrentValue;
        _status = GatewayStatus.Connecting;
        using var socket = new ClientWebSocket();

        // Gateway heartbeats are the liveness check; WebSocket pings would only add noise.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using (var connectTimeout = new CancellationTokenSource(options.GatewayConnectTimeout, _timeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connectTimeout.Token))
        {
            try
            {
                await socket.ConnectAsync(WithGatewayQuery(url), linked.Token);
            }
            catch (OperationCanceledException) when (connectTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Connecting to the gateway took longer than Discord:GatewayConnectTimeout ({options.GatewayConnectTimeout}).");
            }
        }

        using var connection = new GatewayConnection(socket, new GatewaySendLimiter(_timeProvider), _timeProvider);
        using var connectionEnded = new CancellationTokenSource();
        lock (_stateGate)
        {
            _connection = connection;
        }

        // Stopping closes with 1000 (bot offline); the receive loop then ends on the server's close echo.
        using var stopRegistration = cancellationToken.Register(static state => _ = ((GatewayConnection)state!).StopAsync(), connection);
        var heartbeating = Task.CompletedTask;
        var reachedReady = false;

        // A server that accepts the socket but never says Hello would otherwise hold us forever: cut it, then reconnect.
        using var helloDeadline = _timeProvider.CreateTimer(
            static state => ((ClientWebSocket)state!).Abort(), socket, options.GatewayConnectTimeout, Timeout.InfiniteTimeSpan);
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                JsonDocument? frame;
                try
                {
                    frame = await ReceiveFrameAsync(socket, buffer, CancellationToken.None);
                }
                catch (Exception exception) when (exception is WebSocketException or OperationCanceledException && (connection.IsZombie || connection.IsStopping))
                {
                    frame = null;
                }

                if (frame is null)
                {
                    return EndAfterClose(connection, (int?)socket.CloseStatus, reachedReady);
                }

                using (frame)
                {
                    var root = frame.RootElement;
                    var op = root.TryGetProperty("op", out var opElement) && opElement.TryGetInt32(out var parsedOp) ? (GatewayOpCode)parsedOp : (GatewayOpCode)(-1);
                    var data = root.TryGetProperty("d", out var d) ? d : default;
                    switch (op)
                    {
                        case GatewayOpCode.Hello:
                            helloDeadline.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                            var interval = TimeSpan.FromMilliseconds(data.GetProperty("heartbeat_interval").GetDouble());
                            connection.Limiter.ReserveFor(interval);
                            heartbeating = HeartbeatLoopAsync(connection, interval, connectionEnded.Token);
                            _status = resume ? GatewayStatus.Resuming : GatewayStatus.Identifying;
                            await connection.SendAsync(resume ? BuildResume() : BuildIdentify(options, Shard), isHeartbeat: false, cancellationToken);
                            if (identifyTurn is not null)
                            {
                                // The bucket's 5 s count from here; the next shard of the bucket may start waiting now.
                                await identifyTurn.MarkSentAsync();
                                await identifyTurn.DisposeAsync();
                            }
                            break;
                        case GatewayOpCode.HeartbeatAck:
                            connection.MarkAcknowledged();
                            break;
                        case GatewayOpCode.Heartbeat:
                            await connection.SendAsync(BuildHeartbeat(), isHeartbeat: true, cancellationToken);
                            break;
                        case GatewayOpCode.Dispatch:
                            reachedReady |= OnDispatch(root, events);
                            break;
                        case GatewayOpCode.Reconnect:
                            LogReconnectRequested(_logger);
                            await connection.CloseForReconnectAsync();
                            return new ConnectionEnd(Session is null ? NextStep.Identify : NextStep.Resume, Immediate: true, reachedReady);
                        case GatewayOpCode.InvalidSession:
                            var resumable = data.ValueKind == JsonValueKind.True && Session is not null;
                            LogInvalidSession(_logger, resumable);
                            await connection.CloseForReconnectAsync();

                            // A fresh identify waits the reconnect delay: the usual cause is identifying too fast.
                            return new ConnectionEnd(resumable ? NextStep.Resume : NextStep.Identify, Immediate: resumable, reachedReady);
                        default:
                            LogUnknownOpcode(_logger, (int)op);
                            break;
                    }
                }
            }
        }
        finally
        {
            connection.MarkEnded();
            await connectionEnded.CancelAsync();
            await heartbeating;
            lock (_stateGate)
            {
                _connection = null;
            }

            if (_status != GatewayStatus.Stopped)
            {
                _status = GatewayStatus.Disconnected;
            }
        }
    }

    private ConnectionEnd EndAfterClose(GatewayConnection connection, int? closeCode, bool reachedReady)
    {
        if (connection.IsStopping)
        {
            return new ConnectionEnd(NextStep.Stop, Immediate: true, reachedReady);
        }

        if (connection.IsZombie)
        {
            LogZombie(_logger);
            return new ConnectionEnd(Session is null ? NextStep.Identify : NextStep.Resume, Immediate: true, reachedReady);
        }

        var options = _options.CurrentValue;
        var fatal = closeCode switch
        {
            4004 => "Discord closed the gateway with 4004 (authentication failed): Discord:Token (env Discord__Token) is wrong or was reset.",
            4010 => $"Discord closed the gateway with 4010 (invalid shard): shard {Shard} (Discord:Shards or Discord:ShardId/Discord:ShardCount) is not valid.",
            4011 => "Discord closed the gateway with 4011 (sharding required): set Discord:Shards (env Discord__Shards) to \"auto\" or a range over at least the 'shards' value of GET /gateway/bot.",
            4012 => "Discord closed the gateway with 4012 (invalid API version): this client speaks gateway v10.",
            4013 => $"Discord closed the gateway with 4013 (invalid intents): Discord:GatewayIntents = {options.GatewayIntents} is not a valid intents bitset.",
            4014 => DescribeDisallowedIntents(options.GatewayIntents),
            _ => null,
        };
        if (fatal is not null)
        {
            return new ConnectionEnd(NextStep.Stop, Immediate: true, reachedReady, new GatewayFatalException(closeCode!.Value, fatal));
        }

        LogClosed(_logger, closeCode);

        // 4007 (invalid seq) and 4009 (session timed out) kill the session; anything else may resume.
        return closeCode is 4007 or 4009 || Session is null
            ? new ConnectionEnd(NextStep.Identify, Immediate: closeCode is 4007 or 4009, reachedReady)
            : new ConnectionEnd(NextStep.Resume, Immediate: false, reachedReady);
    }

    private static string DescribeDisallowedIntents(int intents)
    {
        var privileged = GatewayIntents.Describe(intents & GatewayIntents.Privileged);
        var requested = string.Join(", ", GatewayIntents.Describe(intents));
        return privileged.Count > 0
            ? $"Discord closed the gateway with 4014 (disallowed intents): enable the privileged intent(s) {string.Join(", ", privileged)} for this application in the developer portal (Bot > Privileged Gateway Intents), or remove them from Discord:GatewayIntents (env Discord__GatewayIntents, requested {intents}: {requested})."
            : $"Discord closed the gateway with 4014 (disallowed intents) for Discord:GatewayIntents = {intents} ({requested}): the application is not allowed these intents; check the developer portal (Bot > Privileged Gateway Intents).";
    }

    /// <summary>Records the sequence and queues the event in one step; returns true for READY/RESUMED.</summary>
    private bool OnDispatch(JsonElement root, ChannelWriter<IGatewayEvent> events)
    {
        var receivedAt = _timeProvider.GetTimestamp();
        var name = StringOf(root, "t") ?? string.Empty;
        var sequence = root.TryGetProperty("s", out var s) && s.TryGetInt64(out var parsed) ? parsed : (long?)null;
        var data = root.TryGetProperty("d", out var d) ? d.Clone() : default;
        lock (_stateGate)
        {
            if (sequence is { } seq)
            {
                if (_lastSequence is { } last && seq <= last && name != "READY")
                {
                    LogDuplicateDispatch(_logger, name, seq);
                    return false;
                }

                _lastSequence = seq;
            }
        }

        IGatewayEvent gatewayEvent;
        switch (name)
        {
            case "READY":
                var ready = new Ready(
                    StringOf(data, "session_id") ?? throw new JsonException("READY without session_id."),
                    StringOf(data, "resume_gateway_url") ?? throw new JsonException("READY without resume_gateway_url."),
                    data.TryGetProperty("user", out var user) ? StringOf(user, "id") ?? string.Empty : string.Empty,
                    data.TryGetProperty("application", out var application) ? StringOf(application, "id") : null,
                    data.TryGetProperty("guilds", out var guilds) && guilds.ValueKind == JsonValueKind.Array
                        ? [.. guilds.EnumerateArray().Select(guild => StringOf(guild, "id")).OfType<string>()]
                        : []);
                lock (_stateGate)
                {
                    _session = new GatewaySession(ready.SessionId, ready.ResumeGatewayUrl, ready.UserId, ready.ApplicationId);
                }

                _status = GatewayStatus.Ready;
                LogReady(_logger, ready.SessionId, ready.GuildIds.Count);
                gatewayEvent = ready;
                break;
            case "RESUMED":
                _status = GatewayStatus.Ready;
                LogResumed(_logger, LastSequence);
                gatewayEvent = new Resumed(LastSequence);
                break;
            case "INTERACTION_CREATE":
                gatewayEvent = new InteractionCreated(data, receivedAt);
                break;
            case "GUILD_CREATE":
                gatewayEvent = new GuildCreated(StringOf(data, "id") ?? string.Empty, StringOf(data, "name"), data);
                break;
            case "VOICE_STATE_UPDATE":
                gatewayEvent = new VoiceStateUpdated(
                    StringOf(data, "guild_id"),
                    StringOf(data, "channel_id"),
                    StringOf(data, "user_id") ?? string.Empty,
                    StringOf(data, "session_id") ?? string.Empty,
                    data);
                break;
            case "VOICE_SERVER_UPDATE":
                gatewayEvent = new VoiceServerUpdated(StringOf(data, "guild_id") ?? string.Empty, StringOf(data, "endpoint"), StringOf(data, "token") ?? string.Empty);
                break;
            default:
                gatewayEvent = new UnknownDispatch(name, sequence ?? 0, data);
                break;
        }

        events.TryWrite(gatewayEvent);
        return name is "READY" or "RESUMED";
    }

    private async Task HeartbeatLoopAsync(GatewayConnection connection, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            // The jitter spreads first beats of many clients reconnecting at once.
            await Task.Delay(interval * _random.NextDouble(), _timeProvider, cancellationToken);
            while (true)
            {
                if (!connection.TryBeginBeat())
                {
                    await connection.CloseAsZombieAsync();
                    return;
                }

                await connection.SendAsync(BuildHeartbeat(), isHeartbeat: true, cancellationToken);
                await Task.Delay(interval, _timeProvider, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The connection ended.
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException)
        {
            // The receive loop observes the same broken socket and decides what to do.
        }
    }

    private byte[] BuildHeartbeat() =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["op"] = (int)GatewayOpCode.Heartbeat, ["d"] = LastSequence });

    private byte[] BuildResume()
    {
        var session = Session ?? throw new InvalidOperationException("Resume needs a session.");
        return JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["op"] = (int)GatewayOpCode.Resume,
            ["d"] = new JsonObject
            {
                ["token"] = _options.CurrentValue.Token,
                ["session_id"] = session.SessionId,
                ["seq"] = LastSequence,
            },
        });
    }

    private static byte[] BuildIdentify(DiscordOptions options, GatewayShard shard)
    {
        var os = OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : "linux";
        return JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["op"] = (int)GatewayOpCode.Identify,
            ["d"] = new JsonObject
            {
                ["token"] = options.Token,
                ["intents"] = options.GatewayIntents,
                ["properties"] = new JsonObject
                {
                    ["os"] = os,
                    ["browser"] = "DiscordLedgerBot",
                    ["device"] = "DiscordLedgerBot",
                },
                ["shard"] = new JsonArray(shard.Id, shard.Count),
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway READY: session {SessionId}, {GuildCount} guild(s)")]
    private static partial void LogReady(ILogger logger, string sessionId, int guildCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway RESUMED at sequence {Sequence}")]
    private static partial void LogResumed(ILogger logger, long? sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway asked us to reconnect (op 7); resuming")]
    private static partial void LogReconnectRequested(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway invalid session (op 9), resumable: {Resumable}")]
    private static partial void LogInvalidSession(ILogger logger, bool resumable);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway heartbeat not acknowledged: zombie connection closed, resuming")]
    private static partial void LogZombie(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway closed with code {CloseCode}")]
    private static partial void LogClosed(ILogger logger, int? closeCode);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Gateway stopped for good (close {CloseCode}): {Reason}")]
    private static partial void LogFatalClose(ILogger logger, int closeCode, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway connection failed; retrying in {DelayMs} ms")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Daily identify budget spent; waiting {WaitMs} ms before identifying")]
    private static partial void LogIdentifyBudgetSpent(ILogger logger, double waitMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gateway opcode {OpCode} ignored")]
    private static partial void LogUnknownOpcode(ILogger logger, int opCode);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Duplicate dispatch {EventName} #{Sequence} skipped")]
    private static partial void LogDuplicateDispatch(ILogger logger, string eventName, long sequence);

    private sealed record ConnectionEnd(NextStep Step, bool Immediate, bool ReachedReady, GatewayFatalException? Fatal = null);
}

internal enum GatewayOpCode
{
    Dispatch = 0,
    Heartbeat = 1,
    Identify = 2,
    VoiceStateUpdate = 4,
    Resume = 6,
    Reconnect = 7,
    InvalidSession = 9,
    Hello = 10,
    HeartbeatAck = 11,
}
