using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Voice.Dave;

namespace DiscordLedgerBot.Voice.Tests.Interop;

/// <summary>What a frame sent to a member turned into.</summary>
internal readonly record struct InteropDecrypt(byte[]? Media, string Outcome)
{
    public bool Decrypted => Media is not null;
}

/// <summary>A call member as the voice gateway sees it: voice ops in, client messages out, plus its media path.</summary>
internal interface IInteropMember : IDisposable
{
    ulong UserId { get; }

    string Implementation { get; }

    ulong? Epoch { get; }

    string? VoicePrivacyCode { get; }

    byte[] SignaturePublicKey { get; }

    IReadOnlyList<DaveOutboundMessage> ReceiveJson(int opcode, string data);

    /// <summary>A server binary message: <c>u16 sequence | u8 opcode | payload</c>.</summary>
    IReadOnlyList<DaveOutboundMessage> ReceiveBinary(byte[] message);

    /// <summary>E2EE-encrypts one Opus frame the way this member would send it (plain when DAVE is off).</summary>
    byte[] Send(byte[] opus);

    InteropDecrypt Receive(ulong sender, byte[] frame);
}

/// <summary>Our member: the production <see cref="DaveSession"/> on our MLS.</summary>
internal sealed class OurMember(DaveSession session) : IInteropMember
{
    public List<DaveSessionEvent> Events { get; } = [];

    public DaveSession Session => session;

    public ulong UserId => session.SelfUserId;

    public string Implementation => "ours";

    public ulong? Epoch => session.Epoch;

    public string? VoicePrivacyCode => session.VoicePrivacyCode;

    public byte[] SignaturePublicKey => session.SignaturePublicKey.ToArray();

    public IReadOnlyList<DaveOutboundMessage> ReceiveJson(int opcode, string data)
    {
        using var document = JsonDocument.Parse(data);
        return Record(session.HandleJson(opcode, document.RootElement));
    }

    public IReadOnlyList<DaveOutboundMessage> ReceiveBinary(byte[] message) => Record(session.HandleBinary(message));

    public byte[] Send(byte[] opus)
    {
        if (session.Encryptor.IsPassthrough)
        {
            return opus;
        }

        var frame = new byte[DaveEncryptor.GetMaxFrameLength(opus.Length, [])];
        var written = session.Encryptor.Encrypt(opus, [], frame);
        return frame[..written];
    }

    public InteropDecrypt Receive(ulong sender, byte[] frame)
    {
        var output = new byte[frame.Length];
        var result = session.GetDecryptor(sender).Decrypt(DaveMediaType.Audio, frame, output);
        return result.Succeeded
            ? new InteropDecrypt(output[..result.BytesWritten], result.Status.ToString())
            : new InteropDecrypt(null, $"{result.Reason} {result.FrameError}");
    }

    public void Dispose() => session.Dispose();

    private IReadOnlyList<DaveOutboundMessage> Record(DaveStep step)
    {
        Events.AddRange(step.Events);
        return step.Outbound;
    }
}

/// <summary>
/// A davey member driven the way @discordjs/voice drives davey (its DAVESession wrapper and Networking dispatch):
/// op 4/24 (re)initialise and send a key package, 25 sets the external sender, 27 commits, 29/30 process and answer
/// op 23 (or op 31 and a fresh key package on failure), 21/22 track transitions and passthrough. davey switches its
/// own keys as soon as it processes a commit or welcome; the wrapper only tracks the protocol version.
/// </summary>
internal sealed class DaveyMember : IInteropMember
{
    private const int TransitionExpirySeconds = 10;
    private const int PendingDowngradeExpirySeconds = 120;
    private static readonly byte[] SilenceFrame = [0xF8, 0xFF, 0xFE];

    private readonly DaveyDriver _driver;
    private readonly ulong _channelId;
    private readonly HashSet<ulong> _connected = [];
    private bool _created;
    private int _protocolVersion;
    private (int TransitionId, int ProtocolVersion)? _pendingTransition;
    private bool _downgraded;

    public DaveyMember(DaveyDriver driver, ulong userId, ulong channelId)
    {
        _driver = driver;
        _channelId = channelId;
        UserId = userId;
    }

    public ulong UserId { get; }

    public string Implementation => "davey";

    /// <summary>Everything davey refused (commits, welcomes, proposals, frames), in order.</summary>
    public List<string> Errors { get; } = [];

    public byte[] SignaturePublicKey { get; private set; } = [];

