using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DiscordLedgerBot.Voice.Dave;

namespace DiscordLedgerBot.Voice.Tests.Dave;

/// <summary>
/// A stand-in MLS with the same observable behaviour as the real one where the DAVE state machine cares (epochs,
/// members, exporter agreement, pending vs. established, rejection of stale or foreign input) and a trivial wire format:
/// proposals are <c>varint-vector of [op 1=add|2=remove][u64 user][u64 epoch]</c>, commit = 'C' || body, welcome = 'W' || body,
/// body = u64 epoch | u16 count | u64 members... | 8 random bytes. Not cryptography: only for state-machine tests.
/// </summary>
internal sealed class FakeDaveMlsFactory : IDaveMlsSessionFactory
{
    public List<FakeDaveMlsSession> Created { get; } = [];

    public IDaveMlsSession Create(ulong selfUserId)
    {
        var session = new FakeDaveMlsSession(selfUserId, Created.Count);
        Created.Add(session);
        return session;
    }
}

internal sealed class FakeDaveMlsSession(ulong self, int generation) : IDaveMlsSession
{
    public const int ProposalLength = 17;
    public static readonly byte[] GroupExternalSender = "fake external sender"u8.ToArray();
    private readonly List<byte[]> _cached = [];
    private byte[] _secret = [];
    private List<ulong> _members = [];

    public ReadOnlyMemory<byte> KeyPackage { get; } = FakeKeyPackage(self, generation);

    public ReadOnlyMemory<byte> SignaturePublicKey { get; } = SHA256.HashData(FakeKeyPackage(self, generation));

    public bool HasGroup { get; private set; }

    public bool IsEstablished { get; private set; }

    public bool Disposed { get; private set; }

    public ulong Epoch { get; private set; }

    public ReadOnlyMemory<byte> EpochAuthenticator => SHA256.HashData([.. "auth"u8, .. _secret]);

    public IReadOnlyList<ulong> MemberUserIds => _members;

