using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace DiscordLedgerBot.Emulators.Discord.Voice;

/// <summary>How an emulated member plays a clip into a call.</summary>
public sealed record VoicePlayOptions
{
    /// <summary>Packets lost on the way to the bot (deterministic per <see cref="LossSeed"/>), in percent.</summary>
    public int PacketLossPercent { get; init; }

    public int LossSeed { get; init; } = 7;

    /// <summary>Time between frames on the emulator's clock; zero sends as fast as the socket takes them (tests).</summary>
    public TimeSpan Pacing { get; init; }

    /// <summary>Runs before frame N is sent (a member joins mid-utterance, the socket drops...).</summary>
    public Func<int, Task>? BeforeFrame { get; init; }
}

/// <summary>What a play sent: frames (voice + the 5 trailing silence frames) and how many were "lost".</summary>
public sealed record VoicePlayResult(int Frames, int Dropped, uint Ssrc);

/// <summary>
/// The emulator's voice server (voice gateway v8 + UDP on 127.0.0.1): the gateway answers op 4 with a session on it;
/// the bot's voice WebSocket lands at <c>ws://127.0.0.1:port/?v=8</c>. It speaks Discord's handshake (hello, identify,
/// ready, IP discovery, select protocol, session description), heartbeats, buffered resume, speaking and clients
/// connect/disconnect, and DAVE as the voice gateway for emulated members (<see cref="EmulatedVoiceCall"/>). Members
/// play clips: Opus-encoded, DAVE-protected by the member's own session, transport-encrypted for the bot.
/// </summary>
public sealed class EmulatedVoiceServer : IDisposable
{
    private readonly DiscordEmulatorOptions _options;
    private readonly Socket _udp;
    private readonly ConcurrentDictionary<ulong, EmulatedVoiceCall> _calls = new();
    private readonly ConcurrentDictionary<string, EmulatedVoiceBot> _byToken = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly IDaveMlsSessionFactory _mls = new MlsDaveSessionFactory();
    private readonly Func<ulong, ulong?, Task> _memberVoiceState;
    private uint _nextBotSsrc = 1;

    /// <param name="memberVoiceState">Announces a member joining (channel) or leaving (null) voice on the main gateway.</param>
    internal EmulatedVoiceServer(DiscordEmulatorOptions options, Func<ulong, ulong?, Task> memberVoiceState)
    {
        _options = options;
        _memberVoiceState = memberVoiceState;
        _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        UdpPort = ((IPEndPoint)_udp.LocalEndPoint!).Port;
        _udpLoop = Task.Run(UdpLoopAsync);
    }

    public int UdpPort { get; }

    /// <summary>Voice WebSocket connections (1 per connect, resumes included) and how each ended.</summary>
    public ObservableLog<(int CloseCode, string Reason)> Closures { get; } = new();

    /// <summary>Every op the bot sent on its voice WebSocket, across connections.</summary>
    public ObservableLog<int> ClientOps { get; } = new();

    public EmulatedVoiceCall Call(ulong channelId) =>
        _calls.GetOrAdd(channelId, id => new EmulatedVoiceCall(string.Empty, id, _options.VoiceDaveProtocolVersion, _mls, _options.TimeProvider));

    /// <summary>Called by the gateway on op 4: a voice session for the bot in that channel; returns its token.</summary>
    internal string IssueSession(string guildId, ulong channelId, ulong botUserId, string sessionId, string token)
    {
        var bot = new EmulatedVoiceBot(botUserId, ulong.Parse(guildId, CultureInfo.InvariantCulture), channelId, sessionId, token, _nextBotSsrc++);
        _byToken[token] = bot;
        return token;
    }

    /// <summary>The bot left the channel (op 4 with a null channel): it leaves every call and its sockets close.</summary>
    internal async Task BotLeftAsync(ulong botUserId)
    {
        foreach (var bot in _byToken.Values.Where(b => b.UserId == botUserId).ToList())
        {
            _byToken.TryRemove(bot.Token, out _);
            await Call(bot.ChannelId).BotLeftAsync(botUserId);
            if (bot.Socket is { } socket)
            {
                await CloseAsync(socket, 4014, "Disconnected.");
            }
        }
    }

    /// <summary>An emulated member joins the voice channel: VOICE_STATE_UPDATE on the main gateway, op 11 to the bot, DAVE join.</summary>
    public async Task AddMemberAsync(ulong channelId, ulong userId)
    {
        if (Call(channelId).UserIds.Contains(userId))
        {
            return;
        }

        await _memberVoiceState(userId, channelId);
        await Call(channelId).AddMemberAsync(userId);
    }

    public async Task RemoveMemberAsync(ulong channelId, ulong userId)
    {
        await Call(channelId).RemoveMemberAsync(userId);
        await _memberVoiceState(userId, null);
    }

    /// <summary>Cuts the bot's voice WebSocket without a close frame (it should resume).</summary>
    public void DropBotConnection(ulong channelId)
    {
        if (Call(channelId).Bot?.Socket is { } socket)
        {
            socket.Abort();
        }
    }