    public ulong? Epoch
    {
        get
        {
            var state = State();
            return state.GetProperty("epoch").GetString() is { } epoch && state.GetProperty("status").GetInt32() == 3
                ? ulong.Parse(epoch, CultureInfo.InvariantCulture)
                : null;
        }
    }

    public string? VoicePrivacyCode => State().GetProperty("code").GetString() is { Length: > 0 } code ? code : null;

    public bool Ready => _created && State().GetProperty("ready").GetBoolean();

    public JsonElement State() => _driver.Call("state", User());

    public IReadOnlyList<DaveOutboundMessage> ReceiveJson(int opcode, string data)
    {
        var d = JsonNode.Parse(data)!.AsObject();
        switch (opcode)
        {
            case 4:
                _protocolVersion = (int?)d["dave_protocol_version"] ?? 0;
                return Reinit();
            case 11:
                foreach (var id in d["user_ids"]!.AsArray())
                {
                    _connected.Add(ulong.Parse((string)id!, CultureInfo.InvariantCulture));
                }

                return [];
            case 13:
                _connected.Remove(ulong.Parse((string)d["user_id"]!, CultureInfo.InvariantCulture));
                return [];
            case 21:
                return PrepareTransition((int)d["transition_id"]!, (int)d["protocol_version"]!);
            case 22:
                ExecuteTransition((int)d["transition_id"]!);
                return [];
            case 24:
                if ((ulong)d["epoch"]! == 1)
                {
                    _protocolVersion = (int)d["protocol_version"]!;
                    return Reinit();
                }

                return [];
            default:
                return [];
        }
    }

    public IReadOnlyList<DaveOutboundMessage> ReceiveBinary(byte[] message)
    {
        var opcode = message[2];
        var payload = message[3..];
        switch (opcode)
        {
            case 25:
                _driver.Call("externalSender", User(("data", Convert.ToBase64String(payload))));
                return [];
            case 27:
                return Proposals(payload);
            case 29:
                return Transition("commit", payload);
            case 30:
                return Transition("welcome", payload);
            default:
                return [];
        }
    }

    public byte[] Send(byte[] opus)
    {
        if (opus.AsSpan().SequenceEqual(SilenceFrame) || _protocolVersion == 0 || !Ready)
        {
            return opus;
        }

        return Bytes(_driver.Call("encrypt", User(("data", Convert.ToBase64String(opus)))), "data");
    }

    public InteropDecrypt Receive(ulong sender, byte[] frame)
    {
        var canDecrypt = Ready && (_protocolVersion != 0 || CanPassthrough(sender));
        if (frame.AsSpan().SequenceEqual(SilenceFrame) || !canDecrypt)
        {
            return new InteropDecrypt(frame, "not decrypted (DAVE off)");
        }

        try
        {
            var answer = _driver.Call("decrypt", User(("from", sender.ToString(CultureInfo.InvariantCulture)), ("data", Convert.ToBase64String(frame))));
            return new InteropDecrypt(Bytes(answer, "data"), "decrypted");
        }
        catch (DaveyException refused)
        {
            return new InteropDecrypt(null, refused.Error);
        }
    }

    /// <summary>davey's codec-aware encrypt (<paramref name="codec"/> in davey's numbering: 2 = VP8).</summary>
    public byte[] SendMedia(DaveMediaType mediaType, int codec, byte[] media) =>
        Bytes(_driver.Call("encryptMedia", User(("mediaType", (int)mediaType), ("codec", codec), ("data", Convert.ToBase64String(media)))), "data");

    public InteropDecrypt ReceiveMedia(ulong sender, DaveMediaType mediaType, byte[] frame)
    {
        try
        {
            var answer = _driver.Call("decrypt", User(("from", sender.ToString(CultureInfo.InvariantCulture)), ("mediaType", (int)mediaType), ("data", Convert.ToBase64String(frame))));
            return new InteropDecrypt(Bytes(answer, "data"), "decrypted");
        }
        catch (DaveyException refused)
        {
            return new InteropDecrypt(null, refused.Error);
        }
    }

    public bool CanPassthrough(ulong sender) =>
        _driver.Call("canPassthrough", User(("from", sender.ToString(CultureInfo.InvariantCulture)))).GetProperty("value").GetBoolean();

    public JsonElement DecryptionStats(ulong sender) =>
        _driver.Call("decryptionStats", User(("from", sender.ToString(CultureInfo.InvariantCulture))));