    public static byte[] FakeKeyPackage(ulong user, int generation)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, user);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), generation);
        return bytes;
    }

    public static byte[] Proposals(IEnumerable<(byte Op, ulong User)> proposals, ulong epoch)
    {
        var entries = proposals.Select(p => Entry(p.Op, p.User, epoch)).SelectMany(e => e).ToArray();
        var prefix = new byte[MlsVarintForTests.Size(entries.Length)];
        MlsVarintForTests.Write(prefix, entries.Length);
        return [.. prefix, .. entries];
    }

    public static byte[] Entry(byte op, ulong user, ulong epoch)
    {
        var entry = new byte[ProposalLength];
        entry[0] = op;
        BinaryPrimitives.WriteUInt64BigEndian(entry.AsSpan(1), user);
        BinaryPrimitives.WriteUInt64BigEndian(entry.AsSpan(9), epoch);
        return entry;
    }

    public static int CommitLength(ReadOnlySpan<byte> commitAndWelcome) =>
        commitAndWelcome.Length < 11 ? commitAndWelcome.Length : 1 + 8 + 2 + (8 * BinaryPrimitives.ReadUInt16BigEndian(commitAndWelcome[9..])) + 8;

    public void CreatePendingGroup(ReadOnlySpan<byte> groupId, ReadOnlySpan<byte> externalSender)
    {
        if (IsEstablished)
        {
            throw new DaveMlsException("already joined a group");
        }

        HasGroup = true;
        _members = [self];
    }

    public void AppendProposals(ReadOnlySpan<byte> proposalMessages, Func<ulong, bool> isExpectedUser)
    {
        if (!TryReadVector(proposalMessages, out var vector) || vector.Length % ProposalLength != 0 || vector.IsEmpty)
        {
            throw new DaveMlsException("malformed proposals");
        }

        var accepted = new List<byte[]>();
        for (var i = 0; i < vector.Length; i += ProposalLength)
        {
            var entry = vector.Slice(i, ProposalLength);
            var user = BinaryPrimitives.ReadUInt64BigEndian(entry[1..]);
            if (entry[0] is not (1 or 2) || BinaryPrimitives.ReadUInt64BigEndian(entry[9..]) != Epoch)
            {
                throw new DaveMlsException("proposal for another epoch or of an unknown type");
            }

            if (entry[0] == 1 && !isExpectedUser(user))
            {
                throw new DaveMlsException($"unexpected Add for user {user}");
            }

            accepted.Add(entry.ToArray());
        }

        _cached.AddRange(accepted);
    }

    public void RevokeProposals(IReadOnlyList<byte[]> proposalRefs)
    {
        foreach (var reference in proposalRefs)
        {
            _cached.RemoveAll(c => c.AsSpan().SequenceEqual(reference));
        }
    }

    public DaveCommitOutput? CommitCachedProposals()
    {
        if (_cached.Count == 0)
        {
            return null;
        }

        var members = new List<ulong>(_members);
        var adds = false;
        foreach (var entry in _cached)
        {
            var user = BinaryPrimitives.ReadUInt64BigEndian(entry.AsSpan(1));
            if (entry[0] == 1 && !members.Contains(user))
            {
                members.Add(user);
                adds |= user != self;
            }
            else if (entry[0] == 2)
            {
                members.Remove(user);
            }
        }

        var body = new byte[8 + 2 + (8 * members.Count) + 8];
        BinaryPrimitives.WriteUInt64BigEndian(body, Epoch);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(8), (ushort)members.Count);
        for (var i = 0; i < members.Count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(10 + (8 * i)), members[i]);
        }

        RandomNumberGenerator.Fill(body.AsSpan(^8));
        return new DaveCommitOutput([(byte)'C', .. body], adds ? [(byte)'W', .. body] : null);
    }

    public void ApplyCommit(ReadOnlySpan<byte> commitMessage)
    {
        if (commitMessage.IsEmpty || commitMessage[0] != 'C' || !TryParseBody(commitMessage[1..], out var epoch, out var members) || epoch != Epoch)
        {
            throw new DaveMlsException("commit does not apply to this epoch");
        }

        if (!members.Contains(self))
        {
            throw new DaveMlsException("this member was removed");
        }

        Enter(commitMessage[1..], epoch, members);
    }

    public void JoinFromWelcome(ReadOnlySpan<byte> welcome, ReadOnlySpan<byte> expectedExternalSender)
    {
        if (welcome.IsEmpty || welcome[0] != 'W' || !TryParseBody(welcome[1..], out var epoch, out var members) || !members.Contains(self))
        {
            throw new DaveMlsException("welcome is not for this member");
        }

        // Every fake group names the fake gateway's external sender.
        if (!expectedExternalSender.SequenceEqual(GroupExternalSender))
        {
            throw new DaveMlsException("external sender mismatch");
        }

        HasGroup = true;
        Enter(welcome[1..], epoch, members);
    }

    public byte[] Export(string label, ReadOnlySpan<byte> context, int length) =>
        HMACSHA256.HashData(_secret, (byte[])[.. Encoding.ASCII.GetBytes(label), .. context])[..length];

    public void Dispose() => Disposed = true;

    private void Enter(ReadOnlySpan<byte> body, ulong epoch, List<ulong> members)
    {
        _secret = SHA256.HashData(body);
        Epoch = epoch + 1;
        _members = members;
        IsEstablished = true;
        _cached.Clear();
    }

    private static bool TryParseBody(ReadOnlySpan<byte> body, out ulong epoch, out List<ulong> members)
    {
        epoch = 0;
        members = [];
        if (body.Length < 18)
        {
            return false;
        }

        epoch = BinaryPrimitives.ReadUInt64BigEndian(body);
        int count = BinaryPrimitives.ReadUInt16BigEndian(body[8..]);
        if (body.Length != 10 + (8 * count) + 8)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            members.Add(BinaryPrimitives.ReadUInt64BigEndian(body[(10 + (8 * i))..]));
        }

        return true;
    }

    private static bool TryReadVector(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> vector)
    {
        vector = default;
        if (!MlsVarintForTests.TryRead(data, out var length, out var prefix) || prefix + length != data.Length)
        {
            return false;
        }

        vector = data[prefix..];
        return true;
    }
}

/// <summary>The MLS varint, written independently of the production one so tests do not trust what they test.</summary>
internal static class MlsVarintForTests
{
    public static int Size(int value) => value < 64 ? 1 : value < 16384 ? 2 : 4;

    public static void Write(Span<byte> destination, int value)
    {
        switch (Size(value))
        {
            case 1:
                destination[0] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(0x4000 | value));
                break;
            default:
                BinaryPrimitives.WriteUInt32BigEndian(destination, 0x8000_0000u | (uint)value);
                break;
        }
    }

    public static byte[] Vector(params byte[][] items)
    {
        var body = items.SelectMany(i => i).ToArray();
        var prefix = new byte[Size(body.Length)];
        Write(prefix, body.Length);
        return [.. prefix, .. body];
    }

    public static bool TryRead(ReadOnlySpan<byte> data, out int value, out int bytesRead)
    {
        value = 0;
        bytesRead = 0;
        if (data.IsEmpty)
        {
            return false;
        }

        var size = 1 << (data[0] >> 6);
        if (size > 4 || data.Length < size)
        {
            return false;
        }

        value = data[0] & 0x3F;
        for (var i = 1; i < size; i++)
        {
            value = (value << 8) | data[i];
        }

        bytesRead = size;
        return true;
    }
}
