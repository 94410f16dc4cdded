using DiscordLedgerBot.Voice.Mls.Codec;

namespace DiscordLedgerBot.Voice.Mls.Messages;

/// <summary>RFC 9420 §13 extension types used here.</summary>
internal static class ExtensionType
{
    public const ushort ApplicationId = 1;
    public const ushort RatchetTree = 2;
    public const ushort RequiredCapabilities = 3;
    public const ushort ExternalPub = 4;
    public const ushort ExternalSenders = 5;
}

internal sealed record Extension(ushort Type, byte[] Data)
{
    public static Extension Decode(ref TlsReader reader) => new(reader.ReadU16(), reader.ReadOpaque());

    public static List<Extension> DecodeList(ref TlsReader reader)
    {
        var vector = reader.ReadVector();
        var list = new List<Extension>();
        while (!vector.IsAtEnd)
        {
            var extension = Decode(ref vector);
            if (list.Exists(e => e.Type == extension.Type))
            {
                throw new MlsDecodeException($"Duplicate extension type {extension.Type}.");
            }

            list.Add(extension);
        }

        return list;
    }

    public static void EncodeList(TlsWriter writer, IReadOnlyList<Extension> extensions) =>
        writer.WriteVector(extensions, (w, e) => e.Encode(w));

    public void Encode(TlsWriter writer)
    {
        writer.WriteU16(Type);
        writer.WriteOpaque(Data);
    }
}

internal static class CredentialType
{
    public const ushort Basic = 1;
    public const ushort X509 = 2;
}

/// <summary>A basic credential (identity) or an X.509 chain (kept as opaque certificates).</summary>
internal sealed record Credential(ushort Type, byte[] Identity, IReadOnlyList<byte[]> Certificates)
{
    public static Credential Basic(byte[] identity) => new(CredentialType.Basic, identity, []);

    public static Credential Decode(ref TlsReader reader)
    {
        var type = reader.ReadU16();
        switch (type)
        {
            case CredentialType.Basic:
                return new Credential(type, reader.ReadOpaque(), []);
            case CredentialType.X509:
                {
                    var vector = reader.ReadVector();
                    var certificates = new List<byte[]>();
                    while (!vector.IsAtEnd)
                    {
                        certificates.Add(vector.ReadOpaque());
                    }

                    return new Credential(type, [], certificates);
                }

            default:
                throw new MlsDecodeException($"Unsupported credential type {type}.");
        }
    }

    public void Encode(TlsWriter writer)
    {
        writer.WriteU16(Type);
        if (Type == CredentialType.Basic)
        {
            writer.WriteOpaque(Identity);
        }
        else
        {
            writer.WriteVector(Certificates, (w, c) => w.WriteOpaque(c));
        }
    }
}

internal sealed record Capabilities(
    IReadOnlyList<ushort> Versions,
    IReadOnlyList<ushort> CipherSuites,
    IReadOnlyList<ushort> Extensions,
    IReadOnlyList<ushort> Proposals,
    IReadOnlyList<ushort> Credentials)
{
    public static Capabilities Decode(ref TlsReader reader) =>
        new(ReadU16List(ref reader), ReadU16List(ref reader), ReadU16List(ref reader), ReadU16List(ref reader), ReadU16List(ref reader));

    public void Encode(TlsWriter writer)
    {
        foreach (var list in new[] { Versions, CipherSuites, Extensions, Proposals, Credentials })
        {
            writer.WriteVector(list, (w, v) => w.WriteU16(v));
        }
    }

    private static List<ushort> ReadU16List(ref TlsReader reader)
    {
        var vector = reader.ReadVector();
        var list = new List<ushort>();
        while (!vector.IsAtEnd)
        {
            list.Add(vector.ReadU16());
        }

        return list;
    }
}

/// <summary>RFC 9420 §8.4 PreSharedKeyID.</summary>
internal sealed record PreSharedKeyId(byte PskType, byte[] PskId, byte Usage, byte[] PskGroupId, ulong PskEpoch, byte[] PskNonce)
{
    public const byte External = 1;
    public const byte Resumption = 2;

    public static PreSharedKeyId Decode(ref TlsReader reader)
    {
        var type = reader.ReadU8();
        return type switch
        {
            External => new PreSharedKeyId(type, reader.ReadOpaque(), 0, [], 0, reader.ReadOpaque()),
            Resumption => DecodeResumption(ref reader),
            _ => throw new MlsDecodeException($"Unknown PSK type {type}."),
        };
    }

    public void Encode(TlsWriter writer)
    {
        writer.WriteU8(PskType);
        if (PskType == External)
        {
            writer.WriteOpaque(PskId);
        }
        else
        {
            writer.WriteU8(Usage);
            writer.WriteOpaque(PskGroupId);
            writer.WriteU64(PskEpoch);
        }

        writer.WriteOpaque(PskNonce);
    }

    private static PreSharedKeyId DecodeResumption(ref TlsReader reader)
    {
        var usage = reader.ReadU8();
        var groupId = reader.ReadOpaque();
        var epoch = reader.ReadU64();
        return new PreSharedKeyId(Resumption, [], usage, groupId, epoch, reader.ReadOpaque());
    }
}

/// <summary>HPKECiphertext (RFC 9420 §5.1.3 / §7.6).</summary>
internal sealed record HpkeCiphertext(byte[] KemOutput, byte[] Ciphertext)
{
    public static HpkeCiphertext Decode(ref TlsReader reader) => new(reader.ReadOpaque(), reader.ReadOpaque());

    public void Encode(TlsWriter writer)
    {
        writer.WriteOpaque(KemOutput);
        writer.WriteOpaque(Ciphertext);
    }
}
