using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Receive;
using DiscordLedgerBot.Voice.Transport;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Voice.Connection;

/// <summary>
/// One receive-only voice session: voice WebSocket v8 (identify with <c>max_dave_protocol_version</c>, heartbeats with
/// <c>seq_ack</c>, resume with the server replaying what we missed), UDP (IP discovery, keepalive, RTP into the
/// <see cref="VoiceReceiver"/>) and the DAVE ops handed to a <see cref="DaveSession"/> whose answers go back on the
/// socket. The bot never sends audio, so it never sends op 5 nor RTP. <see cref="RunAsync"/> returns when the session
/// ends for good; the close-code policy (<see cref="VoiceClosePolicy"/>) decides between resume, rejoin and giving up.
/// </summary>
public sealed partial class VoiceConnection : IAsyncDisposable
{
    private readonly VoiceServerInfo _server;
    private readonly VoiceConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DaveSession _dave;
    private readonly VoiceReceiver _receiver;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly object _gate = new();
    private readonly HashSet<ulong> _members = [];
    private Socket? _udp;
    private IPEndPoint? _udpServer;
    private uint _ssrc;
    private TaskCompletionSource<(string Address, ushort Port)>? _discovery;
    private Task? _udpLoop;
    private CancellationTokenSource? _udpStop;
    private string? _mode;
    private long _lastSeq = -1;
    private long _pendingHeartbeat = -1;
    private int _resumes;
    private bool _sessionReady;
    private VoiceConnectionState _state = VoiceConnectionState.Connecting;

