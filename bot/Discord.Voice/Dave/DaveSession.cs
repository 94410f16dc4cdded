using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Voice.Dave;

/// <summary>
/// The DAVE state machine of one voice connection (voice ops 4, 11, 13 and 21-31), free of sockets: every input is
/// JSON data or a binary message and every output is a ready-to-send message plus events. It owns the local user's
/// <see cref="Encryptor"/> and one <see cref="DaveDecryptor"/> per remote user. Bad or unexpected input never throws:
/// it yields a <see cref="DaveInputIgnored"/> event (or op 31 and a reset when an announced commit/welcome fails).
/// </summary>
public sealed class DaveSession : IDisposable
{
    private readonly object _gate = new();
    private readonly DaveSessionOptions _options;
    private readonly IDaveMlsSessionFactory _mlsFactory;
    private readonly TimeProvider _time;
    private readonly byte[] _groupId;
    private readonly HashSet<ulong> _expectedUsers = [];
    private readonly Dictionary<ulong, DaveDecryptor> _decryptors = [];
    private readonly Dictionary<int, int> _pendingTransitions = [];
    private IDaveMlsSession? _mls;
    private byte[]? _externalSender;
    private byte[]? _pendingCommit;
    private DaveKeyRatchet? _pendingSendRatchet;
    private int _protocolVersion;
    private int _mlsProtocolVersion;
    private bool _receivePassthrough = true;

