namespace DiscordLedgerBot.Voice.Mls;

/// <summary>A proposal reference (RFC 9420 §5.2 RefHash "MLS 1.0 Proposal Reference"), compared by value.</summary>
public sealed class ProposalRef : IEquatable<ProposalRef>
{
    private readonly byte[] _value;

    public ProposalRef(ReadOnlySpan<byte> value) => _value = value.ToArray();

    public ReadOnlySpan<byte> Value => _value;

    public byte[] ToArray() => (byte[])_value.Clone();

    public bool Equals(ProposalRef? other) => other is not null && _value.AsSpan().SequenceEqual(other._value);

    public override bool Equals(object? obj) => Equals(obj as ProposalRef);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_value);
        return hash.ToHashCode();
    }

    public override string ToString() => Convert.ToHexString(_value);
}

/// <summary>A group member: leaf index, basic-credential identity and signature public key.</summary>
public sealed record LeafInfo(uint LeafIndex, byte[] Identity, byte[] SignatureKey);

public enum MlsProposalKind
{
    Add,
    Remove,
}

/// <summary>
/// A validated, cached proposal. For Add, <see cref="Identity"/> is the joiner's credential identity; for Remove it
/// is the identity of the removed leaf <see cref="RemovedLeafIndex"/>.
/// </summary>
public sealed record MlsProposalInfo(ProposalRef Ref, MlsProposalKind Kind, byte[] Identity, uint? RemovedLeafIndex);

/// <summary>
/// A commit this member created: the MLSMessage(PublicMessage(Commit)) bytes and, when the commit adds members, the
/// bare Welcome. The group stays in its current epoch until <see cref="MlsGroup.ProcessCommit"/> sees this commit.
/// </summary>
public sealed record CommitResult(byte[] Commit, byte[]? Welcome);

/// <summary>This member's leaf was removed by the processed commit; the group object can no longer be used.</summary>
public sealed class MlsRemovedFromGroupException : MlsException
{
    public MlsRemovedFromGroupException()
    {
    }

    public MlsRemovedFromGroupException(string message)
        : base(message)
    {
    }

    public MlsRemovedFromGroupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
