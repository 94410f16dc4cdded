using DiscordLedgerBot.Voice.Mls.Codec;

namespace DiscordLedgerBot.Voice.Mls.Messages;

internal sealed record UpdatePathNode(byte[] EncryptionKey, IReadOnlyList<HpkeCiphertext> EncryptedPathSecret)
{
    public static UpdatePathNode Decode(ref TlsReader reader)
    {
        var key = reader.ReadOpaque();
        var vector = reader.ReadVector();
        var secrets = new List<HpkeCiphertext>();
        while (!vector.IsAtEnd)
        {
            secrets.Add(HpkeCiphertext.Decode(ref vector));
        }

        return new UpdatePathNode(key, secrets);
    }

    public void Encode(TlsWriter writer)
    {
        writer.WriteOpaque(EncryptionKey);
        writer.WriteVector(EncryptedPathSecret, (w, c) => c.Encode(w));
    }
}

internal sealed record UpdatePath(LeafNode LeafNode, IReadOnlyList<UpdatePathNode> Nodes)
{
    public static UpdatePath Decode(ref TlsReader reader)
    {
        var leaf = LeafNode.Decode(ref reader);
        var vector = reader.ReadVector();
        var nodes = new List<UpdatePathNode>();
        while (!vector.IsAtEnd)
        {
            nodes.Add(UpdatePathNode.Decode(ref vector));
        }

        return new UpdatePath(leaf, nodes);
    }

    public static UpdatePath Parse(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var path = Decode(ref reader);
        reader.EnsureEnd("UpdatePath");
        return path;
    }

    public void Encode(TlsWriter writer)
    {
        LeafNode.Encode(writer);
        writer.WriteVector(Nodes, (w, n) => n.Encode(w));
    }
}

/// <summary>RFC 9420 §12.4 Commit.</summary>
internal sealed record Commit(IReadOnlyList<ProposalOrRef> Proposals, UpdatePath? Path)
{
    public static Commit Decode(ref TlsReader reader)
    {
        var vector = reader.ReadVector();
        var proposals = new List<ProposalOrRef>();
        while (!vector.IsAtEnd)
        {
            proposals.Add(ProposalOrRef.Decode(ref vector));
        }

        var path = reader.ReadOptionalPresent() ? UpdatePath.Decode(ref reader) : null;
        return new Commit(proposals, path);
    }

    public void Encode(TlsWriter writer)
    {
        writer.WriteVector(Proposals, (w, p) => p.Encode(w));
        writer.WriteOptional(Path, (w, p) => p.Encode(w));
    }
}