    public DaveSession(DaveSessionOptions options, IDaveMlsSessionFactory mlsFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mlsFactory);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _mlsFactory = mlsFactory;
        _time = time;
        _groupId = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(_groupId, options.ChannelId);
    }

    /// <summary>Encrypts the local user's media; in passthrough until the first epoch executes.</summary>
    public DaveEncryptor Encryptor { get; } = new();

    public ulong SelfUserId => _options.SelfUserId;

    /// <summary>The protocol version senders currently use (0 = transport-only).</summary>
    public int ProtocolVersion
    {
        get
        {
            lock (_gate)
            {
                return _protocolVersion;
            }
        }
    }

    /// <summary>The MLS epoch of the established group, or null before joining.</summary>
    public ulong? Epoch
    {
        get
        {
            lock (_gate)
            {
                return _mls is { IsEstablished: true } mls ? mls.Epoch : null;
            }
        }
    }

    /// <summary>The 30-digit voice privacy code of the current epoch, or null before joining.</summary>
    public string? VoicePrivacyCode
    {
        get
        {
            lock (_gate)
            {
                return _mls is { IsEstablished: true } mls ? DavePrivacyCode.VoicePrivacyCode(mls.EpochAuthenticator.Span) : null;
            }
        }
    }

    /// <summary>The local member's MLS signature key (for pairwise fingerprints), or empty before op 4.</summary>
    public ReadOnlyMemory<byte> SignaturePublicKey
    {
        get
        {
            lock (_gate)
            {
                return _mls?.SignaturePublicKey ?? ReadOnlyMemory<byte>.Empty;
            }
        }
    }

    /// <summary>The decryptor for frames from <paramref name="userId"/> (created on first use, in the current passthrough mode).</summary>
    public DaveDecryptor GetDecryptor(ulong userId)
    {
        lock (_gate)
        {
            return DecryptorFor(userId);
        }
    }

    /// <summary>Voice op 4: <c>dave_protocol_version</c> of the session description.</summary>
    public DaveStep OnSessionDescription(int daveProtocolVersion)
    {
        lock (_gate)
        {
            var step = new StepBuilder();
            if (daveProtocolVersion is < 0 or > DaveSessionOptions.MaxSupportedProtocolVersion)
            {
                step.Ignored(DaveOpcode.SessionDescription, $"dave_protocol_version {daveProtocolVersion} is not supported");
                return step.Build();
            }

            _protocolVersion = daveProtocolVersion;
            _mlsProtocolVersion = daveProtocolVersion;
            SetReceivePassthrough(daveProtocolVersion == 0, TimeSpan.Zero);
            if (daveProtocolVersion > 0)
            {
                ResetMls(step, "session started with DAVE");
            }

            return step.Build();
        }
    }

    /// <summary>Voice op 11: users now in the call (their Add proposals become acceptable).</summary>
    public DaveStep OnClientsConnect(IEnumerable<ulong> userIds)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        lock (_gate)
        {
            _expectedUsers.UnionWith(userIds);
            return DaveStep.Empty;
        }
    }

    /// <summary>Voice op 13: a user left; its decryptor is dropped and Adds for it are refused.</summary>
    public DaveStep OnClientDisconnect(ulong userId)
    {
        lock (_gate)
        {
            _expectedUsers.Remove(userId);
            if (_decryptors.Remove(userId, out var decryptor))
            {
                decryptor.Dispose();
            }

            return DaveStep.Empty;
        }
    }

    /// <summary>A JSON voice op's <c>d</c>: handles 4, 11, 13, 21, 22 and 24; other ops are ignored.</summary>
    public DaveStep HandleJson(int opcode, JsonElement data)
    {
        switch (opcode)
        {
            case (int)DaveOpcode.SessionDescription:
                return TryGetInt(data, "dave_protocol_version", out var version)
                    ? OnSessionDescription(version)
                    : OnSessionDescription(0);
            case (int)DaveOpcode.ClientsConnect:
                return TryGetUserIds(data, out var userIds) ? OnClientsConnect(userIds) : IgnoredStep(opcode, "user_ids is missing or malformed");
            case (int)DaveOpcode.ClientDisconnect:
                return TryGetSnowflake(data, "user_id", out var userId) ? OnClientDisconnect(userId) : IgnoredStep(opcode, "user_id is missing or malformed");
            case (int)DaveOpcode.PrepareTransition:
                return TryGetInt(data, "transition_id", out var transitionId) && TryGetInt(data, "protocol_version", out var protocolVersion)
                    ? OnPrepareTransition(transitionId, protocolVersion)
                    : IgnoredStep(opcode, "transition_id or protocol_version is missing");
            case (int)DaveOpcode.ExecuteTransition:
                return TryGetInt(data, "transition_id", out var executeId) ? OnExecuteTransition(executeId) : IgnoredStep(opcode, "transition_id is missing");
            case (int)DaveOpcode.PrepareEpoch:
                return TryGetInt(data, "protocol_version", out var epochVersion) && TryGetULong(data, "epoch", out var epoch)
                    ? OnPrepareEpoch(epochVersion, epoch, TryGetInt(data, "transition_id", out var epochTransition) ? epochTransition : null)
                    : IgnoredStep(opcode, "protocol_version or epoch is missing");
            default:
                return IgnoredStep(opcode, "not a DAVE JSON opcode");
        }
    }

    /// <summary>A server binary message: <c>u16 sequence (BE) | u8 opcode | payload</c> for ops 25, 27, 29 and 30.</summary>
    public DaveStep HandleBinary(ReadOnlySpan<byte> message)
    {
        if (message.Length < 3)
        {
            return IgnoredStep(-1, $"binary message of {message.Length} bytes has no sequence and opcode");
        }

        var sequence = BinaryPrimitives.ReadUInt16BigEndian(message);
        var opcode = message[2];
        var payload = message[3..];
        lock (_gate)
        {
            var step = new StepBuilder();
            switch ((DaveOpcode)opcode)
            {
                case DaveOpcode.MlsExternalSenderPackage:
                    OnExternalSender(payload, step);
                    break;
                case DaveOpcode.MlsProposals:
                    OnProposals(payload, step);
                    break;
                case DaveOpcode.MlsAnnounceCommitTransition:
                    OnAnnounceCommit(payload, step);
                    break;
                case DaveOpcode.MlsWelcome:
                    OnWelcome(payload, step);
                    break;
                default:
                    step.Ignored(opcode, "not a server DAVE binary opcode");
                    break;
            }

            return step.Build() with { Sequence = sequence };
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var decryptor in _decryptors.Values)
            {
                decryptor.Dispose();
            }

            _decryptors.Clear();
            _pendingSendRatchet?.Dispose();
            _pendingSendRatchet = null;
            _mls?.Dispose();
            _mls = null;
            Encryptor.Dispose();
        }
    }

    private DaveStep OnPrepareTransition(int transitionId, int protocolVersion)
    {
        lock (_gate)
        {
            var step = new StepBuilder();
            if (protocolVersion is < 0 or > DaveSessionOptions.MaxSupportedProtocolVersion)
            {
                step.Ignored(DaveOpcode.PrepareTransition, $"protocol_version {protocolVersion} is not supported");
                return step.Build();
            }

            _pendingTransitions[transitionId] = protocolVersion;
            if (protocolVersion == 0)
            {
                // Downgrade: receivers accept plain frames from now on, senders stop encrypting at execute.
                SetReceivePassthrough(true, TimeSpan.Zero);
            }

            ReadyOrExecute(transitionId, step);
            return step.Build();
        }
    }

    private DaveStep OnExecuteTransition(int transitionId)
    {
        lock (_gate)
        {
            var step = new StepBuilder();
            ExecuteTransition(transitionId, step);
            return step.Build();
        }
    }

    private DaveStep OnPrepareEpoch(int protocolVersion, ulong epoch, int? transitionId)
    {
        lock (_gate)
        {
            var step = new StepBuilder();
            if (protocolVersion is < 1 or > DaveSessionOptions.MaxSupportedProtocolVersion)
            {
                step.Ignored(DaveOpcode.PrepareEpoch, $"protocol_version {protocolVersion} is not supported");
                return step.Build();
            }

            _mlsProtocolVersion = protocolVersion;
            if (transitionId is { } id)
            {
                _pendingTransitions[id] = protocolVersion;
            }

            if (epoch == 1)
            {
                ResetMls(step, "gateway started a new group (prepare_epoch epoch 1)");
            }

            return step.Build();
        }
    }

    private void OnExternalSender(ReadOnlySpan<byte> payload, StepBuilder step)
    {
        if (payload.IsEmpty)
        {
            step.Ignored(DaveOpcode.MlsExternalSenderPackage, "empty external sender");
            return;
        }

        if (_externalSender is not null && payload.SequenceEqual(_externalSender))
        {
            return;
        }

        if (_mls is null)
        {
            // Nothing to validate it with yet: op 4 builds the pending group from it (and reports it if it is invalid).
            _externalSender = payload.ToArray();
            return;
        }

        if (_mls.IsEstablished)
        {
            // The group's external sender is part of its agreed state (davey refuses this too); taking the bytes would
            // only poison the pending group of the next reset, so every later Welcome would fail its sender check.
            step.Ignored(DaveOpcode.MlsExternalSenderPackage, "the external sender of an established group cannot change");
            return;
        }

        // Not in a group yet: the pending group follows the gateway's current sender, but only a valid one replaces it.
        try
        {
            _mls.CreatePendingGroup(_groupId, payload);
            _externalSender = payload.ToArray();
            _pendingCommit = null;
        }
        catch (DaveMlsException exception)
        {
            step.Ignored(DaveOpcode.MlsExternalSenderPackage, exception.Message);
        }
    }

    private void OnProposals(ReadOnlySpan<byte> payload, StepBuilder step)
    {
        if (_mls is not { HasGroup: true } mls)
        {
            step.Ignored(DaveOpcode.MlsProposals, "no local group yet");
            return;
        }

        if (payload.IsEmpty || payload[0] > 1)
        {
            step.Ignored(DaveOpcode.MlsProposals, "missing or unknown proposals operation");
            return;
        }

        try
        {
            if (payload[0] == 0)
            {
                mls.AppendProposals(payload[1..], IsExpectedUser);
            }
            else if (TryReadProposalRefs(payload[1..], out var refs))
            {
                mls.RevokeProposals(refs);
            }
            else
            {
                step.Ignored(DaveOpcode.MlsProposals, "malformed ProposalRef vector");
                return;
            }

            var commit = mls.CommitCachedProposals();
            if (commit is null)
            {
                _pendingCommit = null;
                return;
            }

            _pendingCommit = commit.CommitMessage;
            var welcomeLength = commit.Welcome?.Length ?? 0;
            var bytes = new byte[1 + commit.CommitMessage.Length + welcomeLength];
            bytes[0] = (byte)DaveOpcode.MlsCommitWelcome;
            commit.CommitMessage.CopyTo(bytes, 1);
            commit.Welcome?.CopyTo(bytes, 1 + commit.CommitMessage.Length);
            step.Send(new DaveBinaryMessage(DaveOpcode.MlsCommitWelcome, bytes));
        }
        catch (DaveMlsException exception)
        {
            step.Ignored(DaveOpcode.MlsProposals, exception.Message);
        }
    }

    private void OnAnnounceCommit(ReadOnlySpan<byte> payload, StepBuilder step)
    {
        if (payload.Length < 3)
        {
            step.Ignored(DaveOpcode.MlsAnnounceCommitTransition, "payload shorter than transition id and commit");
            return;
        }

        int transitionId = BinaryPrimitives.ReadUInt16BigEndian(payload);
        var commit = payload[2..];
        if (_mls is not { HasGroup: true } mls)
        {
            step.Ignored(DaveOpcode.MlsAnnounceCommitTransition, "no local group yet");
            return;
        }

        var isOwnCommit = _pendingCommit is not null && commit.SequenceEqual(_pendingCommit);
        if (!mls.IsEstablished && !isOwnCommit)
        {
            // Another member's commit for a group we are not in yet: it adds us, and our way in is its Welcome (op 30).
            step.Ignored(DaveOpcode.MlsAnnounceCommitTransition, "commit of a group this member has not joined yet; waiting for the welcome");
            return;
        }

        try
        {
            mls.ApplyCommit(commit);
            _pendingCommit = null;
            PrepareEpoch(transitionId, step);
        }
        catch (DaveMlsException exception)
        {
            RejectCommitOrWelcome(DaveOpcode.MlsAnnounceCommitTransition, transitionId, exception.Message, step);
        }
    }

    private void OnWelcome(ReadOnlySpan<byte> payload, StepBuilder step)
    {
        if (payload.Length < 3)
        {
            step.Ignored(DaveOpcode.MlsWelcome, "payload shorter than transition id and welcome");
            return;
        }

        int transitionId = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (_mls is not { } mls)
        {
            step.Ignored(DaveOpcode.MlsWelcome, "no key package was sent");
            return;
        }

        if (mls.IsEstablished)
        {
            step.Ignored(DaveOpcode.MlsWelcome, "already a member of the group");
            return;
        }

        if (_externalSender is null)
        {
            RejectCommitOrWelcome(DaveOpcode.MlsWelcome, transitionId, "welcome before the external sender package", step);
            return;
        }

        try
        {
            mls.JoinFromWelcome(payload[2..], _externalSender);
            _pendingCommit = null;
            PrepareEpoch(transitionId, step);
        }
        catch (DaveMlsException exception)
        {
            RejectCommitOrWelcome(DaveOpcode.MlsWelcome, transitionId, exception.Message, step);
        }
    }

    private void PrepareEpoch(int transitionId, StepBuilder step)
    {
        var mls = _mls!;
        var members = mls.MemberUserIds;
        foreach (var member in members.Where(id => id != _options.SelfUserId))
        {
            DecryptorFor(member).AddKeyRatchet(DaveKeyRatchet.ForSender(mls, member));
        }

        // A removed member's old keys must not keep working: only in-flight frames get the grace period.
        foreach (var departed in _decryptors.Where(pair => !members.Contains(pair.Key)).Select(pair => pair.Value))
        {
            departed.ExpireAllRatchets(_options.TransitionGrace);
        }

        _pendingSendRatchet?.Dispose();
        _pendingSendRatchet = DaveKeyRatchet.ForSender(mls, _options.SelfUserId);
        _pendingTransitions[transitionId] = _mlsProtocolVersion;
        step.Event(new DaveEpochPrepared(mls.Epoch, transitionId, DavePrivacyCode.VoicePrivacyCode(mls.EpochAuthenticator.Span), [.. members]));
        ReadyOrExecute(transitionId, step);
    }

    private void ReadyOrExecute(int transitionId, StepBuilder step)
    {
        if (transitionId == 0)
        {
            ExecuteTransition(transitionId, step);
            return;
        }

        step.Send(Json(DaveOpcode.ReadyForTransition, transitionId));
    }

    private void ExecuteTransition(int transitionId, StepBuilder step)
    {
        if (!_pendingTransitions.Remove(transitionId, out var protocolVersion))
        {
            step.Ignored(DaveOpcode.ExecuteTransition, $"transition {transitionId} was not prepared");
            return;
        }

        var previousVersion = _protocolVersion;
        _protocolVersion = protocolVersion;
        if (protocolVersion == 0)
        {
            Encryptor.SetKeyRatchet(null);
            _pendingSendRatchet?.Dispose();
            _pendingSendRatchet = null;
            _mls?.Dispose();
            _mls = null;
            _pendingCommit = null;
        }
        else
        {
            if (_pendingSendRatchet is not null)
            {
                Encryptor.SetKeyRatchet(_pendingSendRatchet);
                _pendingSendRatchet = null;
            }

            foreach (var decryptor in _decryptors.Values)
            {
                decryptor.ExpirePreviousRatchets(_options.TransitionGrace);
            }

            if (previousVersion == 0 || _receivePassthrough)
            {
                SetReceivePassthrough(false, _options.TransitionGrace);
            }
        }

        step.Event(new DaveTransitionExecuted(transitionId, protocolVersion));
    }

    private void RejectCommitOrWelcome(DaveOpcode opcode, int transitionId, string reason, StepBuilder step)
    {
        step.Event(new DaveCommitOrWelcomeRejected(opcode, transitionId, reason));
        step.Send(Json(DaveOpcode.MlsInvalidCommitWelcome, transitionId));
        ResetMls(step, $"invalid {(opcode == DaveOpcode.MlsWelcome ? "welcome" : "commit")} for transition {transitionId}");
    }

    private void ResetMls(StepBuilder step, string reason)
    {
        _mls?.Dispose();
        _pendingCommit = null;
        _mls = _mlsFactory.Create(_options.SelfUserId);
        if (_externalSender is not null)
        {
            CreatePendingGroup(_mls, step);
        }

        var keyPackage = _mls.KeyPackage.Span;
        var bytes = new byte[1 + keyPackage.Length];
        bytes[0] = (byte)DaveOpcode.MlsKeyPackage;
        keyPackage.CopyTo(bytes.AsSpan(1));
        step.Event(new DaveMlsReset(reason));
        step.Send(new DaveBinaryMessage(DaveOpcode.MlsKeyPackage, bytes));
    }

    private void CreatePendingGroup(IDaveMlsSession mls, StepBuilder step)
    {
        try
        {
            mls.CreatePendingGroup(_groupId, _externalSender);
        }
        catch (DaveMlsException exception)
        {
            step.Ignored(DaveOpcode.MlsExternalSenderPackage, exception.Message);
        }
    }

    private bool IsExpectedUser(ulong userId) => userId == _options.SelfUserId || _expectedUsers.Contains(userId);

    private DaveDecryptor DecryptorFor(ulong userId)
    {
        if (!_decryptors.TryGetValue(userId, out var decryptor))
        {
            decryptor = new DaveDecryptor(_time, _receivePassthrough);
            _decryptors[userId] = decryptor;
        }

        return decryptor;
    }

    private void SetReceivePassthrough(bool enabled, TimeSpan graceWhenDisabling)
    {
        _receivePassthrough = enabled;
        foreach (var decryptor in _decryptors.Values)
        {
            decryptor.SetPassthrough(enabled, graceWhenDisabling);
        }
    }

    private static bool TryReadProposalRefs(ReadOnlySpan<byte> payload, out List<byte[]> refs)
    {
        refs = [];
        if (!MlsVarint.TryReadVector(payload, out var vector, out var consumed) || consumed != payload.Length)
        {
            return false;
        }

        while (!vector.IsEmpty)
        {
            if (!MlsVarint.TryReadVector(vector, out var reference, out var used))
            {
                return false;
            }

            refs.Add(reference.ToArray());
            vector = vector[used..];
        }

        return true;
    }

    private static DaveJsonMessage Json(DaveOpcode opcode, int transitionId) =>
        new(opcode, new JsonObject { ["op"] = (int)opcode, ["d"] = new JsonObject { ["transition_id"] = transitionId } }.ToJsonString());

    private static DaveStep IgnoredStep(int opcode, string reason) => new([], [new DaveInputIgnored(opcode, reason)]);

    private static bool TryGetInt(JsonElement data, string name, out int value)
    {
        value = 0;
        return data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty(name, out var property)
            && property.ValueKind == JsonValueKind.Number
            && property.TryGetInt32(out value);
    }

    private static bool TryGetULong(JsonElement data, string name, out ulong value)
    {
        value = 0;
        return data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty(name, out var property)
            && property.ValueKind == JsonValueKind.Number
            && property.TryGetUInt64(out value);
    }

    // Discord sends snowflakes as strings; accept numbers too.
    private static bool TryGetSnowflake(JsonElement data, string name, out ulong value)
    {
        value = 0;
        return data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var property) && TryParseSnowflake(property, out value);
    }

    private static bool TryParseSnowflake(JsonElement element, out ulong value)
    {
        value = 0;
        return element.ValueKind switch
        {
            JsonValueKind.String => ulong.TryParse(element.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value),
            JsonValueKind.Number => element.TryGetUInt64(out value),
            _ => false,
        };
    }

    private static bool TryGetUserIds(JsonElement data, out List<ulong> userIds)
    {
        userIds = [];
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("user_ids", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var element in array.EnumerateArray())
        {
            if (!TryParseSnowflake(element, out var id))
            {
                return false;
            }

            userIds.Add(id);
        }

        return true;
    }

    private sealed class StepBuilder
    {
        private readonly List<DaveOutboundMessage> _outbound = [];
        private readonly List<DaveSessionEvent> _events = [];

        public void Send(DaveOutboundMessage message) => _outbound.Add(message);

        public void Event(DaveSessionEvent sessionEvent) => _events.Add(sessionEvent);

        public void Ignored(DaveOpcode opcode, string reason) => Ignored((int)opcode, reason);

        public void Ignored(int opcode, string reason) => _events.Add(new DaveInputIgnored(opcode, reason));

        public DaveStep Build() => new([.. _outbound], [.. _events]);
    }
}