    public async Task CloseBotConnectionAsync(ulong channelId, int closeCode)
    {
        if (Call(channelId).Bot?.Socket is { } socket)
        {
            await CloseAsync(socket, closeCode, "Closed by emulator.");
        }
    }

    /// <summary>
    /// <paramref name="userId"/> (a member of the call) speaks <paramref name="clip"/>: op 5 on, the Opus frames, five
    /// silence frames, op 5 off. Needs the bot connected with a session description.
    /// </summary>
    /// <exception cref="InvalidOperationException">The bot is not in the channel, or the user is not a member.</exception>
    public async Task<VoicePlayResult> PlayAsync(ulong channelId, ulong userId, VoiceClip clip, VoicePlayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(clip);
        options ??= new VoicePlayOptions();
        var call = Call(channelId);
        var bot = call.Bot ?? throw new InvalidOperationException($"The bot is not connected to voice channel {channelId}.");
        if (!call.UserIds.Contains(userId))
        {
            throw new InvalidOperationException($"User {userId} is not in voice channel {channelId}.");
        }

        if (bot.UdpEndpoint is not { } endpoint || !VoiceEncryptionModes.TryParse(bot.Mode, out var mode))
        {
            throw new InvalidOperationException("The bot has not selected a protocol yet.");
        }

        var frames = clip.EncodeOpus().ToList();
        frames.AddRange(Enumerable.Repeat(DaveFrameFormat.OpusSilenceFrame.ToArray(), 5));
        var random = new Random(options.LossSeed);
        var ssrc = call.SsrcOf(userId);
        using var cipher = new VoiceTransportCipher(mode, bot.SecretKey);
        var packet = new byte[2048];
        var header = new byte[16];
        var plaintext = new byte[2048];
        uint timestamp = (uint)random.Next();
        var dropped = 0;
        await call.SpeakingAsync(userId, true);
        for (var i = 0; i < frames.Count; i++)
        {
            if (options.BeforeFrame is { } before)
            {
                await before(i);
            }

            var media = call.ProtectMedia(userId, frames[i]);

            // Every other packet carries a one-byte-header extension (as Discord's do) to exercise stripping its encrypted body.
            var extensionWords = i % 2;
            var headerLength = RtpHeader.Write(header, bot.NextRtpSequence++, timestamp, ssrc, extensionWords);
            var plainLength = 0;
            if (extensionWords > 0)
            {
                plaintext[0] = 0x10;
                plaintext[1] = 0x7F;
                plaintext[2] = 0;
                plaintext[3] = 0;
                plainLength = 4;
            }

            media.CopyTo(plaintext.AsSpan(plainLength));
            plainLength += media.Length;
            var length = cipher.Encrypt(header.AsSpan(0, headerLength), plaintext.AsSpan(0, plainLength), bot.NextNonce++, packet);
            timestamp += VoiceClip.FrameSamples;
            if (random.Next(100) < options.PacketLossPercent)
            {
                dropped++;
            }
            else
            {
                await _udp.SendToAsync(packet.AsMemory(0, length), endpoint);
            }

            if (options.Pacing > TimeSpan.Zero)
            {
                await Task.Delay(options.Pacing, _options.TimeProvider);
            }
        }

        await call.SpeakingAsync(userId, false);
        return new VoicePlayResult(frames.Count, dropped, ssrc);
    }

    /// <summary>Sends raw bytes to the bot's UDP socket (fuzzing: garbage, forgeries, replays).</summary>
    public async Task SendRawAsync(ulong channelId, ReadOnlyMemory<byte> datagram)
    {
        if (Call(channelId).Bot?.UdpEndpoint is { } endpoint)
        {
            await _udp.SendToAsync(datagram, endpoint);
        }
    }

    internal async Task AcceptAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        EmulatedVoiceBot? bot = null;
        int? closeCode = null;
        try
        {
            if (context.Request.Query["v"] != "8")
            {
                closeCode = 4020;
                await CloseAsync(socket, 4020, "Voice gateway version 8 required.");
                return;
            }

            var hello = new JsonObject { ["op"] = 8, ["d"] = new JsonObject { ["heartbeat_interval"] = _options.VoiceHeartbeatInterval.TotalMilliseconds } };
            await SendRawAsync(socket, hello);
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
                    return;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    var bytes = buffer.WrittenSpan.ToArray();
                    if (bot is null || bytes.Length == 0)
                    {
                        closeCode = 4003;
                        await CloseAsync(socket, 4003, "Not authenticated.");
                        return;
                    }

                    ClientOps.Add(bytes[0]);
                    await Call(bot.ChannelId).FromBotAsync(bot.UserId, new DaveBinaryMessage((DaveOpcode)bytes[0], bytes));
                    continue;
                }

                var frame = JsonNode.Parse(buffer.WrittenSpan) as JsonObject;
                var op = frame?["op"]?.GetValue<int>() ?? -1;
                var data = frame?["d"] as JsonObject;
                ClientOps.Add(op);
                if (op is not (0 or 3 or 7) && bot is null)
                {
                    closeCode = 4003;
                    await CloseAsync(socket, 4003, "Not authenticated.");
                    return;
                }

