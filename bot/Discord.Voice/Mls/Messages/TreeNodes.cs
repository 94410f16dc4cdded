using DiscordLedgerBot.Voice.Mls.Codec;

namespace DiscordLedgerBot.Voice.Mls.Messages;

internal enum LeafNodeSource : byte
{
    KeyPackage = 1,
    Update = 2,
    Commit = 3,
}

/// <summary>RFC 9420 §7.2 LeafNode.</summary>
internal sealed record LeafNode(
    byte[] EncryptionKey,
    byte[] SignatureKey,
    Credential Credential,
    Capabilities Capabilities,
    LeafNodeSource Source,
    ulong NotBefore,
    ulong NotAfter,
    byte[] ParentHash,
    IReadOnlyList<Extension> Extensions,
    byte[] Signature)
{
    public static LeafNode Decode(ref TlsReader reader)
    {
        var encryptionKey = reader.ReadOpaque();
        var signatureKey = reader.ReadOpaque();
        var credential = Credential.Decode(ref reader);
        var capabilities = Capabilities.Decode(ref reader);
        var source = reader.ReadU8();
        ulong notBefore = 0, notAfter = 0;
        byte[] parentHash = [];
        switch ((LeafNodeSource)source)
        {
            case LeafNodeSource.KeyPackage:
                notBefore = reader.ReadU64();
                notAfter = reader.ReadU64();
                break;
            case LeafNodeSource.Update:
                break;
            case LeafNodeSource.Commit:
                parentHash = reader.ReadOpaque();
                break;
            default:
                throw new MlsDecodeException($"Unknown leaf node source {source}.");
        }

        var extensions = Extension.DecodeList(ref reader);
        return new LeafNode(encryptionKey, signatureKey, credential, capabilities, (LeafNodeSource)source, notBefore, notAfter, parentHash, extensions, reader.ReadOpaque());
    }

    public void Encode(TlsWriter writer)
    {
        EncodeContent(writer);
        writer.WriteOpaque(Signature);
    }

    /// <summary>LeafNodeTBS: the content plus, for update/commit sources, the group id and leaf index.</summary>
    public byte[] ToBeSigned(ReadOnlySpan<byte> groupId, uint leafIndex)
    {
        var writer = new TlsWriter();
        EncodeContent(writer);
        if (Source is LeafNodeSource.Update or LeafNodeSource.Commit)
        {
            writer.WriteOpaque(groupId);
            writer.WriteU32(leafIndex);
        }

        return writer.ToArray();
    }

    public bool VerifySignature(ReadOnlySpan<byte> groupId, uint leafIndex) =>
        Crypto.MlsCipherSuite.VerifyWithLabel(SignatureKey, "LeafNodeTBS", ToBeSigned(groupId, leafIndex), Signature);

    public LeafNode SignedWith(ReadOnlySpan<byte> signaturePrivateKey, ReadOnlySpan<byte> groupId, uint leafIndex)
    {
        var unsigned = this with { Signature = [] };
        return unsigned with { Signature = Crypto.MlsCipherSuite.SignWithLabel(signaturePrivateKey, "LeafNodeTBS", unsigned.ToBeSigned(groupId, leafIndex)) };
    }

    private void EncodeContent(TlsWriter writer)
    {
        writer.WriteOpaque(EncryptionKey);
        writer.WriteOpaque(SignatureKey);
        Credential.Encode(writer);
        Capabilities.Encode(writer);
        writer.WriteU8((byte)Source);
        switch (Source)
        {
            case LeafNodeSource.KeyPackage:
                writer.WriteU64(NotBefore);
                writer.WriteU64(NotAfter);
                break;
            case LeafNodeSource.Commit:
                writer.WriteOpaque(ParentHash);
                break;
        }

        Extension.EncodeList(writer, Extensions);
    }
}

/// <summary>RFC 9420 §7.1 ParentNode.</summary>
internal sealed record ParentNode(byte[] EncryptionKey, byte[] ParentHash, IReadOnlyList<uint> UnmergedLeaves)
{
    public static ParentNode Decode(ref TlsReader reader)
    {
        var encryptionKey = reader.ReadOpaque();
        var parentHash = reader.ReadOpaque();
        var vector = reader.ReadVector();
        var unmerged = new List<uint>();
        while (!vector.IsAtEnd)
        {
            unmerged.Add(vector.ReadU32());
        }

        return new ParentNode(encryptionKey, parentHash, unmerged);
    }

    public void Encode(TlsWriter writer)
    {
        writer.WriteOpaque(EncryptionKey);
        writer.WriteOpaque(ParentHash);
        writer.WriteVector(UnmergedLeaves, (w, u) => w.WriteU32(u));
    }
}

/// <summary>A node of the ratchet_tree extension: exactly one of <see cref="Leaf"/> / <see cref="Parent"/> is set.</summary>
internal sealed record TreeNode(LeafNode? Leaf, ParentNode? Parent)
{
    public byte[] EncryptionKey => Leaf?.EncryptionKey ?? Parent!.EncryptionKey;

    public static TreeNode Decode(ref TlsReader reader)
    {
        var type = reader.ReadU8();
        return type switch
        {
            1 => new TreeNode(LeafNode.Decode(ref reader), null),
            2 => new TreeNode(null, ParentNode.Decode(ref reader)),
            _ => throw new MlsDecodeException($"Unknown node type {type}."),
        };
    }

    /// <summary>Decodes <c>optional&lt;Node&gt; ratchet_tree&lt;V&gt;</c>.</summary>
    public static List<TreeNode?> DecodeRatchetTree(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var vector = reader.ReadVector();
        reader.EnsureEnd("ratchet tree");
        var nodes = new List<TreeNode?>();
        while (!vector.IsAtEnd)
        {
            nodes.Add(vector.ReadOptionalPresent() ? Decode(ref vector) : null);
        }

        return nodes;
    }

    public static byte[] EncodeRatchetTree(IReadOnlyList<TreeNode?> nodes) =>
        TlsWriter.Encode(w => w.WriteVector(nodes, (inner, node) => inner.WriteOptional(node, (x, n) => n.Encode(x))));

    public void Encode(TlsWriter writer)
    {
        if (Leaf is not null)
        {
            writer.WriteU8(1);
            Leaf.Encode(writer);
        }
        else
        {
            writer.WriteU8(2);
            Parent!.Encode(writer);
        }
    }
}
