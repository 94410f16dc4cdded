using System.Buffers.Binary;
using System.Text.Json;
using DiscordLedgerBot.Voice.Dave;

namespace DiscordLedgerBot.Voice.Tests.Dave;

/// <summary>The gateway's own MLS role: external sender of Add/Remove proposals and observer of the chosen commits.</summary>
internal interface IEmulatedGroupAuthority
{
    byte[] ExternalSenderPackage { get; }

    /// <summary>The <c>MLSMessage proposal_messages&lt;V&gt;</c> adding these members in the current epoch.</summary>
    byte[] ProposeAdd(IReadOnlyList<(ulong UserId, byte[] KeyPackage)> joiners);

    byte[] ProposeRemove(IReadOnlyList<ulong> userIds);

    /// <summary>Splits an op 28 payload into the MLSMessage(Commit) and the optional bare Welcome.</summary>
    (byte[] Commit, byte[]? Welcome) Split(byte[] commitAndWelcome);

    /// <summary>The commit was chosen for the epoch: move the gateway's view forward.</summary>
    void Accept(byte[] commit);

    /// <summary>The first member's one-member pending group is the group from now on.</summary>
    void Founder(ulong userId);
}

/// <summary>
/// An in-memory DAVE voice gateway driving ops 11, 13, 21-31 as bytes/JSON between several <see cref="DaveSession"/>s:
/// collects key packages, sends proposals, picks the first commit per epoch, announces it (op 29) to members, welcomes
/// joiners (op 30), waits for every member's op 23 and then executes (op 22).
/// </summary>
internal sealed class EmulatedDaveGateway(IEmulatedGroupAuthority authority, Func<ulong, DaveSession> sessionFactory)
{
    private readonly Dictionary<ulong, DaveSession> _sessions = [];
    private readonly Dictionary<ulong, ushort> _sequences = [];
    private readonly Dictionary<ulong, byte[]> _keyPackages = [];
    private readonly HashSet<ulong> _members = [];
    private readonly HashSet<ulong> _pendingJoiners = [];
    private readonly HashSet<ulong> _ready = [];
    private readonly Queue<(ulong From, DaveOutboundMessage Message)> _inbox = new();
    private bool _awaitingCommit;
    private int _pendingTransition;
    private int _nextTransitionId = 1;

    public List<DaveSessionEvent> Events { get; } = [];

    public List<string> Log { get; } = [];

    public IReadOnlyCollection<ulong> Members => _members;

    public int ExecutedTransitions { get; private set; }

    public DaveSession Session(ulong userId) => _sessions[userId];

    public void Join(ulong userId)
    {
        foreach (var (other, session) in _sessions)
        {
            Deliver(other, session.OnClientsConnect([userId]));
        }

        var joiner = sessionFactory(userId);
        _sessions[userId] = joiner;
        _sequences[userId] = 0;
        Deliver(userId, joiner.HandleJson(11, Json($$"""{"user_ids":[{{string.Join(',', _sessions.Keys.Where(k => k != userId).Select(k => $"\"{k}\""))}}]}""")));
        Deliver(userId, joiner.HandleJson(4, Json("""{"mode":"aead_aes256_gcm_rtpsize","dave_protocol_version":1}""")));
        SendBinary(userId, DaveOpcode.MlsExternalSenderPackage, authority.ExternalSenderPackage);
        Pump();
    }

    public void Leave(ulong userId)
    {
        _sessions.Remove(userId, out var leaving);
        leaving?.Dispose();
        _keyPackages.Remove(userId);
        foreach (var (other, session) in _sessions)
        {
            Deliver(other, session.HandleJson(13, Json($$"""{"user_id":"{{userId}}"}""")));
        }

        if (_members.Remove(userId) && _members.Count > 0)
        {
            Propose(authority.ProposeRemove([userId]));
        }

        Pump();
    }

    /// <summary>Sends raw server bytes (sequence added) to one session, as an attacker or a buggy gateway would.</summary>
    public DaveStep Inject(ulong userId, DaveOpcode opcode, byte[] payload)
    {
        var message = Frame(userId, opcode, payload);
        return _sessions[userId].HandleBinary(message);
    }

    /// <summary>Like <see cref="Inject"/>, then lets the gateway react to whatever the session answered.</summary>
    public DaveStep InjectAndRoute(ulong userId, DaveOpcode opcode, byte[] payload)
    {
        var step = Inject(userId, opcode, payload);
        Deliver(userId, step);
        Pump();
        return step;
    }

    private void Propose(byte[] proposals)
    {
        _awaitingCommit = true;
        foreach (var member in _members)
        {
            SendBinary(member, DaveOpcode.MlsProposals, [0, .. proposals]);
        }
    }

    private void Pump()
    {
        while (_inbox.TryDequeue(out var item))
        {
            Handle(item.From, item.Message);
        }
    }

