using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DiscordLedgerBot.Voice.Dave;

/// <summary>
/// The two MLS (RFC 9420) derivations DAVE needs on the media path, for ciphersuite 2 (HKDF-SHA256):
/// <c>ExpandWithLabel</c> for the hash ratchet and the exporter context for a sender's base secret.
/// </summary>
public static class DaveKeyDerivation
{
    /// <summary>MLS exporter label for per-sender media base secrets (protocol version 1).</summary>
    public const string SenderKeyExporterLabel = "Discord Secure Frames v0";

    /// <summary>Length of a DAVE media key and of the exported base secret.</summary>
    public const int MediaKeyLength = 16;

    private const int HashLength = 32;
    private static readonly byte[] LabelPrefix = Encoding.ASCII.GetBytes("MLS 1.0 ");

    /// <summary>The exporter context for a sender: its user id as 8 little-endian bytes.</summary>
    public static byte[] SenderExporterContext(ulong userId)
    {
        var context = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(context, userId);
        return context;
    }

    /// <summary>
    /// RFC 9420 ExpandWithLabel: HKDF-Expand(secret, KDFLabel{u16 length, "MLS 1.0 "+label&lt;V&gt;, context&lt;V&gt;}, length).
    /// HKDF-Expand is done over HMAC directly because .NET's <see cref="HKDF.Expand(HashAlgorithmName, ReadOnlySpan{byte}, Span{byte}, ReadOnlySpan{byte})"/>
    /// refuses keys shorter than the hash, and DAVE's ratchet starts from a 16-byte secret.
    /// </summary>
    public static byte[] ExpandWithLabel(ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> context, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 255 * HashLength);
        var labelBytes = Encoding.ASCII.GetBytes(label);
        var fullLabelLength = LabelPrefix.Length + labelBytes.Length;
        var info = new byte[2 + MlsVarint.Size(fullLabelLength) + fullLabelLength + MlsVarint.Size(context.Length) + context.Length];
        var span = info.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)length);
        var offset = 2;
        offset += MlsVarint.Write(span[offset..], fullLabelLength);
        LabelPrefix.CopyTo(span[offset..]);
        offset += LabelPrefix.Length;
        labelBytes.CopyTo(span[offset..]);
        offset += labelBytes.Length;
        offset += MlsVarint.Write(span[offset..], context.Length);
        context.CopyTo(span[offset..]);

        var output = new byte[length];
        HkdfExpand(secret, info, output);
        return output;
    }

    private static void HkdfExpand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        Span<byte> block = stackalloc byte[HashLength];
        var input = new byte[HashLength + info.Length + 1];
        var previousLength = 0;
        var written = 0;
        for (byte counter = 1; written < output.Length; counter++)
        {
            block[..previousLength].CopyTo(input);
            info.CopyTo(input.AsSpan(previousLength));
            input[previousLength + info.Length] = counter;
            HMACSHA256.HashData(prk, input.AsSpan(0, previousLength + info.Length + 1), block);
            var take = Math.Min(HashLength, output.Length - written);
            block[..take].CopyTo(output[written..]);
            written += take;
            previousLength = HashLength;
        }

        CryptographicOperations.ZeroMemory(block);
        CryptographicOperations.ZeroMemory(input);
    }
}
