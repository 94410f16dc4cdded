using DiscordLedgerBot.Voice.Mls.Codec;

namespace DiscordLedgerBot.Voice.Mls.Messages;

internal sealed record EncryptedGroupSecrets(byte[] NewMember, HpkeCiphertext EncryptedSecrets)
{
    public static EncryptedGroupSecrets Decode(ref TlsReader reader) => new(reader.ReadOpaque(), HpkeCiphertext.Decode(ref reader));

    public void Encode(TlsWriter writer)
    {
        writer.WriteOpaque(NewMember);
        EncryptedSecrets.Encode(writer);
    }
}

/// <summary>RFC 9420 §12.4.3.1 Welcome.</summary>
internal sealed record Welcome(ushort CipherSuite, IReadOnlyList<EncryptedGroupSecrets> Secrets, byte[] EncryptedGroupInfo)
{
    public static Welcome Decode(ref TlsReader reader)
    {
        var suite = reader.ReadU16();
        var vector = reader.ReadVector();
        var secrets = new List<EncryptedGroupSecrets>();
        while (!vector.IsAtEnd)
        {
            secrets.Add(EncryptedGroupSecrets.Decode(ref vector));
        }

        return new Welcome(suite, secrets, reader.ReadOpaque());
    }

    public static Welcome Parse(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var welcome = Decode(ref reader);
        reader.EnsureEnd("Welcome");
        return welcome;
    }

    public byte[] ToBytes() => TlsWriter.Encode(Encode);

    public void Encode(TlsWriter writer)
    {
        writer.WriteU16(CipherSuite);
        writer.WriteVector(Secrets, (w, s) => s.Encode(w));
        writer.WriteOpaque(EncryptedGroupInfo);
    }
}

/// <summary>GroupSecrets: joiner secret, optional path secret, PSK ids.</summary>
internal sealed record GroupSecrets(byte[] JoinerSecret, byte[]? PathSecret, IReadOnlyList<PreSharedKeyId> Psks)
{
    public static GroupSecrets Parse(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var joiner = reader.ReadOpaque();
        var pathSecret = reader.ReadOptionalPresent() ? reader.ReadOpaque() : null;
        var vector = reader.ReadVector();
        var psks = new List<PreSharedKeyId>();
        while (!vector.IsAtEnd)
        {
            psks.Add(PreSharedKeyId.Decode(ref vector));
        }

        reader.EnsureEnd("GroupSecrets");
        return new GroupSecrets(joiner, pathSecret, psks);
    }

    public byte[] ToBytes() => TlsWriter.Encode(w =>
    {
        w.WriteOpaque(JoinerSecret);
        w.WriteOptional(PathSecret, (x, p) => x.WriteOpaque(p));
        w.WriteVector(Psks, (x, p) => p.Encode(x));
    });
}

/// <summary>RFC 9420 §12.4.3 GroupInfo.</summary>
internal sealed record GroupInfo(GroupContext GroupContext, IReadOnlyList<Extension> Extensions, byte[] ConfirmationTag, uint Signer, byte[] Signature)
{
    public static GroupInfo Decode(ref TlsReader reader) =>
        new(GroupContext.Decode(ref reader), Extension.DecodeList(ref reader), reader.ReadOpaque(), reader.ReadU32(), reader.ReadOpaque());

    public static GroupInfo Parse(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var info = Decode(ref reader);
        reader.EnsureEnd("GroupInfo");
        return info;
    }

    public byte[] ToBytes() => TlsWriter.Encode(Encode);

    public void Encode(TlsWriter writer)
    {
        EncodeContent(writer);
        writer.WriteOpaque(Signature);
    }

    public byte[] ToBeSigned() => TlsWriter.Encode(EncodeContent);

    private void EncodeContent(TlsWriter writer)
    {
        GroupContext.Encode(writer);
        Extension.EncodeList(writer, Extensions);
        writer.WriteOpaque(ConfirmationTag);
        writer.WriteU32(Signer);
    }
}
