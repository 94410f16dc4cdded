using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Tests.Dave;

namespace DiscordLedgerBot.Voice.Tests.Interop;

/// <summary>
/// The voice gateway and MLS external sender of a call whose members run different DAVE implementations, speaking
/// only the wire messages of ops 4, 11, 13 and 21-31 to them, as Discord does: it collects key packages, sends
/// external-sender-signed Add/Remove proposals to every group member, takes the FIRST commit it receives for the
/// epoch (members receive the proposals in <see cref="CommitterOrder"/>, so a test decides who wins the race),
/// announces it (op 29) to the group, welcomes joiners (op 30), and executes (op 22) once every member sent op 23.
/// </summary>
internal sealed class InteropGateway(ulong channelId)
{
    private readonly Dictionary<ulong, IInteropMember> _members = [];
    private readonly Dictionary<ulong, ushort> _sequences = [];
    private readonly Dictionary<ulong, byte[]> _keyPackages = [];
    private readonly List<ulong> _group = [];
    private readonly HashSet<ulong> _pendingJoiners = [];
    private readonly HashSet<ulong> _proposedJoiners = [];
    private readonly HashSet<ulong> _ready = [];
    private readonly Queue<(ulong From, DaveOutboundMessage Message)> _inbox = new();
    private readonly MlsGroupAuthority _authority = new(channelId);
    private bool _awaitingCommit;
    private int _pendingTransition;
    private int _nextTransitionId = 1;

    public int ProtocolVersion { get; private set; } = 1;

    /// <summary>Who should receive proposals first (and so win the commit race), when in the group.</summary>
    public ulong? CommitterOrder { get; set; }

    /// <summary>While set, commits are collected but none is chosen (proposals stay open, e.g. to be revoked).</summary>
    public bool HoldCommits { get; set; }

    public List<(ulong From, byte[] CommitAndWelcome)> HeldCommits { get; } = [];

    /// <summary>Runs once every member is ready for a transition and before op 22 executes it (the transition window).</summary>
    public Action? BeforeExecute { get; set; }

    public List<string> Log { get; } = [];

    /// <summary>The member whose commit was chosen, in order, one per chosen commit.</summary>
    public List<ulong> Committers { get; } = [];

    /// <summary>Op 31s received: (member, transition id).</summary>
    public List<(ulong UserId, int TransitionId)> InvalidCommitWelcomes { get; } = [];

    public int ExecutedTransitions { get; private set; }

    public IReadOnlyList<ulong> Group => _group;

    public IReadOnlyCollection<ulong> Members => _members.Keys;

    public IInteropMember Member(ulong userId) => _members[userId];

    public void Join(IInteropMember joiner)
    {
        foreach (var (other, member) in _members)
        {
            Deliver(other, member.ReceiveJson(11, $$"""{"user_ids":["{{joiner.UserId}}"]}"""));
        }

        _members[joiner.UserId] = joiner;
        _sequences[joiner.UserId] = 0;
        var others = string.Join(',', _members.Keys.Where(k => k != joiner.UserId).Select(k => $"\"{k}\""));
        Deliver(joiner.UserId, joiner.ReceiveJson(11, $$"""{"user_ids":[{{others}}]}"""));
        Deliver(joiner.UserId, joiner.ReceiveJson(4, $$"""{"mode":"aead_aes256_gcm_rtpsize","dave_protocol_version":{{ProtocolVersion}}}"""));
        if (ProtocolVersion > 0)
        {
            SendBinary(joiner.UserId, DaveOpcode.MlsExternalSenderPackage, _authority.ExternalSenderPackage);
        }

        Pump();
    }

    public void Leave(ulong userId)
    {
        _members.Remove(userId, out var leaving);
        leaving?.Dispose();
        _keyPackages.Remove(userId);
        foreach (var (other, member) in _members)
        {
            Deliver(other, member.ReceiveJson(13, $$"""{"user_id":"{{userId}}"}"""));
        }

        if (_group.Remove(userId) && _group.Count > 0 && ProtocolVersion > 0)
        {
            if (_group.Count == 1 && ResetSoleMember)
            {
                StartOverWithSoleMember(_group[0]);
            }
            else
            {
                Propose(_authority.ProposeRemove([userId]));
            }
        }

        Pump();
    }