    public void Dispose()
    {
        if (_created)
        {
            _driver.Call("drop", User());
        }
    }

    private IReadOnlyList<DaveOutboundMessage> Reinit()
    {
        if (_protocolVersion == 0)
        {
            if (_created)
            {
                _driver.Call("reset", User());
                _driver.Call("passthrough", User(("enabled", true), ("expiry", TransitionExpirySeconds)));
            }

            return [];
        }

        var arguments = User(("channel", _channelId.ToString(CultureInfo.InvariantCulture)), ("version", _protocolVersion));
        var created = _driver.Call(_created ? "reinit" : "create", arguments);
        _created = true;
        SignaturePublicKey = Bytes(created, "publicKey");
        var keyPackage = Bytes(_driver.Call("keyPackage", User()), "data");
        return [new DaveBinaryMessage(DaveOpcode.MlsKeyPackage, [(byte)DaveOpcode.MlsKeyPackage, .. keyPackage])];
    }

    private IReadOnlyList<DaveOutboundMessage> Proposals(byte[] payload)
    {
        var recognized = new JsonArray([.. _connected.Append(UserId).Select(id => (JsonNode)id.ToString(CultureInfo.InvariantCulture))]);
        try
        {
            var answer = _driver.Call("proposals", User(("operation", (int)payload[0]), ("data", Convert.ToBase64String(payload[1..])), ("recognized", recognized)));
            if (answer.GetProperty("commit").ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            var commit = Bytes(answer, "commit");
            var welcome = answer.GetProperty("welcome").ValueKind == JsonValueKind.Null ? [] : Bytes(answer, "welcome");
            return [new DaveBinaryMessage(DaveOpcode.MlsCommitWelcome, [(byte)DaveOpcode.MlsCommitWelcome, .. commit, .. welcome])];
        }
        catch (DaveyException refused)
        {
            Errors.Add($"proposals: {refused.Error}");
            return [];
        }
    }

    private IReadOnlyList<DaveOutboundMessage> Transition(string command, byte[] payload)
    {
        int transitionId = BinaryPrimitives.ReadUInt16BigEndian(payload);
        try
        {
            _driver.Call(command, User(("data", Convert.ToBase64String(payload[2..]))));
        }
        catch (DaveyException refused)
        {
            Errors.Add($"{command} {transitionId}: {refused.Error}");
            return [Json(DaveOpcode.MlsInvalidCommitWelcome, transitionId), .. Reinit()];
        }

        if (transitionId == 0)
        {
            return [];
        }

        _pendingTransition = (transitionId, _protocolVersion);
        return [Json(DaveOpcode.ReadyForTransition, transitionId)];
    }

    private IReadOnlyList<DaveOutboundMessage> PrepareTransition(int transitionId, int protocolVersion)
    {
        _pendingTransition = (transitionId, protocolVersion);
        if (transitionId == 0)
        {
            ExecuteTransition(0);
            return [];
        }

        if (protocolVersion == 0 && _created)
        {
            _driver.Call("passthrough", User(("enabled", true), ("expiry", PendingDowngradeExpirySeconds)));
        }

        return [Json(DaveOpcode.ReadyForTransition, transitionId)];
    }

    private void ExecuteTransition(int transitionId)
    {
        if (_pendingTransition is not { } pending || pending.TransitionId != transitionId)
        {
            _pendingTransition = null;
            return;
        }

        var oldVersion = _protocolVersion;
        _protocolVersion = pending.ProtocolVersion;
        if (oldVersion != _protocolVersion && _protocolVersion == 0)
        {
            _downgraded = true;
        }
        else if (transitionId > 0 && _downgraded)
        {
            _downgraded = false;
            _driver.Call("passthrough", User(("enabled", true), ("expiry", TransitionExpirySeconds)));
        }

        _pendingTransition = null;
    }

    private JsonObject User(params (string Name, JsonNode? Value)[] more)
    {
        var arguments = new JsonObject { ["user"] = UserId.ToString(CultureInfo.InvariantCulture) };
        foreach (var (name, value) in more)
        {
            arguments[name] = value;
        }

        return arguments;
    }

    private static byte[] Bytes(JsonElement answer, string name) => Convert.FromBase64String(answer.GetProperty(name).GetString()!);

    private static DaveJsonMessage Json(DaveOpcode opcode, int transitionId) =>
        new(opcode, new JsonObject { ["op"] = (int)opcode, ["d"] = new JsonObject { ["transition_id"] = transitionId } }.ToJsonString());
}
