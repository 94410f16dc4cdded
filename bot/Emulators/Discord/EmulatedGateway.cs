using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// The gateway side of the emulator: sessions with a dispatch log (so Resume can replay what a dropped client missed, in
/// order, then RESUMED), heartbeats, Identify/Resume validation, send-rate enforcement and the close codes tests ask for.
/// </summary>
/// <param name="guildCreates">GUILD_CREATE payloads of the bot's guilds, read from the world when the bot identifies.</param>
/// <param name="botMember">The bot's member object in a guild, for VOICE_STATE_UPDATE.</param>
/// <param name="voice">The voice server an op 4 join opens a session on.</param>
/// <param name="voiceEndpoint">The voice server's host:port for VOICE_SERVER_UPDATE when the options name none.</param>
internal sealed class EmulatedGateway(
    DiscordEmulatorOptions options,
    SnowflakeGenerator snowflakes,
    Func<IReadOnlyList<JsonObject>> guildCreates,
    Func<string, JsonObject?> botMember,
    Voice.EmulatedVoiceServer voice,
    Func<string> voiceEndpoint)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly HashSet<Connection> _open = [];
    private int _nextConnectionId;
    private Session? _latest;

    // Per identify bucket (shard_id % max_concurrency): when its last accepted Identify arrived (TimeProvider timestamp).
    private readonly Dictionary<int, long> _bucketIdentifiedAt = [];

    // Shard id → its newest session, so a guild's dispatches go to the shard that carries the guild.
    private readonly Dictionary<int, Session> _byShard = [];
    private Connection? _current;

    public ObservableLog<GatewayClientFrame> ClientFrames { get; } = new();

    public ObservableLog<GatewayServerFrame> ServerFrames { get; } = new();

    public ObservableLog<GatewayConnectionRecord> Connections { get; } = new();

    public ObservableLog<GatewayConnectionClosed> Closures { get; } = new();

    public ObservableLog<GatewayIdentifyRecord> Identifies { get; } = new();

    // When an interaction was written to the bot's socket (TimeProvider timestamp), by interaction id.
    private readonly Dictionary<string, long> _interactionDispatchedAt = new(StringComparer.Ordinal);

    public string? CurrentSessionId
    {
        get
        {
            lock (_gate)
            {
                return _latest?.Id;
            }
        }
    }

    public async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(Interlocked.Increment(ref _nextConnectionId), socket, context, options.TimeProvider);
        lock (_gate)
        {
            _current = connection;
            _open.Add(connection);
        }

        Connections.Add(new GatewayConnectionRecord(connection.Id, context.Request.Path.Value ?? string.Empty, context.Request.QueryString.Value ?? string.Empty));
        int? closeCode = null;
        var closedByClient = false;
        try
        {
            if (context.Request.Query["v"] != "10")
            {
                closeCode = 4012;
                await connection.CloseAsync((WebSocketCloseStatus)4012, CloseReason(4012));
                return;
            }

            await SendAsync(connection, new JsonObject { ["op"] = 10, ["d"] = new JsonObject { ["heartbeat_interval"] = (int)options.HeartbeatInterval.TotalMilliseconds } });
            var buffer = new ArrayBufferWriter<byte>(4096);
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.GetMemory(4096), context.RequestAborted);
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    closeCode = (int?)socket.CloseStatus;
                    closedByClient = true;
                    await connection.CloseAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "bye");
                    return;
                }

                if (connection.CountAndCheckRate(options.GatewaySendLimit, options.GatewaySendWindow))
                {
                    closeCode = 4008;
                    await connection.CloseAsync((WebSocketCloseStatus)4008, "Rate limited.");
                    return;
                }

                JsonObject frame;
                try
                {
                    frame = JsonNode.Parse(buffer.WrittenSpan) as JsonObject ?? throw new JsonException("not an object");
                }
                catch (JsonException)
                {
                    closeCode = 4002;
                    await connection.CloseAsync((WebSocketCloseStatus)4002, "Error while decoding payload.");
                    return;
                }

                var op = frame["op"]?.GetValue<int>() ?? -1;
                ClientFrames.Add(new GatewayClientFrame(connection.Id, op, frame["d"]?.DeepClone(), options.TimeProvider.GetTimestamp()));
                if (await HandleFrameAsync(connection, op, frame["d"]) is { } code)
                {
                    closeCode = code;
                    await connection.CloseAsync((WebSocketCloseStatus)code, CloseReason(code));
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ConnectionAbortedException)
        {
            closeCode ??= connection.ClosedWith;
        }
        finally
        {
            lock (_gate)
            {
                foreach (var session in _sessions.Values.Where(session => session.Connection == connection))
                {
                    session.Connection = null;
                }

                if (_current == connection)
                {
                    _current = null;
                }

                _open.Remove(connection);
            }

            Closures.Add(new GatewayConnectionClosed(connection.Id, closeCode ?? connection.ClosedWith, closedByClient));
        }
    }

    /// <summary>Appends a dispatch to the latest session and sends it when a connection is attached; returns its sequence.</summary>
    public async Task<long> DispatchAsync(string eventName, JsonNode? data)
    {
        Session session;
        lock (_gate)
        {
            session = _latest ?? throw new InvalidOperationException("No gateway session yet: the bot has not identified.");
            if (session.ShardCount > 1 && (data as JsonObject)?["guild_id"]?.GetValue<string>() is { } guildId
                && _byShard.TryGetValue(ShardOf(guildId, session.ShardCount), out var carrier))
            {
                session = carrier;
            }
        }

        await session.Lock.WaitAsync();
        try
        {
            var sequence = ++session.Sequence;
            var frame = new JsonObject { ["op"] = 0, ["t"] = eventName, ["s"] = sequence, ["d"] = data };
            session.Log.Add(frame);
            if (session.Connection is { } connection)
            {
                await TrySendDispatchAsync(connection, frame);
            }

            return sequence;
        }
        finally
        {
            session.Lock.Release();
        }
    }

    /// <summary>
    /// Sends a dispatch when a session exists whose Identify asked for <paramref name="intent"/> (Discord sends gated
    /// events only to sessions with the intent); otherwise nothing happens.
    /// </summary>
    public async Task DispatchIfIdentifiedAsync(string eventName, JsonNode data, int intent)
    {
        bool wanted;
        lock (_gate)
        {
            wanted = _latest is { } session && (session.Intents & intent) == intent;
        }

        if (wanted)
        {
            await DispatchAsync(eventName, data);
        }
    }

    /// <summary>The intents the latest session identified with; null before any Identify.</summary>
    public int? LatestIntents
    {
        get
        {
            lock (_gate)
            {
                return _latest?.Intents;
            }
        }
    }

    /// <summary>When INTERACTION_CREATE for <paramref name="interactionId"/> was written to the bot's socket, if it was.</summary>
    public long? DispatchedAt(string interactionId)
    {
        lock (_interactionDispatchedAt)
        {
            return _interactionDispatchedAt.TryGetValue(interactionId, out var at) ? at : null;
        }
    }

    public Task SendToCurrentAsync(JsonObject frame) =>
        CurrentConnection() is { } connection ? SendAsync(connection, frame) : throw new InvalidOperationException("No gateway connection is open.");

    public Task CloseCurrentAsync(int code, string reason)
    {
        var connection = CurrentConnection() ?? throw new InvalidOperationException("No gateway connection is open.");
        if (code is 4007 or 4009)
        {
            InvalidateLatestSession();
        }

        return connection.CloseAsync((WebSocketCloseStatus)code, reason);
    }

    public void DropCurrent()
    {
        var connection = CurrentConnection() ?? throw new InvalidOperationException("No gateway connection is open.");
        connection.Context.Abort();
    }

    /// <summary>Cuts every open connection (emulator shutdown), so stopping never waits on a long-lived WebSocket.</summary>
    public void AbortAll()
    {
        lock (_gate)
        {
            foreach (var connection in _open)
            {
                connection.Context.Abort();
            }
        }
    }

    public void StopAcknowledgingOnCurrent() =>
        (CurrentConnection() ?? throw new InvalidOperationException("No gateway connection is open.")).AcknowledgeHeartbeats = false;

    public void InvalidateLatestSession()
    {
        lock (_gate)
        {
            if (_latest is { } session)
            {
                _sessions.Remove(session.Id);
            }
        }
    }

    private static int ShardOf(string guildId, int shardCount) =>
        (int)((ulong.Parse(guildId, System.Globalization.CultureInfo.InvariantCulture) >> 22) % (ulong)shardCount);

    private static string CloseReason(int code) => code switch
    {
        4011 => "Sharding required.",
        4004 => "Authentication failed.",
        4005 => "Already authenticated.",
        4010 => "Invalid shard.",
        4012 => "Invalid API version.",
        4013 => "Invalid intent(s).",
        4014 => "Disallowed intent(s).",
        _ => "Closed by emulator.",
    };

    private Connection? CurrentConnection()
    {
        lock (_gate)
        {
            return _current;
        }
    }

    /// <summary>Returns a close code to end the connection with, or null to continue.</summary>
    private async Task<int?> HandleFrameAsync(Connection connection, int op, JsonNode? data)
    {
        switch (op)
        {
            case 1:
                if (connection.AcknowledgeHeartbeats)
                {
                    await SendAsync(connection, new JsonObject { ["op"] = 11 });
                }

                return null;
            case 2:
                return await IdentifyAsync(connection, data as JsonObject);
            case 6:
                return await ResumeAsync(connection, data as JsonObject);
            case 4:
                return await VoiceStateUpdateAsync(connection, data as JsonObject);
            case 3 or 8 or 31 or 43:
                return connection.Session is null ? 4003 : null;
            default:
                return 4001;
        }
    }

    private async Task<int?> IdentifyAsync(Connection connection, JsonObject? data)
    {
        if (connection.Session is not null)
        {
            return 4005;
        }

        if (data?["token"]?.GetValue<string>() != options.BotToken)
        {
            return 4004;
        }

        var intents = data["intents"]?.GetValue<int>() ?? -1;
        if (intents < 0 || intents >= 1 << 26)
        {
            return 4013;
        }

        if ((intents & options.DisallowedIntents) != 0)
        {
            return 4014;
        }

        if (data["shard"] is JsonArray { Count: 2 } shard && (shard[0]!.GetValue<int>() < 0 || shard[0]!.GetValue<int>() >= shard[1]!.GetValue<int>()))
        {
            return 4010;
        }

        var (shardId, shardCount) = data["shard"] is JsonArray { Count: 2 } pair ? (pair[0]!.GetValue<int>(), pair[1]!.GetValue<int>()) : (0, 1);
        if (options.RecommendedShards > 1 && shardCount < options.RecommendedShards)
        {
            return 4011;
        }

        var now = options.TimeProvider.GetTimestamp();
        bool accepted;
        lock (_gate)
        {
            var bucket = shardId % Math.Max(1, options.MaxConcurrency);
            accepted = !options.EnforceIdentifyConcurrency
                || !_bucketIdentifiedAt.TryGetValue(bucket, out var last)
                || options.TimeProvider.GetElapsedTime(last, now) >= options.IdentifyWindow;
            if (accepted)
            {
                _bucketIdentifiedAt[bucket] = now;
            }
        }

        Identifies.Add(new GatewayIdentifyRecord(connection.Id, shardId, shardCount, now, accepted));
        if (!accepted)
        {
            // Discord answers identifies beyond max_concurrency with INVALID_SESSION (not resumable).
            await SendAsync(connection, new JsonObject { ["op"] = 9, ["d"] = false });
            return null;
        }

        var session = new Session("emu-session-" + snowflakes.Next()) { Intents = intents, ShardId = shardId, ShardCount = shardCount };
        lock (_gate)
        {
            _sessions[session.Id] = session;
            _latest = session;
            _byShard[shardId] = session;
        }

        await session.Lock.WaitAsync();
        try
        {
            session.Connection = connection;
            connection.Session = session;
            var resumeUrl = new UriBuilder("ws", "127.0.0.1", connection.Context.Connection.LocalPort, "/gateway-resume").Uri.ToString();
            var guilds = guildCreates().Where(guild => shardCount == 1 || ShardOf(guild["id"]!.GetValue<string>(), shardCount) == shardId).ToList();
            await AppendAndSendAsync(session, connection, "READY", new JsonObject
            {
                ["v"] = 10,
                ["user"] = DiscordObjects.User(new EmulatedUser(options.BotUserId, options.BotUserName, null, Bot: true)),
                ["guilds"] = new JsonArray([.. guilds.Select(guild => (JsonNode)new JsonObject { ["id"] = guild["id"]!.DeepClone(), ["unavailable"] = true })]),
                ["session_id"] = session.Id,
                ["resume_gateway_url"] = resumeUrl,
                ["shard"] = data["shard"]?.DeepClone() ?? new JsonArray(0, 1),
                ["application"] = new JsonObject { ["id"] = options.ApplicationId, ["flags"] = 0 },
            });
            foreach (var guild in guilds)
            {
                await AppendAndSendAsync(session, connection, "GUILD_CREATE", guild);
            }
        }
        finally
        {
            session.Lock.Release();
        }

        return null;
    }

    private async Task<int?> ResumeAsync(Connection connection, JsonObject? data)
    {
        if (data?["token"]?.GetValue<string>() != options.BotToken)
        {
            return 4004;
        }

        Session? session;
        lock (_gate)
        {
            _sessions.TryGetValue(data["session_id"]?.GetValue<string>() ?? string.Empty, out session);
        }

        if (session is null)
        {
            await SendAsync(connection, new JsonObject { ["op"] = 9, ["d"] = false });
            return null;
        }

        var after = data["seq"]?.GetValue<long>() ?? 0;
        await session.Lock.WaitAsync();
        try
        {
            if (after > session.Sequence)
            {
                return 4007;
            }

            session.Connection = connection;
            connection.Session = session;
            foreach (var missed in session.Log.Where(frame => frame["s"]!.GetValue<long>() > after).ToList())
            {
                await TrySendDispatchAsync(connection, missed);
            }

            await AppendAndSendAsync(session, connection, "RESUMED", null);
        }
        finally
        {
            session.Lock.Release();
        }

        return null;
    }

    private async Task<int?> VoiceStateUpdateAsync(Connection connection, JsonObject? data)
    {
        if (connection.Session is not { } session)
        {
            return 4003;
        }

        var guildId = data?["guild_id"]?.GetValue<string>();
        var channelId = data?["channel_id"]?.GetValue<string>();
        await session.Lock.WaitAsync();
        try
        {
            var voiceState = new JsonObject
            {
                ["guild_id"] = guildId,
                ["channel_id"] = channelId,
                ["user_id"] = options.BotUserId,
                ["session_id"] = "emu-voice-" + snowflakes.Next(),
                ["deaf"] = false,
                ["mute"] = false,
                ["self_deaf"] = data?["self_deaf"]?.GetValue<bool>() ?? false,
                ["self_mute"] = data?["self_mute"]?.GetValue<bool>() ?? false,
                ["self_video"] = false,
                ["suppress"] = false,
                ["request_to_speak_timestamp"] = null,
            };
            if (guildId is not null && botMember(guildId) is { } member)
            {
                voiceState["member"] = member;
            }

            await AppendAndSendAsync(session, connection, "VOICE_STATE_UPDATE", voiceState);
            if (channelId is null)
            {
                await voice.BotLeftAsync(ulong.Parse(options.BotUserId, System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (guildId is not null && ulong.TryParse(channelId, System.Globalization.CultureInfo.InvariantCulture, out var voiceChannel))
            {
                var token = "emu-voice-token-" + snowflakes.Next();
                voice.IssueSession(guildId, voiceChannel, ulong.Parse(options.BotUserId, System.Globalization.CultureInfo.InvariantCulture), voiceState["session_id"]!.GetValue<string>(), token);
                await AppendAndSendAsync(session, connection, "VOICE_SERVER_UPDATE", new JsonObject
                {
                    ["guild_id"] = guildId,
                    ["token"] = token,
                    ["endpoint"] = options.VoiceEndpoint ?? voiceEndpoint(),
                });
            }
        }
        finally
        {
            session.Lock.Release();
        }

        return null;
    }

    // Callers hold session.Lock, which keeps sequence order on the wire equal to log order.
    private async Task AppendAndSendAsync(Session session, Connection connection, string eventName, JsonNode? data)
    {
        var frame = new JsonObject { ["op"] = 0, ["t"] = eventName, ["s"] = ++session.Sequence, ["d"] = data };
        session.Log.Add(frame);
        await TrySendDispatchAsync(connection, frame);
    }

    private async Task TrySendDispatchAsync(Connection connection, JsonObject frame)
    {
        try
        {
            await SendAsync(connection, frame);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException or ConnectionAbortedException)
        {
            // The bot dropped: the frame stays in the session log for Resume to replay.
        }
    }

    private async Task SendAsync(Connection connection, JsonObject frame)
    {
        var eventName = frame["t"]?.GetValue<string>();
        await connection.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame));
        if (eventName == "INTERACTION_CREATE" && frame["d"]?["id"]?.GetValue<string>() is { } interactionId)
        {
            lock (_interactionDispatchedAt)
            {
                _interactionDispatchedAt.TryAdd(interactionId, options.TimeProvider.GetTimestamp());
            }
        }

        ServerFrames.Add(new GatewayServerFrame(connection.Id, frame["op"]!.GetValue<int>(), eventName, frame["s"]?.GetValue<long>(), frame["d"]?.DeepClone()));
    }

    private sealed class Session(string id)
    {
        public string Id { get; } = id;

        public SemaphoreSlim Lock { get; } = new(1, 1);

        public long Sequence { get; set; }

        public int Intents { get; init; }

        public int ShardId { get; init; }

        public int ShardCount { get; init; } = 1;

        public List<JsonObject> Log { get; } = [];

        public Connection? Connection { get; set; }
    }

    private sealed class Connection(int id, WebSocket socket, HttpContext context, TimeProvider timeProvider)
    {
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly Queue<DateTimeOffset> _received = new();

        public int Id { get; } = id;

        public HttpContext Context { get; } = context;

        public Session? Session { get; set; }

        public bool AcknowledgeHeartbeats { get; set; } = true;

        public int? ClosedWith { get; private set; }

        public bool CountAndCheckRate(int limit, TimeSpan window)
        {
            var now = timeProvider.GetUtcNow();
            _received.Enqueue(now);
            while (now - _received.Peek() >= window)
            {
                _received.Dequeue();
            }

            return _received.Count > limit;
        }

        public async Task SendAsync(byte[] payload)
        {
            await _sendLock.WaitAsync();
            try
            {
                await socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, Context.RequestAborted);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        public async Task CloseAsync(WebSocketCloseStatus status, string reason)
        {
            ClosedWith ??= (int)status;
            await _sendLock.WaitAsync();
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(status, reason, Context.RequestAborted);
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                // Already gone.
            }
            finally
            {
                _sendLock.Release();
            }
        }
    }
}