    /// <summary>When a leave leaves one member, reset it (op 24 epoch 1, then op 21 transition 0) instead of committing the Remove.</summary>
    public bool ResetSoleMember { get; set; }

    private void StartOverWithSoleMember(ulong sole)
    {
        _authority.Restart();
        _group.Clear();
        _keyPackages.Clear();
        Deliver(sole, _members[sole].ReceiveJson(24, """{"protocol_version":1,"epoch":1}"""));
        Deliver(sole, _members[sole].ReceiveJson(21, """{"transition_id":0,"protocol_version":1}"""));
    }

    /// <summary>
    /// A joiner whose Add is proposed but not yet committed leaves: the group gets op 13 and an op 27 revoke of its
    /// proposal, so no commit is expected for it and any commit made before the revoke is dropped.
    /// </summary>
    public void LeaveBeforeCommit(ulong userId)
    {
        _members.Remove(userId, out var leaving);
        leaving?.Dispose();
        _keyPackages.Remove(userId);
        _proposedJoiners.Remove(userId);
        _pendingJoiners.Remove(userId);
        foreach (var (other, member) in _members)
        {
            Deliver(other, member.ReceiveJson(13, $$"""{"user_id":"{{userId}}"}"""));
        }

        var refs = _authority.Revoke(userId);
        _awaitingCommit = _proposedJoiners.Count > 0;
        HeldCommits.Clear();
        foreach (var member in _group)
        {
            SendBinary(member, DaveOpcode.MlsProposals, [1, .. refs]);
        }

        Pump();
    }

    /// <summary>Downgrade to transport-only (op 21 protocol_version 0), executed once every member is ready.</summary>
    public void Downgrade()
    {
        ProtocolVersion = 0;
        _pendingTransition = _nextTransitionId++;
        _ready.Clear();
        _group.Clear();
        _pendingJoiners.Clear();
        _proposedJoiners.Clear();
        _awaitingCommit = false;
        foreach (var (userId, member) in _members)
        {
            _group.Add(userId);
            Deliver(userId, member.ReceiveJson(21, $$"""{"transition_id":{{_pendingTransition}},"protocol_version":0}"""));
        }

        Pump();
        _group.Clear();
    }

    /// <summary>Upgrade back to DAVE: op 24 epoch 1 makes everyone start over; a new group is built from their key packages.</summary>
    public void Upgrade()
    {
        ProtocolVersion = 1;
        _authority.Restart();
        _group.Clear();
        _pendingJoiners.Clear();
        _proposedJoiners.Clear();
        _awaitingCommit = false;
        _keyPackages.Clear();
        foreach (var (userId, member) in _members)
        {
            Deliver(userId, member.ReceiveJson(24, """{"protocol_version":1,"epoch":1}"""));
        }

        foreach (var userId in _members.Keys)
        {
            SendBinary(userId, DaveOpcode.MlsExternalSenderPackage, _authority.ExternalSenderPackage);
        }

        Pump();
    }

    private void Propose(byte[] proposals)
    {
        _awaitingCommit = true;
        var order = _group.OrderBy(m => m == CommitterOrder ? 0 : 1).ToList();
        foreach (var member in order)
        {
            SendBinary(member, DaveOpcode.MlsProposals, [0, .. proposals]);
        }
    }

    private void Pump()
    {
        while (_inbox.TryDequeue(out var item))
        {
            if (_members.ContainsKey(item.From))
            {
                Handle(item.From, item.Message);
            }
        }
    }

