using DiscordLedgerBot.Voice.Mls.Codec;

namespace DiscordLedgerBot.Voice.Mls.Messages;

internal static class ProposalType
{
    public const ushort Add = 1;
    public const ushort Update = 2;
    public const ushort Remove = 3;
    public const ushort PreSharedKey = 4;
    public const ushort ReInit = 5;
    public const ushort ExternalInit = 6;
    public const ushort GroupContextExtensions = 7;
}

/// <summary>RFC 9420 §12.1 Proposal; the subclass carries the body.</summary>
internal abstract record Proposal(ushort Type)
{
    public static Proposal Decode(ref TlsReader reader)
    {
        var type = reader.ReadU16();
        return type switch
        {
            ProposalType.Add => new AddProposal(KeyPackage.Decode(ref reader)),
            ProposalType.Update => new UpdateProposal(LeafNode.Decode(ref reader)),
            ProposalType.Remove => new RemoveProposal(reader.ReadU32()),
            ProposalType.PreSharedKey => new PreSharedKeyProposal(PreSharedKeyId.Decode(ref reader)),
            ProposalType.ReInit => ReInitProposal.DecodeBody(ref reader),
            ProposalType.ExternalInit => new ExternalInitProposal(reader.ReadOpaque()),
            ProposalType.GroupContextExtensions => new GroupContextExtensionsProposal(Extension.DecodeList(ref reader)),
            _ => throw new MlsDecodeException($"Unsupported proposal type {type}."),
        };
    }

    public void Encode(TlsWriter writer)
    {
        writer.WriteU16(Type);
        EncodeBody(writer);
    }

    public abstract void EncodeBody(TlsWriter writer);
}

internal sealed record AddProposal(KeyPackage KeyPackage) : Proposal(ProposalType.Add)
{
    public override void EncodeBody(TlsWriter writer) => KeyPackage.Encode(writer);
}

internal sealed record UpdateProposal(LeafNode LeafNode) : Proposal(ProposalType.Update)
{
    public override void EncodeBody(TlsWriter writer) => LeafNode.Encode(writer);
}

internal sealed record RemoveProposal(uint Removed) : Proposal(ProposalType.Remove)
{
    public override void EncodeBody(TlsWriter writer) => writer.WriteU32(Removed);
}

internal sealed record PreSharedKeyProposal(PreSharedKeyId Psk) : Proposal(ProposalType.PreSharedKey)
{
    public override void EncodeBody(TlsWriter writer) => Psk.Encode(writer);
}

internal sealed record ReInitProposal(byte[] GroupId, ushort Version, ushort CipherSuite, IReadOnlyList<Extension> Extensions) : Proposal(ProposalType.ReInit)
{
    public static ReInitProposal DecodeBody(ref TlsReader reader) =>
        new(reader.ReadOpaque(), reader.ReadU16(), reader.ReadU16(), Extension.DecodeList(ref reader));

    public override void EncodeBody(TlsWriter writer)
    {
        writer.WriteOpaque(GroupId);
        writer.WriteU16(Version);
        writer.WriteU16(CipherSuite);
        Extension.EncodeList(writer, Extensions);
    }
}

internal sealed record ExternalInitProposal(byte[] KemOutput) : Proposal(ProposalType.ExternalInit)
{
    public override void EncodeBody(TlsWriter writer) => writer.WriteOpaque(KemOutput);
}

internal sealed record GroupContextExtensionsProposal(IReadOnlyList<Extension> Extensions) : Proposal(ProposalType.GroupContextExtensions)
{
    public override void EncodeBody(TlsWriter writer) => Extension.EncodeList(writer, Extensions);
}

/// <summary>ProposalOrRef: exactly one of <see cref="Proposal"/> / <see cref="Reference"/> is set.</summary>
internal sealed record ProposalOrRef(Proposal? Proposal, byte[]? Reference)
{
    public static ProposalOrRef Decode(ref TlsReader reader)
    {
        var type = reader.ReadU8();
        return type switch
        {
            1 => new ProposalOrRef(Proposal.Decode(ref reader), null),
            2 => new ProposalOrRef(null, reader.ReadOpaque()),
            _ => throw new MlsDecodeException($"Unknown ProposalOrRef type {type}."),
        };
    }

    public void Encode(TlsWriter writer)
    {
        if (Proposal is not null)
        {
            writer.WriteU8(1);
            Proposal.Encode(writer);
        }
        else
        {
            writer.WriteU8(2);
            writer.WriteOpaque(Reference!);
        }
    }
}
