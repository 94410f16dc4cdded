using System.Buffers.Binary;
using System.Security.Cryptography;
using DiscordLedgerBot.Voice.Mls;

namespace DiscordLedgerBot.Voice.Dave;

/// <summary>Creates <see cref="IDaveMlsSession"/>s backed by our RFC 9420 implementation (<see cref="MlsGroup"/>).</summary>
public sealed class MlsDaveSessionFactory : IDaveMlsSessionFactory
{
    public IDaveMlsSession Create(ulong selfUserId) => new MlsDaveSession(selfUserId);
}

/// <summary>
/// Adapts <see cref="MlsMember"/>/<see cref="MlsGroup"/> to the DAVE state machine: identity = 8-byte big-endian user id,
/// op 27 vectors unwrapped, DAVE's Add rule (only expected user ids) applied, MLS failures turned into
/// <see cref="DaveMlsException"/>.
/// </summary>
internal sealed class MlsDaveSession : IDaveMlsSession
{
    private readonly ulong _selfUserId;
    private readonly MlsMember _member;
    private readonly byte[] _keyPackage;
    private MlsGroup? _group;

    public MlsDaveSession(ulong selfUserId)
    {
        _selfUserId = selfUserId;
        _member = MlsMember.Create(Identity(selfUserId));
        _keyPackage = _member.CreateKeyPackage();
    }

    public ReadOnlyMemory<byte> KeyPackage => _keyPackage;

    public ReadOnlyMemory<byte> SignaturePublicKey => _member.SignaturePublicKey;

    public bool HasGroup => _group is not null;

    public bool IsEstablished { get; private set; }

    public ulong Epoch => _group?.Epoch ?? 0;

    public ReadOnlyMemory<byte> EpochAuthenticator => _group?.EpochAuthenticator ?? [];

    public IReadOnlyList<ulong> MemberUserIds =>
        _group is null ? [] : [.. _group.Members.Select(m => UserId(m.Identity))];

    public void CreatePendingGroup(ReadOnlySpan<byte> groupId, ReadOnlySpan<byte> externalSender)
    {
        var groupIdCopy = groupId.ToArray();
        var sender = externalSender.ToArray();
        _group = Guard(() => MlsGroup.CreatePending(_member, groupIdCopy, ExternalSender.Parse(sender)));
    }

    public void AppendProposals(ReadOnlySpan<byte> proposalMessages, Func<ulong, bool> isExpectedUser)
    {
        var group = RequireGroup();
        if (!MlsVarint.TryReadVector(proposalMessages, out var content, out var consumed) || consumed != proposalMessages.Length)
        {
            throw new DaveMlsException("The proposal_messages vector is malformed.");
        }

        var messages = content.ToArray();
        var accepted = Guard(() => group.ValidateAndCacheProposals(messages));
        var unexpected = accepted.Where(p => p.Kind == MlsProposalKind.Add && (p.Identity.Length != 8 || !isExpectedUser(UserId(p.Identity)))).ToList();
        if (unexpected.Count > 0)
        {
            // DAVE only admits users the gateway announced (op 11) or ourselves: drop the whole batch again.
            group.RevokeProposals(accepted.Select(p => p.Ref));
            throw new DaveMlsException($"Add proposal for unexpected user(s) {string.Join(", ", unexpected.Select(p => p.Identity.Length == 8 ? UserId(p.Identity).ToString(System.Globalization.CultureInfo.InvariantCulture) : "(malformed identity)"))}.");
        }
    }

    public void RevokeProposals(IReadOnlyList<byte[]> proposalRefs)
    {
        ArgumentNullException.ThrowIfNull(proposalRefs);
        RequireGroup().RevokeProposals(proposalRefs.Select(r => new ProposalRef(r)));
    }

    public DaveCommitOutput? CommitCachedProposals()
    {
        var group = RequireGroup();
        if (group.CachedProposals.Count == 0)
        {
            return null;
        }

        var result = Guard(group.CommitCachedProposals);
        return new DaveCommitOutput(result.Commit, result.Welcome);
    }

    public void ApplyCommit(ReadOnlySpan<byte> commitMessage)
    {
        var group = RequireGroup();
        var commit = commitMessage.ToArray();
        Guard(() =>
        {
            group.ProcessCommit(commit);
            return true;
        });
        IsEstablished = true;
        RejectDuplicateUsers();
    }

    public void JoinFromWelcome(ReadOnlySpan<byte> welcome, ReadOnlySpan<byte> expectedExternalSender)
    {
        var welcomeBytes = welcome.ToArray();
        var sender = expectedExternalSender.ToArray();
        _group = Guard(() => MlsGroup.JoinFromWelcome(_member, welcomeBytes, _keyPackage, ExternalSender.Parse(sender)));
        IsEstablished = true;
        RejectDuplicateUsers();
    }

    public byte[] Export(string label, ReadOnlySpan<byte> context, int length) => RequireGroup().Export(label, context, length);

    public void Dispose()
    {
        _group = null;
        IsEstablished = false;
    }

    internal static byte[] Identity(ulong userId)
    {
        var identity = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(identity, userId);
        return identity;
    }

    private static ulong UserId(byte[] identity) => identity.Length == 8 ? BinaryPrimitives.ReadUInt64BigEndian(identity) : 0;

    // DAVE: one leaf per user. The caller answers with op 31 and a reset, which discards this group.
    private void RejectDuplicateUsers()
    {
        var members = MemberUserIds;
        if (members.Distinct().Count() != members.Count)
        {
            throw new DaveMlsException("Two leaves of the group share a user id.");
        }
    }

    private MlsGroup RequireGroup() => _group ?? throw new DaveMlsException($"User {_selfUserId} has no MLS group yet.");

    // MLS reports bad peer input as MlsException; the crypto and codec layers underneath may surface the others.
    private static T Guard<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception exception) when (exception is MlsException or CryptographicException or ArgumentException or FormatException or InvalidOperationException)
        {
            throw new DaveMlsException(exception.Message, exception);
        }
    }
}
