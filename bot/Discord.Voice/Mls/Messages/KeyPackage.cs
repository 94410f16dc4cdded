using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Crypto;

namespace DiscordLedgerBot.Voice.Mls.Messages;

/// <summary>RFC 9420 §10 KeyPackage.</summary>
internal sealed record KeyPackage(ushort Version, ushort CipherSuite, byte[] InitKey, LeafNode LeafNode, IReadOnlyList<Extension> Extensions, byte[] Signature)
{
    public static KeyPackage Decode(ref TlsReader reader) =>
        new(reader.ReadU16(), reader.ReadU16(), reader.ReadOpaque(), LeafNode.Decode(ref reader), Extension.DecodeList(ref reader), reader.ReadOpaque());

    public static KeyPackage Parse(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var keyPackage = Decode(ref reader);
        reader.EnsureEnd("KeyPackage");
        return keyPackage;
    }

    public byte[] ToBytes() => TlsWriter.Encode(Encode);

    public void Encode(TlsWriter writer)
    {
        EncodeContent(writer);
        writer.WriteOpaque(Signature);
    }

    public byte[] Reference() => MlsCipherSuite.RefHash("MLS 1.0 KeyPackage Reference"u8, ToBytes());

    /// <summary>RFC 9420 §10.1 checks that do not depend on a group: suite, version, both signatures, init key ≠ encryption key.</summary>
    public void Verify()
    {
        if (Version != MlsCipherSuite.ProtocolVersion || CipherSuite != MlsCipherSuite.Id)
        {
            throw new MlsException($"KeyPackage for version {Version} / ciphersuite {CipherSuite} is not supported.");
        }

        if (LeafNode.Source != LeafNodeSource.KeyPackage)
        {
            throw new MlsException("KeyPackage leaf node must have source key_package.");
        }

        if (InitKey.AsSpan().SequenceEqual(LeafNode.EncryptionKey))
        {
            throw new MlsException("KeyPackage init_key equals the leaf encryption_key.");
        }

        if (!LeafNode.VerifySignature([], 0))
        {
            throw new MlsVerificationException("Invalid KeyPackage leaf node signature.");
        }

        MlsCipherSuite.VerifyWithLabelOrThrow(LeafNode.SignatureKey, "KeyPackageTBS", TlsWriter.Encode(EncodeContent), Signature);
    }

    public KeyPackage SignedWith(ReadOnlySpan<byte> signaturePrivateKey)
    {
        var unsigned = this with { Signature = [] };
        return unsigned with { Signature = MlsCipherSuite.SignWithLabel(signaturePrivateKey, "KeyPackageTBS", TlsWriter.Encode(unsigned.EncodeContent)) };
    }

    private void EncodeContent(TlsWriter writer)
    {
        writer.WriteU16(Version);
        writer.WriteU16(CipherSuite);
        writer.WriteOpaque(InitKey);
        LeafNode.Encode(writer);
        Extension.EncodeList(writer, Extensions);
    }
}