    private void Handle(ulong from, DaveOutboundMessage message)
    {
        if (!_sessions.ContainsKey(from))
        {
            return;
        }

        Log.Add($"{from} -> op {(int)message.Opcode}");
        switch (message)
        {
            case DaveBinaryMessage { Opcode: DaveOpcode.MlsKeyPackage } keyPackage:
                OnKeyPackage(from, keyPackage.Bytes[1..]);
                break;
            case DaveBinaryMessage { Opcode: DaveOpcode.MlsCommitWelcome } commit:
                OnCommit(commit.Bytes[1..]);
                break;
            case DaveJsonMessage { Opcode: DaveOpcode.ReadyForTransition } ready:
                OnReady(from, TransitionId(ready.Json));
                break;
            case DaveJsonMessage { Opcode: DaveOpcode.MlsInvalidCommitWelcome } invalid:
                Log.Add($"{from} rejected transition {TransitionId(invalid.Json)}");
                break;
            default:
                throw new InvalidOperationException($"Unexpected client message op {(int)message.Opcode}.");
        }
    }

    private void OnKeyPackage(ulong from, byte[] keyPackage)
    {
        _keyPackages[from] = keyPackage;
        if (_members.Count == 0)
        {
            // First in the call: its one-member pending group becomes the group once someone else is added.
            _members.Add(from);
            authority.Founder(from);
            return;
        }

        if (_members.Contains(from))
        {
            // A member reset itself (op 31): drop it and add it back with its fresh key package.
            _members.Remove(from);
            if (_members.Count == 0)
            {
                _members.Add(from);
                authority.Founder(from);
                return;
            }

            Propose(authority.ProposeRemove([from]));
        }

        _pendingJoiners.Add(from);
        if (!_awaitingCommit)
        {
            Propose(authority.ProposeAdd([(from, keyPackage)]));
        }
    }

    private void OnCommit(byte[] commitAndWelcome)
    {
        if (!_awaitingCommit)
        {
            Log.Add("late commit ignored");
            return;
        }

        _awaitingCommit = false;
        var (commit, welcome) = authority.Split(commitAndWelcome);
        authority.Accept(commit);
        _pendingTransition = _nextTransitionId++;
        _ready.Clear();
        var previousMembers = _members.ToList();
        foreach (var member in previousMembers)
        {
            SendBinary(member, DaveOpcode.MlsAnnounceCommitTransition, [.. U16(_pendingTransition), .. commit]);
        }

        if (welcome is not null)
        {
            foreach (var joiner in _pendingJoiners.ToList())
            {
                _members.Add(joiner);
                SendBinary(joiner, DaveOpcode.MlsWelcome, [.. U16(_pendingTransition), .. welcome]);
            }

            _pendingJoiners.Clear();
        }
    }

    private void OnReady(ulong from, int transitionId)
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

        ExecutedTransitions++;
        foreach (var member in _members)
        {
            Deliver(member, _sessions[member].HandleJson(22, Json($$"""{"transition_id":{{transitionId}}}""")));
        }

        if (_pendingJoiners.Count > 0 && !_awaitingCommit)
        {
            Propose(authority.ProposeAdd([.. _pendingJoiners.Select(j => (j, _keyPackages[j]))]));
        }
    }

    private void SendBinary(ulong to, DaveOpcode opcode, byte[] payload) => Deliver(to, _sessions[to].HandleBinary(Frame(to, opcode, payload)));

    private byte[] Frame(ulong to, DaveOpcode opcode, byte[] payload)
    {
        var sequence = _sequences[to]++;
        return [.. U16(sequence), (byte)opcode, .. payload];
    }

    private void Deliver(ulong from, DaveStep step)
    {
        Events.AddRange(step.Events);
        foreach (var message in step.Outbound)
        {
            _inbox.Enqueue((from, message));
        }
    }

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

    internal static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>The gateway side of <see cref="FakeDaveMls"/>.</summary>
internal sealed class FakeGroupAuthority : IEmulatedGroupAuthority
{
    private ulong _epoch;

    public byte[] ExternalSenderPackage => FakeDaveMlsSession.GroupExternalSender;

    public byte[] ProposeAdd(IReadOnlyList<(ulong UserId, byte[] KeyPackage)> joiners) =>
        FakeDaveMlsSession.Proposals(joiners.Select(j => ((byte)1, j.UserId)), _epoch);

    public byte[] ProposeRemove(IReadOnlyList<ulong> userIds) => FakeDaveMlsSession.Proposals(userIds.Select(u => ((byte)2, u)), _epoch);

    public (byte[] Commit, byte[]? Welcome) Split(byte[] commitAndWelcome)
    {
        var length = FakeDaveMlsSession.CommitLength(commitAndWelcome);
        return (commitAndWelcome[..length], commitAndWelcome.Length > length ? commitAndWelcome[length..] : null);
    }

    public void Accept(byte[] commit) => _epoch++;

    public void Founder(ulong userId)
    {
    }
}
