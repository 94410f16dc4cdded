using System.Buffers.Binary;
using DiscordLedgerBot.Voice.Mls;

namespace DiscordLedgerBot.Emulators.Discord.Voice;

/// <summary>
/// The voice gateway's own MLS role in a call: signs Add/Remove proposals as the group's external sender and follows
/// the leaf layout (RFC 9420: an Add takes the leftmost blank leaf, a Remove blanks the leaf) to address Removes.
/// </summary>
internal sealed class EmulatedMlsAuthority(ulong channelId)
{
    private readonly MlsExternalSenderSigner _signer = MlsExternalSenderSigner.Create("voice-gateway"u8);
    private readonly List<ulong?> _leaves = [];
    private readonly List<(bool Add, ulong UserId)> _proposed = [];
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

    /// <summary>The first member's one-leaf pending group becomes the group; forgets any earlier one.</summary>
    public void Founder(ulong userId)
    {
        _leaves.Clear();
        _proposed.Clear();
        _epoch = 0;
        _leaves.Add(userId);
    }

    public byte[] ProposeAdd(IReadOnlyList<(ulong UserId, byte[] KeyPackage)> joiners)
    {
        var messages = new List<byte>();
        foreach (var (userId, keyPackage) in joiners)
        {
            messages.AddRange(_signer.ProposeAdd(GroupId, _epoch, keyPackage).Message);
            _proposed.Add((true, userId));
        }

        return MlsWire.EncodeVector([.. messages]);
    }

    public byte[] ProposeRemove(IReadOnlyList<ulong> userIds)
    {
        var messages = new List<byte>();
        foreach (var userId in userIds)
        {
            var leaf = _leaves.IndexOf(userId);
            messages.AddRange(_signer.ProposeRemove(GroupId, _epoch, (uint)leaf).Message);
            _proposed.Add((false, userId));
        }

        return MlsWire.EncodeVector([.. messages]);
    }

    /// <summary>Splits an op 28 payload into the MLSMessage(Commit) and the optional bare Welcome.</summary>
    public static (byte[] Commit, byte[]? Welcome) Split(byte[] commitAndWelcome)
    {
        var length = MlsWire.MlsMessageLength(commitAndWelcome);
        return (commitAndWelcome[..length], commitAndWelcome.Length > length ? commitAndWelcome[length..] : null);
    }

    /// <summary>The commit was chosen for the epoch: apply the proposals to the leaf layout.</summary>
    public void Accept()
    {
        foreach (var (_, userId) in _proposed.Where(p => !p.Add))
        {
            var index = _leaves.IndexOf(userId);
            if (index >= 0)
            {
                _leaves[index] = null;
            }
        }

        while (_leaves.Count > 0 && _leaves[^1] is null)
        {
            _leaves.RemoveAt(_leaves.Count - 1);
        }

        foreach (var (_, userId) in _proposed.Where(p => p.Add))
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
