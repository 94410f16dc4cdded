namespace DiscordLedgerBot.Voice.Dave;

/// <summary>The one MLS capability the media path needs: RFC 9420 MLS-Exporter of the current epoch.</summary>
public interface IDaveMlsExporter
{
    byte[] Export(string label, ReadOnlySpan<byte> context, int length);
}

/// <summary>
/// What the DAVE state machine needs from an MLS client (one local member in one voice call), so the state machine can
/// be tested against a fake and run against the real RFC 9420 implementation. Methods that consume peer bytes throw
/// <see cref="DaveMlsException"/> when those bytes are invalid; after a failed <see cref="ApplyCommit"/> or
/// <see cref="JoinFromWelcome"/> the state machine discards the session (op 31 and a fresh member), so those two need
/// not roll back. Not thread-safe: <see cref="DaveSession"/> serializes all calls.
/// </summary>
public interface IDaveMlsSession : IDaveMlsExporter, IDisposable
{
    /// <summary>The bare KeyPackage (op 26) for this member's fresh signature and init keys.</summary>
    ReadOnlyMemory<byte> KeyPackage { get; }

    /// <summary>This member's signature public key (for pairwise fingerprints).</summary>
    ReadOnlyMemory<byte> SignaturePublicKey { get; }

    /// <summary>True once a group exists (pending one-member group or joined/committed group).</summary>
    bool HasGroup { get; }

    /// <summary>True once this member has been added by a commit or a welcome (the group has other members' keys).</summary>
    bool IsEstablished { get; }

    ulong Epoch { get; }

    /// <summary>The 32-byte epoch_authenticator of the current epoch.</summary>
    ReadOnlyMemory<byte> EpochAuthenticator { get; }

    /// <summary>User ids of the current members (identity = 8-byte big-endian user id).</summary>
    IReadOnlyList<ulong> MemberUserIds { get; }

    /// <summary>Creates the local one-member group that will later commit the gateway's proposals.</summary>
    void CreatePendingGroup(ReadOnlySpan<byte> groupId, ReadOnlySpan<byte> externalSender);

    /// <summary>Validates the <c>MLSMessage proposal_messages&lt;V&gt;</c> of op 27 and caches them.</summary>
    void AppendProposals(ReadOnlySpan<byte> proposalMessages, Func<ulong, bool> isExpectedUser);

    /// <summary>Drops cached proposals by ProposalRef.</summary>
    void RevokeProposals(IReadOnlyList<byte[]> proposalRefs);

    /// <summary>Commits every cached proposal; null when none is cached. The commit stays pending until announced.</summary>
    DaveCommitOutput? CommitCachedProposals();

    /// <summary>Applies the announced commit of op 29 (adopting our own pending commit when it is ours).</summary>
    void ApplyCommit(ReadOnlySpan<byte> commitMessage);

    /// <summary>Joins from the bare Welcome of op 30; the group must name exactly <paramref name="expectedExternalSender"/>.</summary>
    void JoinFromWelcome(ReadOnlySpan<byte> welcome, ReadOnlySpan<byte> expectedExternalSender);
}

/// <summary>An MLSMessage(Commit) and, when it adds members, the bare Welcome that goes with it.</summary>
public sealed record DaveCommitOutput(byte[] CommitMessage, byte[]? Welcome);

/// <summary>Creates a fresh MLS member (new signature and HPKE keys) for the local user.</summary>
public interface IDaveMlsSessionFactory
{
    IDaveMlsSession Create(ulong selfUserId);
}

/// <summary>Peer MLS bytes could not be processed.</summary>
public sealed class DaveMlsException : Exception
{
    public DaveMlsException()
    {
    }

    public DaveMlsException(string message)
        : base(message)
    {
    }

    public DaveMlsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