    public VoiceConnection(
        VoiceServerInfo server,
        VoiceConnectionOptions options,
        TimeProvider time,
        ILogger logger,
        IDaveMlsSessionFactory daveFactory,
        Action<HeardUtterance> onUtterance)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(daveFactory);
        _server = server;
        _options = options;
        _time = time;
        _logger = logger;
        _dave = new DaveSession(new DaveSessionOptions(server.UserId, server.ChannelId), daveFactory, time);
        _receiver = new VoiceReceiver(options.Receiver, time, _dave.GetDecryptor, onUtterance);
    }

    public VoiceServerInfo Server => _server;

    public VoiceConnectionStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new VoiceConnectionStatus(_state, _mode, _dave.ProtocolVersion, _dave.Epoch, _dave.VoicePrivacyCode, [.. _members.Order()], _resumes, _receiver.Counters);
            }
        }
    }

    /// <summary>Connects, and resumes after drops, until the session ends for good or <paramref name="cancellationToken"/> fires.</summary>
    public async Task<VoiceConnectionEnd> RunAsync(CancellationToken cancellationToken)
    {
        var resume = false;
        var failedResumes = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                SetState(resume ? VoiceConnectionState.Resuming : VoiceConnectionState.Connecting);
                var (closeCode, reachedServer) = await RunSocketAsync(resume, cancellationToken);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                var (action, reason) = VoiceClosePolicy.Decide(closeCode);
                failedResumes = reachedServer ? 0 : failedResumes + 1;
                if (action == VoiceCloseAction.Resume && _sessionReady && failedResumes < _options.MaxResumeAttempts)
                {
                    LogResuming(_logger, reason);
                    resume = true;
                    lock (_gate)
                    {
                        _resumes++;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(100 * failedResumes), _time, cancellationToken);
                    continue;
                }

                var rejoin = action != VoiceCloseAction.GiveUp;
                LogEnded(_logger, closeCode, reason);
                return new VoiceConnectionEnd(closeCode, reason, rejoin);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Leaving the channel.
        }
        finally
        {
            SetState(VoiceConnectionState.Closed);
        }

        return new VoiceConnectionEnd(1000, "left the channel", Rejoin: false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_udpStop is not null)
        {
            await _udpStop.CancelAsync();
        }

        _udp?.Dispose();
        if (_udpLoop is not null)
        {
            await _udpLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _udpStop?.Dispose();
        _receiver.Dispose();
        _dave.Dispose();
        _sendLock.Dispose();
    }

    private void SetState(VoiceConnectionState state)
    {
        lock (_gate)
        {
            _state = state;
        }
    }

    private async Task<(int? CloseCode, bool ReachedServer)> RunSocketAsync(bool resume, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        using var connectionStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reached = false;
        Task? heartbeat = null;
        try
        {
            await socket.ConnectAsync(new Uri($"{_options.Scheme}://{_server.Endpoint}/?v=8"), connectionStop.Token);
            var buffer = new ArrayBufferWriter<byte>(4096);
            while (true)
            {
                buffer.ResetWrittenCount();
                var (type, closed) = await ReceiveAsync(socket, buffer, connectionStop.Token);
                if (closed)
                {
                    return ((int?)socket.CloseStatus, reached);
                }

                if (type == WebSocketMessageType.Binary)
                {
                    await OnBinaryAsync(socket, buffer.WrittenSpan.ToArray(), connectionStop.Token);
                    continue;
                }

                using var document = JsonDocument.Parse(buffer.WrittenMemory);
                var root = document.RootElement;
                if (root.TryGetProperty("seq", out var seq) && seq.TryGetInt64(out var seqValue))
                {
                    Interlocked.Exchange(ref _lastSeq, seqValue);
                }

                var op = root.TryGetProperty("op", out var opElement) && opElement.TryGetInt32(out var parsed) ? parsed : -1;
                var data = root.TryGetProperty("d", out var d) ? d : default;
                switch (op)
                {
                    case 8:
                        reached = true;
                        var interval = TimeSpan.FromMilliseconds(data.GetProperty("heartbeat_interval").GetDouble());
                        Interlocked.Exchange(ref _pendingHeartbeat, -1);
                        heartbeat = HeartbeatAsync(socket, interval, connectionStop);
                        await SendJsonAsync(socket, resume && _sessionReady ? Resume() : Identify(), connectionStop.Token);
                        break;
                    case 2:
                        await OnReadyAsync(socket, data, connectionStop.Token);
                        break;
                    case 4:
                        await OnSessionDescriptionAsync(socket, data, connectionStop.Token);
                        break;
                    case 6:
                        Interlocked.Exchange(ref _pendingHeartbeat, -1);
                        break;
                    case 9:
                        LogResumed(_logger, Interlocked.Read(ref _lastSeq));
                        SetState(VoiceConnectionState.Connected);
                        break;
                    case 5:
                        OnSpeaking(data);
                        break;
                    case 11:
                        if (data.TryGetProperty("user_ids", out var ids) && ids.ValueKind == JsonValueKind.Array)
                        {
                            lock (_gate)
                            {
                                foreach (var id in ids.EnumerateArray())
                                {
                                    if (ulong.TryParse(id.GetString(), out var userId))
                                    {
                                        _members.Add(userId);
                                    }
                                }
                            }
                        }

                        await SendDaveAsync(socket, _dave.HandleJson(op, data), connectionStop.Token);
                        break;
                    case 13:
                        if (data.TryGetProperty("user_id", out var left) && ulong.TryParse(left.GetString(), out var leftId))
                        {
                            lock (_gate)
                            {
                                _members.Remove(leftId);
                            }

                            _receiver.RemoveUser(leftId);
                        }

                        await SendDaveAsync(socket, _dave.HandleJson(op, data), connectionStop.Token);
                        break;
                    case 21 or 22 or 24:
                        await SendDaveAsync(socket, _dave.HandleJson(op, data), connectionStop.Token);
                        break;
                    default:
                        // Ops 10, 12, 14-20 are undocumented (media sink wants, flags, platform): nothing for a receiver.
                        break;
                }
            }
        }
        catch (WebSocketException exception)
        {
            LogSocketFailed(_logger, exception.Message);
            return (null, reached);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The heartbeat found the connection a zombie and cancelled it: treat as a drop.
            return (null, reached);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            LogBadMessage(_logger, exception.Message);
            await TryCloseAsync(socket, WebSocketCloseStatus.ProtocolError);
            return (null, reached);
        }
        finally
        {
            await connectionStop.CancelAsync();
            if (heartbeat is not null)
            {
                await heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                await TryCloseAsync(socket, WebSocketCloseStatus.NormalClosure);
            }
        }
    }

    private static async Task<(WebSocketMessageType Type, bool Closed)> ReceiveAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, true);
            }

            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, false);
            }
        }
    }

    private async Task HeartbeatAsync(ClientWebSocket socket, TimeSpan interval, CancellationTokenSource connection)
    {
        try
        {
            while (!connection.IsCancellationRequested)
            {
                await Task.Delay(interval, _time, connection.Token);
                if (Interlocked.Read(ref _pendingHeartbeat) >= 0)
                {
                    // No ack since the last beat: a zombie connection; drop it and resume.
                    LogZombie(_logger);
                    socket.Abort();
                    await connection.CancelAsync();
                    return;
                }

                var nonce = _time.GetUtcNow().ToUnixTimeMilliseconds();
                Interlocked.Exchange(ref _pendingHeartbeat, nonce);
                await SendJsonAsync(socket, new JsonObject { ["op"] = 3, ["d"] = new JsonObject { ["t"] = nonce, ["seq_ack"] = Interlocked.Read(ref _lastSeq) } }, connection.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The receive loop sees the same end of the connection.
        }
    }

    private JsonObject Identify() => new()
    {
        ["op"] = 0,
        ["d"] = new JsonObject
        {
            ["server_id"] = _server.GuildId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["user_id"] = _server.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["session_id"] = _server.SessionId,
            ["token"] = _server.Token,
            ["max_dave_protocol_version"] = _options.MaxDaveProtocolVersion,
        },
    };

    private JsonObject Resume() => new()
    {
        ["op"] = 7,
        ["d"] = new JsonObject
        {
            ["server_id"] = _server.GuildId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["session_id"] = _server.SessionId,
            ["token"] = _server.Token,
            ["seq_ack"] = Interlocked.Read(ref _lastSeq),
        },
    };

    private async Task OnReadyAsync(ClientWebSocket socket, JsonElement data, CancellationToken cancellationToken)
    {
        _ssrc = data.GetProperty("ssrc").GetUInt32();
        var modes = data.GetProperty("modes").EnumerateArray().Select(m => m.GetString() ?? string.Empty).ToList();
        var mode = VoiceEncryptionModes.Choose(modes)
            ?? throw new InvalidOperationException($"The voice server offered no supported encryption mode ({string.Join(", ", modes)}).");
        var address = IPAddress.Parse(data.GetProperty("ip").GetString()!);
        _udpServer = new IPEndPoint(address, data.GetProperty("port").GetInt32());
        StartUdp(address.AddressFamily);
        var (externalAddress, externalPort) = await DiscoverAsync(cancellationToken);
        await SendJsonAsync(socket, new JsonObject
        {
            ["op"] = 1,
            ["d"] = new JsonObject
            {
                ["protocol"] = "udp",
                ["data"] = new JsonObject { ["address"] = externalAddress, ["port"] = externalPort, ["mode"] = mode.WireName() },
            },
        }, cancellationToken);
    }

    private async Task OnSessionDescriptionAsync(ClientWebSocket socket, JsonElement data, CancellationToken cancellationToken)
    {
        var modeName = data.GetProperty("mode").GetString();
        if (!VoiceEncryptionModes.TryParse(modeName, out var mode))
        {
            throw new InvalidOperationException($"The voice server chose an unsupported mode {modeName}.");
        }

        var key = data.GetProperty("secret_key").EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray();
        _receiver.SetCipher(new VoiceTransportCipher(mode, key));
        CryptographicClear(key);
        lock (_gate)
        {
            _mode = modeName;
            _state = VoiceConnectionState.Connected;
        }

        _sessionReady = true;
        await SendDaveAsync(socket, _dave.HandleJson(4, data), cancellationToken);
        LogSessionReady(_logger, _server.ChannelId, modeName!, _dave.ProtocolVersion);
    }

    private void OnSpeaking(JsonElement data)
    {
        if (data.TryGetProperty("user_id", out var user) && ulong.TryParse(user.GetString(), out var userId)
            && data.TryGetProperty("ssrc", out var ssrc) && ssrc.TryGetUInt32(out var ssrcValue))
        {
            var speaking = data.TryGetProperty("speaking", out var flags) && flags.TryGetInt32(out var bits) && bits != 0;
            _receiver.OnSpeaking(userId, ssrcValue, speaking);
        }
    }

    private async Task OnBinaryAsync(ClientWebSocket socket, byte[] message, CancellationToken cancellationToken)
    {
        if (message.Length >= 2)
        {
            Interlocked.Exchange(ref _lastSeq, BinaryPrimitives.ReadUInt16BigEndian(message));
        }

        await SendDaveAsync(socket, _dave.HandleBinary(message), cancellationToken);
    }

    private async Task SendDaveAsync(ClientWebSocket socket, DaveStep step, CancellationToken cancellationToken)
    {
        foreach (var sessionEvent in step.Events)
        {
            switch (sessionEvent)
            {
                case DaveEpochPrepared epoch:
                    LogEpoch(_logger, epoch.Epoch, epoch.Members.Count);
                    break;
                case DaveTransitionExecuted executed:
                    LogTransition(_logger, executed.TransitionId, executed.ProtocolVersion);
                    break;
                case DaveCommitOrWelcomeRejected rejected:
                    LogDaveRejected(_logger, (int)rejected.Opcode, rejected.Reason);
                    break;
                case DaveInputIgnored ignored:
                    LogDaveIgnored(_logger, ignored.Opcode, ignored.Reason);
                    break;
            }
        }

        foreach (var message in step.Outbound)
        {
            switch (message)
            {
                case DaveJsonMessage json:
                    await SendAsync(socket, Encoding.UTF8.GetBytes(json.Json), WebSocketMessageType.Text, cancellationToken);
                    break;
                case DaveBinaryMessage binary:
                    await SendAsync(socket, binary.Bytes, WebSocketMessageType.Binary, cancellationToken);
                    break;
            }
        }
    }

    private Task SendJsonAsync(ClientWebSocket socket, JsonObject payload, CancellationToken cancellationToken) =>
        SendAsync(socket, JsonSerializer.SerializeToUtf8Bytes(payload), WebSocketMessageType.Text, cancellationToken);

    private async Task SendAsync(ClientWebSocket socket, byte[] payload, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(payload, type, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private static async Task TryCloseAsync(ClientWebSocket socket, WebSocketCloseStatus status)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(status, null, timeout.Token);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                // The peer is gone already.
            }
        }
    }

    private void StartUdp(AddressFamily family)
    {
        if (_udp is not null)
        {
            return;
        }

        _udp = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        _udp.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        _udpStop = new CancellationTokenSource();
        _udpLoop = Task.Run(() => UdpLoopAsync(_udp, _udpStop.Token));
    }

    private async Task<(string Address, ushort Port)> DiscoverAsync(CancellationToken cancellationToken)
    {
        var discovery = new TaskCompletionSource<(string, ushort)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _discovery, discovery);
        await _udp!.SendToAsync(IpDiscovery.CreateRequest(_ssrc), _udpServer!, cancellationToken);
        return await discovery.Task.WaitAsync(_options.IpDiscoveryTimeout, _time, cancellationToken);
    }

    private async Task UdpLoopAsync(Socket udp, CancellationToken cancellationToken)
    {
        var keepAlive = KeepAliveAsync(udp, cancellationToken);
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(udp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var received = await udp.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
                var datagram = buffer.AsSpan(0, received.ReceivedBytes);
                if (Volatile.Read(ref _discovery) is { } discovery && IpDiscovery.TryParseResponse(datagram, _ssrc, out var address, out var port))
                {
                    discovery.TrySetResult((address, port));
                    continue;
                }

                _receiver.OnDatagram(datagram);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Leaving: the socket closed under the receive.
        }

        await keepAlive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task KeepAliveAsync(Socket udp, CancellationToken cancellationToken)
    {
        var packet = new byte[8];
        uint counter = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_options.UdpKeepAliveInterval, _time, cancellationToken);
            BinaryPrimitives.WriteUInt32LittleEndian(packet, counter++);
            await udp.SendToAsync(packet, _udpServer!, cancellationToken);
        }
    }

    private static void CryptographicClear(byte[] key) => System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Voice session ready in channel {ChannelId}: {Mode}, DAVE protocol {DaveVersion}")]
    private static partial void LogSessionReady(ILogger logger, ulong channelId, string mode, int daveVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Voice connection lost ({Reason}); resuming")]
    private static partial void LogResuming(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Voice session resumed at sequence {Sequence}")]
    private static partial void LogResumed(ILogger logger, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Voice session ended (close code {CloseCode}): {Reason}")]
    private static partial void LogEnded(ILogger logger, int? closeCode, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Voice WebSocket failed: {Message}")]
    private static partial void LogSocketFailed(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Voice server sent a message we could not read ({Message}); reconnecting")]
    private static partial void LogBadMessage(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Voice heartbeat not acknowledged; dropping the connection to resume")]
    private static partial void LogZombie(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "DAVE epoch {Epoch} prepared with {Members} members")]
    private static partial void LogEpoch(ILogger logger, ulong epoch, int members);

    [LoggerMessage(Level = LogLevel.Information, Message = "DAVE transition {TransitionId} executed: protocol {ProtocolVersion}")]
    private static partial void LogTransition(ILogger logger, int transitionId, int protocolVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DAVE op {Opcode} rejected: {Reason}")]
    private static partial void LogDaveRejected(ILogger logger, int opcode, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DAVE op {Opcode} ignored: {Reason}")]
    private static partial void LogDaveIgnored(ILogger logger, int opcode, string reason);
}