                switch (op)
                {
                    case 0:
                        (bot, var refusedWith) = await IdentifyAsync(socket, data);
                        if (bot is null)
                        {
                            closeCode = refusedWith;
                            return;
                        }

                        break;
                    case 1:
                        if (await SelectProtocolAsync(bot!, data) is { } refused)
                        {
                            closeCode = refused;
                            await CloseAsync(socket, refused, refused == 4016 ? "Unknown encryption mode." : "Unknown protocol.");
                            return;
                        }

                        break;
                    case 3:
                        await SendRawAsync(socket, new JsonObject { ["op"] = 6, ["d"] = new JsonObject { ["t"] = data?["t"]?.DeepClone() } });
                        break;
                    case 7:
                        bot = _byToken.TryGetValue(data?["token"]?.GetValue<string>() ?? string.Empty, out var resumed)
                            && resumed.SessionId == data?["session_id"]?.GetValue<string>() ? resumed : null;
                        if (bot is null)
                        {
                            closeCode = 4006;
                            await CloseAsync(socket, 4006, "Session no longer valid.");
                            return;
                        }

                        await bot.ResumeAsync(socket, data?["seq_ack"]?.GetValue<long>() ?? -1);
                        break;
                    case 23 or 31:
                        await Call(bot!.ChannelId).FromBotAsync(bot.UserId, new DaveJsonMessage((DaveOpcode)op, frame!.ToJsonString()));
                        break;
                    default:
                        break;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ConnectionAbortedException or JsonException or InvalidOperationException)
        {
            closeCode ??= 1006;
        }
        finally
        {
            bot?.Detach(socket);
            Closures.Add((closeCode ?? 1006, closeCode is null ? "dropped" : "closed"));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _udpLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        _stop.Dispose();
    }

    private async Task<(EmulatedVoiceBot? Bot, int RefusedWith)> IdentifyAsync(WebSocket socket, JsonObject? data)
    {
        if (!_byToken.TryGetValue(data?["token"]?.GetValue<string>() ?? string.Empty, out var bot)
            || bot.SessionId != data?["session_id"]?.GetValue<string>()
            || data?["user_id"]?.GetValue<string>() != bot.UserId.ToString(CultureInfo.InvariantCulture)
            || data?["server_id"]?.GetValue<string>() != bot.GuildId.ToString(CultureInfo.InvariantCulture))
        {
            await CloseAsync(socket, 4004, "Authentication failed.");
            return (null, 4004);
        }

        var maxDave = data?["max_dave_protocol_version"]?.GetValue<int>() ?? 0;
        if (_options.VoiceDaveProtocolVersion > 0 && maxDave < _options.VoiceDaveProtocolVersion && _options.VoiceRequireDave)
        {
            await CloseAsync(socket, 4017, "E2EE/DAVE protocol required.");
            return (null, 4017);
        }

        bot.Attach(socket);
        await SendRawAsync(socket, new JsonObject
        {
            ["op"] = 2,
            ["d"] = new JsonObject
            {
                ["ssrc"] = bot.Ssrc,
                ["ip"] = "127.0.0.1",
                ["port"] = UdpPort,
                ["modes"] = new JsonArray([.. _options.VoiceModes.Select(m => (JsonNode)m)]),
                ["heartbeat_interval"] = 1,
            },
        });
        return (bot, 0);
    }

    private async Task<int?> SelectProtocolAsync(EmulatedVoiceBot bot, JsonObject? data)
    {
        if (data?["protocol"]?.GetValue<string>() != "udp" || data["data"] is not JsonObject udp)
        {
            return 4012;
        }

        var mode = udp["mode"]?.GetValue<string>();
        if (mode is null || !_options.VoiceModes.Contains(mode))
        {
            return 4016;
        }

        bot.Mode = mode;
        bot.UdpEndpoint = new IPEndPoint(IPAddress.Parse(udp["address"]!.GetValue<string>()), udp["port"]!.GetValue<int>());
        await Call(bot.ChannelId).BotSessionReadyAsync(bot);
        return null;
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                if (IpDiscovery.TryParseRequest(buffer.AsSpan(0, received.ReceivedBytes), out var ssrc) && received.RemoteEndPoint is IPEndPoint from)
                {
                    await _udp.SendToAsync(IpDiscovery.CreateResponse(ssrc, from.Address.ToString(), (ushort)from.Port), from);
                }

                // Anything else is a keepalive; a receive-only bot sends no media.
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A peer went away (ICMP port unreachable on loopback); keep serving the others.
            }
        }
    }

    private static async Task SendRawAsync(WebSocket socket, JsonObject frame)
    {
        try
        {
            await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException)
        {
            // The receive loop sees the same end.
        }
    }

    private static async Task CloseAsync(WebSocket socket, int code, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, timeout.Token);
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Already gone.
        }
    }
}
