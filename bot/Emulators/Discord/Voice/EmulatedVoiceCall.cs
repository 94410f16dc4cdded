using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Voice.Dave;

namespace DiscordLedgerBot.Emulators.Discord.Voice;

/// <summary>
/// One voice channel's call on the emulated voice server: the bot (over its voice WebSocket) and emulated members (each
/// a real <see cref="DaveSession"/> on our MLS, in process). With DAVE on, the call is the voice gateway of the DAVE
/// protocol: it sends the external sender (op 25), collects key packages, proposes Adds/Removes as external sender
/// (op 27), picks the first commit of an epoch and announces it (op 29), welcomes joiners (op 30), waits for every
/// member's op 23 and executes (op 22). Every server message to the bot carries a sequence and is kept for resume.
/// </summary>
public sealed class EmulatedVoiceCall(string guildId, ulong channelId, int daveProtocolVersion, IDaveMlsSessionFactory mlsFactory, TimeProvider time)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<ulong, Participant> _participants = [];
    private readonly EmulatedMlsAuthority _authority = new(channelId);
    private readonly Dictionary<ulong, byte[]> _keyPackages = [];
    private readonly HashSet<ulong> _members = [];
    private readonly HashSet<ulong> _pendingJoiners = [];
    private readonly HashSet<ulong> _ready = [];
    private readonly Queue<(ulong From, DaveOutboundMessage Message)> _inbox = new();
    private uint _nextSsrc = 1000;
    private bool _awaitingCommit;
    private int _pendingTransition;
    private int _nextTransitionId = 1;

    public string GuildId { get; } = guildId;

    public ulong ChannelId { get; } = channelId;

    public int DaveProtocolVersion { get; } = daveProtocolVersion;

    /// <summary>Executed DAVE transitions in order, with the members of the new epoch.</summary>
    public ObservableLog<(int TransitionId, IReadOnlyList<ulong> Members)> Transitions { get; } = new();

    /// <summary>Messages the bot sent on its voice WebSocket, as (op, JSON or hex).</summary>
    public ObservableLog<(int Op, string Body)> FromBot { get; } = new();

    public EmulatedVoiceBot? Bot { get; private set; }

    public IReadOnlyCollection<ulong> UserIds => [.. _participants.Keys];

    public DaveSession? MemberSession(ulong userId) => _participants.TryGetValue(userId, out var p) ? p.Local : null;

    public uint SsrcOf(ulong userId) => _participants[userId].Ssrc;

    /// <summary>An emulated member joins the channel (op 11 to everyone else; DAVE join when on).</summary>
    public async Task AddMemberAsync(ulong userId)
    {
        await _lock.WaitAsync();
        try
        {
            if (_participants.ContainsKey(userId))
            {
                return;
            }

            var session = DaveProtocolVersion > 0 ? new DaveSession(new DaveSessionOptions(userId, ChannelId), mlsFactory, time) : null;
            var participant = new Participant(userId, _nextSsrc++, session, null);
            await JoinAsync(participant);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task RemoveMemberAsync(ulong userId)
    {
        await _lock.WaitAsync();
        try
        {
            await LeaveAsync(userId);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The bot's voice session reached session description: it joins the call (and the DAVE group).</summary>
    public async Task BotSessionReadyAsync(EmulatedVoiceBot bot)
    {
        await _lock.WaitAsync();
        try
        {
            if (Bot is { } previous && previous.UserId == bot.UserId)
            {
                await LeaveAsync(previous.UserId);
            }

            Bot = bot;
            await JoinAsync(new Participant(bot.UserId, bot.Ssrc, null, bot));
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task BotLeftAsync(ulong botUserId)
    {
        await _lock.WaitAsync();
        try
        {
            await LeaveAsync(botUserId);
            Bot = null;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A DAVE op (23, 26, 28, 31) the bot sent.</summary>
    public async Task FromBotAsync(ulong botUserId, DaveOutboundMessage message)
    {
        await _lock.WaitAsync();
        try
        {
            _inbox.Enqueue((botUserId, message));
            await PumpAsync();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Sends op 5 (speaking on/off) for a member to the bot.</summary>
    public async Task SpeakingAsync(ulong userId, bool speaking)
    {
        await _lock.WaitAsync();
        try
        {
            if (Bot is { } bot)
            {
                await bot.SendJsonAsync(5, new JsonObject { ["user_id"] = Id(userId), ["ssrc"] = _participants[userId].Ssrc, ["speaking"] = speaking ? 1 : 0 });
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The DAVE frame a member sends for one Opus frame (passthrough while its encryptor has no key).</summary>
    public byte[] ProtectMedia(ulong userId, ReadOnlySpan<byte> opus)
    {
        if (_participants[userId].Local is not { } session || DaveFrameFormat.IsOpusSilence(opus))
        {
            return opus.ToArray();
        }

        var frame = new byte[DaveEncryptor.GetMaxFrameLength(opus.Length, [])];
        var length = session.Encryptor.Encrypt(opus, [], frame);
        return frame[..length];
    }

    private async Task JoinAsync(Participant joiner)
    {
        foreach (var other in _participants.Values)
        {
            await SendJsonAsync(other, 11, new JsonObject { ["user_ids"] = new JsonArray(Id(joiner.UserId)) });
        }

        _participants[joiner.UserId] = joiner;
        if (joiner.Bot is { } bot)
        {
            await bot.SendSessionDescriptionAsync(DaveProtocolVersion);
        }

        var others = new JsonArray([.. _participants.Keys.Where(k => k != joiner.UserId).Select(k => (JsonNode)Id(k))]);
        await SendJsonAsync(joiner, 11, new JsonObject { ["user_ids"] = others });
        if (joiner.Local is { } local)
        {
            Deliver(joiner.UserId, local.HandleJson(4, Json($$"""{"mode":"aead_aes256_gcm_rtpsize","dave_protocol_version":{{DaveProtocolVersion}}}""")));
        }

        if (DaveProtocolVersion > 0)
        {
            await SendBinaryAsync(joiner, DaveOpcode.MlsExternalSenderPackage, _authority.ExternalSenderPackage);
        }

        await PumpAsync();
    }

    private async Task LeaveAsync(ulong userId)
    {
        if (!_participants.Remove(userId, out var leaving))
        {
            return;
        }

        leaving.Local?.Dispose();
        _keyPackages.Remove(userId);
        _pendingJoiners.Remove(userId);
        foreach (var other in _participants.Values)
        {
            await SendJsonAsync(other, 13, new JsonObject { ["user_id"] = Id(userId) });
        }

        if (_members.Remove(userId) && _members.Count > 0)
        {
            await ProposeAsync(_authority.ProposeRemove([userId]));
        }
        else if (_members.Count == 0)
        {
            _awaitingCommit = false;
        }

        await PumpAsync();
    }

    private async Task ProposeAsync(byte[] proposals)
    {
        _awaitingCommit = true;
        foreach (var member in _members.ToList())
        {
            await SendBinaryAsync(_participants[member], DaveOpcode.MlsProposals, [0, .. proposals]);
        }
    }

    private async Task PumpAsync()
    {
        while (_inbox.TryDequeue(out var item))
        {
            if (!_participants.ContainsKey(item.From))
            {
                continue;
            }

            switch (item.Message)
            {
                case DaveBinaryMessage { Opcode: DaveOpcode.MlsKeyPackage } keyPackage:
                    await OnKeyPackageAsync(item.From, keyPackage.Bytes[1..]);
                    break;
                case DaveBinaryMessage { Opcode: DaveOpcode.MlsCommitWelcome } commit:
                    await OnCommitAsync(commit.Bytes[1..]);
                    break;
                case DaveJsonMessage { Opcode: DaveOpcode.ReadyForTransition } ready:
                    await OnReadyAsync(item.From, TransitionId(ready.Json));
                    break;
                case DaveJsonMessage { Opcode: DaveOpcode.MlsInvalidCommitWelcome }:
                    // The member resets and sends a fresh key package, which re-adds it.
                    break;
            }
        }
    }

    private async Task OnKeyPackageAsync(ulong from, byte[] keyPackage)
    {
        _keyPackages[from] = keyPackage;
        if (_members.Count == 0 || (_members.Count == 1 && _members.Contains(from)))
        {
            // First in the call: its one-member pending group is the group once someone else is added.
            _members.Clear();
            _members.Add(from);
            _authority.Founder(from);
            if (_pendingJoiners.Count > 0)
            {
                await ProposeAsync(_authority.ProposeAdd([.. _pendingJoiners.Select(j => (j, _keyPackages[j]))]));
            }

            return;
        }

        if (_members.Remove(from))
        {
            await ProposeAsync(_authority.ProposeRemove([from]));
        }

        _pendingJoiners.Add(from);
        if (!_awaitingCommit)
        {
            await ProposeAsync(_authority.ProposeAdd([(from, keyPackage)]));
        }
    }

    private async Task OnCommitAsync(byte[] commitAndWelcome)
    {
        if (!_awaitingCommit)
        {
            return;
        }

        _awaitingCommit = false;
        var (commit, welcome) = EmulatedMlsAuthority.Split(commitAndWelcome);
        _authority.Accept();
        _pendingTransition = _nextTransitionId++;
        _ready.Clear();
        foreach (var member in _members.ToList())
        {
            await SendBinaryAsync(_participants[member], DaveOpcode.MlsAnnounceCommitTransition, [.. U16(_pendingTransition), .. commit]);
        }

        if (welcome is not null)
        {
            foreach (var joiner in _pendingJoiners.ToList())
            {
                _members.Add(joiner);
                await SendBinaryAsync(_participants[joiner], DaveOpcode.MlsWelcome, [.. U16(_pendingTransition), .. welcome]);
            }

            _pendingJoiners.Clear();
        }
    }

    private async Task OnReadyAsync(ulong from, int transitionId)
    {
        if (transitionId != _pendingTransition)
        {
            return;
        }

        _ready.Add(from);
        if (!_members.All(_ready.Contains))
        {
            return;
        }

        foreach (var member in _members.ToList())
        {
            await SendJsonAsync(_participants[member], 22, new JsonObject { ["transition_id"] = transitionId });
        }

        Transitions.Add((transitionId, [.. _members.Order()]));
        if (_pendingJoiners.Count > 0 && !_awaitingCommit)
        {
            await ProposeAsync(_authority.ProposeAdd([.. _pendingJoiners.Select(j => (j, _keyPackages[j]))]));
        }
    }

    private async Task SendJsonAsync(Participant to, int op, JsonObject data)
    {
        if (to.Bot is { } bot)
        {
            await bot.SendJsonAsync(op, data);
            return;
        }

        if (to.Local is { } local)
        {
            Deliver(to.UserId, local.HandleJson(op, Json(data.ToJsonString())));
        }
    }

    private async Task SendBinaryAsync(Participant to, DaveOpcode opcode, byte[] payload)
    {
        if (to.Bot is { } bot)
        {
            await bot.SendBinaryAsync((byte)opcode, payload);
            return;
        }

        if (to.Local is { } local)
        {
            var sequence = to.NextSequence();
            Deliver(to.UserId, local.HandleBinary([.. U16(sequence), (byte)opcode, .. payload]));
        }
    }

    private void Deliver(ulong from, DaveStep step)
    {
        foreach (var message in step.Outbound)
        {
            _inbox.Enqueue((from, message));
        }
    }

    private static string Id(ulong id) => id.ToString(CultureInfo.InvariantCulture);

    private static int TransitionId(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("d").GetProperty("transition_id").GetInt32();
    }

    private static byte[] U16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        return bytes;
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private sealed class Participant(ulong userId, uint ssrc, DaveSession? local, EmulatedVoiceBot? bot)
    {
        private ushort _sequence;

        public ulong UserId { get; } = userId;

        public uint Ssrc { get; } = ssrc;

        public DaveSession? Local { get; } = local;

        public EmulatedVoiceBot? Bot { get; } = bot;

        public ushort NextSequence() => _sequence++;
    }
}

/// <summary>
/// The bot's side of a voice session on the emulated server: its WebSocket (replaced on resume), the sequence counter
/// shared by JSON (<c>seq</c>) and binary (u16 prefix) server messages, and the log a resume replays from.
/// </summary>
public sealed class EmulatedVoiceBot(ulong userId, ulong guildId, ulong channelId, string sessionId, string token, uint ssrc)
{
    private readonly object _gate = new();
    private readonly List<(int Sequence, bool Binary, byte[] Bytes)> _log = [];
    private readonly SemaphoreSlim _send = new(1, 1);
    private WebSocket? _socket;
    private int _sequence;

    public ulong UserId { get; } = userId;

    public ulong GuildId { get; } = guildId;

    public ulong ChannelId { get; } = channelId;

    public string SessionId { get; } = sessionId;

    public string Token { get; } = token;

    public uint Ssrc { get; } = ssrc;

    public IPEndPoint? UdpEndpoint { get; set; }

    public string? Mode { get; set; }

    public byte[] SecretKey { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    public uint NextNonce { get; set; }

    public ushort NextRtpSequence { get; set; }

    public WebSocket? Socket
    {
        get
        {
            lock (_gate)
            {
                return _socket;
            }
        }
    }

    public void Attach(WebSocket? socket)
    {
        lock (_gate)
        {
            _socket = socket;
        }
    }

    public void Detach(WebSocket socket)
    {
        lock (_gate)
        {
            if (_socket == socket)
            {
                _socket = null;
            }
        }
    }

    public Task SendSessionDescriptionAsync(int daveProtocolVersion) => SendJsonAsync(4, new JsonObject
    {
        ["mode"] = Mode,
        ["secret_key"] = new JsonArray([.. SecretKey.Select(b => (JsonNode)(int)b)]),
        ["dave_protocol_version"] = daveProtocolVersion,
    });

    public async Task SendJsonAsync(int op, JsonObject data)
    {
        byte[] bytes;
        lock (_gate)
        {
            var sequence = ++_sequence;
            bytes = Encoding.UTF8.GetBytes(new JsonObject { ["op"] = op, ["d"] = data, ["seq"] = sequence }.ToJsonString());
            _log.Add((sequence, false, bytes));
        }

        await TrySendAsync(bytes, WebSocketMessageType.Text);
    }

    public async Task SendBinaryAsync(byte opcode, byte[] payload)
    {
        byte[] bytes;
        lock (_gate)
        {
            var sequence = ++_sequence;
            bytes = new byte[3 + payload.Length];
            BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)sequence);
            bytes[2] = opcode;
            payload.CopyTo(bytes, 3);
            _log.Add((sequence, true, bytes));
        }

        await TrySendAsync(bytes, WebSocketMessageType.Binary);
    }

    /// <summary>Unsequenced replies (hello, ready, heartbeat ack, resumed).</summary>
    public Task SendUnsequencedAsync(WebSocket socket, JsonObject frame) =>
        SendOnAsync(socket, Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text);

    /// <summary>Op 9 then everything after <paramref name="seqAck"/>, in order, on the new socket, before anything newer.</summary>
    public async Task ResumeAsync(WebSocket socket, long seqAck)
    {
        await _send.WaitAsync();
        try
        {
            List<(int Sequence, bool Binary, byte[] Bytes)> missed;
            lock (_gate)
            {
                missed = [.. _log.Where(m => m.Sequence > seqAck)];
                _socket = socket;
            }

            await RawSendAsync(socket, Encoding.UTF8.GetBytes(new JsonObject { ["op"] = 9, ["d"] = null }.ToJsonString()), WebSocketMessageType.Text);
            foreach (var message in missed)
            {
                await RawSendAsync(socket, message.Bytes, message.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text);
            }
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task TrySendAsync(byte[] bytes, WebSocketMessageType type)
    {
        if (Socket is { } socket)
        {
            await SendOnAsync(socket, bytes, type);
        }
    }

    private async Task SendOnAsync(WebSocket socket, byte[] bytes, WebSocketMessageType type)
    {
        await _send.WaitAsync();
        try
        {
            await RawSendAsync(socket, bytes, type);
        }
        finally
        {
            _send.Release();
        }
    }

    private static async Task RawSendAsync(WebSocket socket, byte[] bytes, WebSocketMessageType type)
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Dropped: the message stays in the log and a resume replays it.
        }
    }
}