    private void Handle(ulong from, DaveOutboundMessage message)
    {
        Log.Add($"{Name(from)} -> op {(int)message.Opcode}");
        switch (message)
        {
            case DaveBinaryMessage { Opcode: DaveOpcode.MlsKeyPackage } keyPackage:
                OnKeyPackage(from, keyPackage.Bytes[1..]);
                break;
            case DaveBinaryMessage { Opcode: DaveOpcode.MlsCommitWelcome } commit:
                OnCommit(from, commit.Bytes[1..]);
                break;
            case DaveJsonMessage { Opcode: DaveOpcode.ReadyForTransition } ready:
                OnReady(from, TransitionId(ready.Json));
                break;
            case DaveJsonMessage { Opcode: DaveOpcode.MlsInvalidCommitWelcome } invalid:
                InvalidCommitWelcomes.Add((from, TransitionId(invalid.Json)));
                break;
            default:
                throw new InvalidOperationException($"Unexpected client message op {(int)message.Opcode} from {Name(from)}.");
        }
    }

    private void OnKeyPackage(ulong from, byte[] keyPackage)
    {
        _keyPackages[from] = keyPackage;
        if (_group.Count == 0)
        {
            // First key package of a group: that member's one-member pending group becomes the group.
            _group.Add(from);
            _authority.Founder(from);
            return;
        }

        if (_group.Contains(from))
        {
            // A member reset itself after op 31: remove it and add it back with its fresh key package.
            _group.Remove(from);
            Propose(_authority.ProposeRemove([from]));
        }

        _pendingJoiners.Add(from);
        if (!_awaitingCommit)
        {
            ProposePendingJoiners();
        }
    }

    private void ProposePendingJoiners()
    {
        _proposedJoiners.UnionWith(_pendingJoiners);
        _pendingJoiners.Clear();
        Propose(_authority.ProposeAdd([.. _proposedJoiners.Select(j => (j, _keyPackages[j]))]));
    }

    private void OnCommit(ulong from, byte[] commitAndWelcome)
    {
        if (!_awaitingCommit)
        {
            Log.Add($"late commit from {Name(from)} ignored");
            return;
        }

        if (HoldCommits)
        {
            HeldCommits.Add((from, commitAndWelcome));
            return;
        }

        _awaitingCommit = false;
        var joiners = _proposedJoiners.ToList();
        _proposedJoiners.Clear();
        var (commit, welcome) = _authority.Split(commitAndWelcome);
        _authority.Accept(commit);
        Committers.Add(from);
        _pendingTransition = _nextTransitionId++;
        _ready.Clear();
        foreach (var member in _group.ToList())
        {
            SendBinary(member, DaveOpcode.MlsAnnounceCommitTransition, [.. U16(_pendingTransition), .. commit]);
        }

        if (welcome is not null)
        {
            foreach (var joiner in joiners)
            {
                _group.Add(joiner);
                SendBinary(joiner, DaveOpcode.MlsWelcome, [.. U16(_pendingTransition), .. welcome]);
            }

        }
    }

    private void OnReady(ulong from, int transitionId)
    {
        if (transitionId != _pendingTransition)
        {
            return;
        }

        _ready.Add(from);
        if (!_group.All(_ready.Contains))
        {
            return;
        }

        BeforeExecute?.Invoke();
        ExecutedTransitions++;
        foreach (var member in _group.ToList())
        {
            Deliver(member, _members[member].ReceiveJson(22, $$"""{"transition_id":{{transitionId}}}"""));
        }

        if (_pendingJoiners.Count > 0 && !_awaitingCommit && ProtocolVersion > 0)
        {
            ProposePendingJoiners();
        }
    }

    private void SendBinary(ulong to, DaveOpcode opcode, byte[] payload)
    {
        var sequence = _sequences[to]++;
        Deliver(to, _members[to].ReceiveBinary([.. U16(sequence), (byte)opcode, .. payload]));
    }

    private void Deliver(ulong from, IReadOnlyList<DaveOutboundMessage> messages)
    {
        foreach (var message in messages)
        {
            _inbox.Enqueue((from, message));
        }
    }

    private string Name(ulong userId) =>
        _members.TryGetValue(userId, out var member) ? $"{member.Implementation}:{userId}" : userId.ToString(CultureInfo.InvariantCulture);

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
}
