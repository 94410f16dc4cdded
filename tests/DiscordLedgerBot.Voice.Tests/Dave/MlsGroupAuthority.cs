using System.Buffers.Binary;
using DiscordLedgerBot.Voice.Mls;

namespace DiscordLedgerBot.Voice.Tests.Dave;

/// <summary>
/// The emulated gateway's real MLS role: signs Add/Remove proposals as the group's external sender and follows the
/// leaf layout (RFC 9420: an Add takes the leftmost blank leaf, a Remove blanks the leaf) to address Removes.
/// </summary>
internal sealed class MlsGroupAuthority(ulong channelId) : IEmulatedGroupAuthority
{
    private readonly MlsExternalSenderSigner _signer = MlsExternalSenderSigner.Create("voice-gateway"u8);
    private readonly List<ulong?> _leaves = [];
    private readonly List<(bool Add, ulong UserId, ProposalRef Ref)> _proposed = [];
    private ulong _epoch;

    public byte[] ExternalSenderPackage => _signer.Sender.ToBytes();

    private byte[] GroupId
    {
        get
        {
            var id = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(id, channelId);
            return id;
        }
    }

    /// <summary>A new group from epoch 0 under the same external sender (after op 24 epoch 1, e.g. an upgrade).</summary>
    public void Restart()
    {
        _leaves.Clear();
        _proposed.Clear();
        _epoch = 0;
    }

    /// <summary>The first member's one-leaf pending group.</summary>
    public void Founder(ulong userId)
    {
        if (_leaves.Count == 0)
        {
            _leaves.Add(userId);
        }
    }

    public byte[] ProposeAdd(IReadOnlyList<(ulong UserId, byte[] KeyPackage)> joiners)
    {
        var messages = new List<byte>();
        foreach (var (userId, keyPackage) in joiners)
        {
            var (message, reference) = _signer.ProposeAdd(GroupId, _epoch, keyPackage);
            messages.AddRange(message);
            _proposed.Add((true, userId, reference));
        }

        return MlsWire.EncodeVector([.. messages]);
    }

    public byte[] ProposeRemove(IReadOnlyList<ulong> userIds)
    {
        var messages = new List<byte>();
        foreach (var userId in userIds)
        {
            var leaf = _leaves.IndexOf(userId);
            var (message, reference) = _signer.ProposeRemove(GroupId, _epoch, (uint)leaf);
            messages.AddRange(message);
            _proposed.Add((false, userId, reference));
        }

        return MlsWire.EncodeVector([.. messages]);
    }

    /// <summary>The op 27 revoke payload (<c>ProposalRef refs&lt;V&gt;</c>) withdrawing the uncommitted proposals about <paramref name="userId"/>.</summary>
    public byte[] Revoke(ulong userId)
    {
        var revoked = _proposed.Where(p => p.UserId == userId).ToList();
        _proposed.RemoveAll(p => p.UserId == userId);
        return MlsWire.EncodeProposalRefs(revoked.Select(p => p.Ref));
    }

    public (byte[] Commit, byte[]? Welcome) Split(byte[] commitAndWelcome)
    {
        var length = MlsWire.MlsMessageLength(commitAndWelcome);
        return (commitAndWelcome[..length], commitAndWelcome.Length > length ? commitAndWelcome[length..] : null);
    }

    public void Accept(byte[] commit)
    {
        foreach (var (_, userId, _) in _proposed.Where(p => !p.Add))
        {
            _leaves[_leaves.IndexOf(userId)] = null;
        }

        while (_leaves.Count > 0 && _leaves[^1] is null)
        {
            _leaves.RemoveAt(_leaves.Count - 1);
        }

        foreach (var (_, userId, _) in _proposed.Where(p => p.Add))
        {
            var blank = _leaves.IndexOf(null);
            if (blank >= 0)
            {
                _leaves[blank] = userId;
            }
            else
            {
                _leaves.Add(userId);
            }
        }

        _proposed.Clear();
        _epoch++;
    }
}
