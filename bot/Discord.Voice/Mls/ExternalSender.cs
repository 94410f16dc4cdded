using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Messages;

namespace DiscordLedgerBot.Voice.Mls;

/// <summary>
/// An entry of the external_senders group extension (RFC 9420 §12.1.8.1): the DAVE voice gateway's signature key and
/// basic credential, as received in voice opcode 25.
/// </summary>
public sealed class ExternalSender
{
    public ExternalSender(byte[] signatureKey, byte[] identity)
    {
        SignatureKey = signatureKey;
        Identity = identity;
    }

    /// <summary>65-byte uncompressed P-256 point.</summary>
    public byte[] SignatureKey { get; }

    /// <summary>Identity of the basic credential.</summary>
    public byte[] Identity { get; }

    /// <summary>Parses <c>ExternalSender { SignaturePublicKey signature_key&lt;V&gt;; Credential credential; }</c> (opcode 25 payload).</summary>
    public static ExternalSender Parse(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var sender = Decode(ref reader);
        reader.EnsureEnd("ExternalSender");
        return sender;
    }

    public byte[] ToBytes() => TlsWriter.Encode(Encode);

    public bool SameAs(ExternalSender other) => SignatureKey.AsSpan().SequenceEqual(other.SignatureKey) && Identity.AsSpan().SequenceEqual(other.Identity);

    internal static ExternalSender Decode(ref TlsReader reader)
    {
        var key = reader.ReadOpaque();
        var credential = Credential.Decode(ref reader);
        if (credential.Type != CredentialType.Basic)
        {
            throw new MlsException("External sender credential must be basic.");
        }

        return new ExternalSender(key, credential.Identity);
    }

    internal void Encode(TlsWriter writer)
    {
        writer.WriteOpaque(SignatureKey);
        Credential.Basic(Identity).Encode(writer);
    }

    internal static List<ExternalSender> DecodeExtension(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var vector = reader.ReadVector();
        reader.EnsureEnd("external_senders extension");
        var senders = new List<ExternalSender>();
        while (!vector.IsAtEnd)
        {
            senders.Add(Decode(ref vector));
        }

        return senders;
    }

    internal static Extension ToExtension(IReadOnlyList<ExternalSender> senders) =>
        new(ExtensionType.ExternalSenders, TlsWriter.Encode(w => w.WriteVector(senders, (x, s) => s.Encode(x))));
}
