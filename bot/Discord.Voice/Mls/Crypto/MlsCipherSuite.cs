using System.Security.Cryptography;
using System.Text;
using DiscordLedgerBot.Voice.Mls.Codec;

namespace DiscordLedgerBot.Voice.Mls.Crypto;

/// <summary>
/// The primitives of MLS ciphersuite 2, MLS_128_DHKEMP256_AES128GCM_SHA256_P256 (RFC 9420 §5), with the
/// labelled constructions of §5.1–§5.3 and §8.
/// </summary>
internal static class MlsCipherSuite
{
    public const ushort Id = 2;
    public const ushort ProtocolVersion = 1;
    public const int HashLength = 32;
    public const int AeadKeyLength = 16;
    public const int AeadNonceLength = 12;
    public const int AeadTagLength = 16;

    private static readonly byte[] LabelPrefix = "MLS 1.0 "u8.ToArray();

    public static byte[] Hash(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    public static byte[] Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => HMACSHA256.HashData(key, data);

    public static bool VerifyMac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> expected) =>
        CryptographicOperations.FixedTimeEquals(Mac(key, data), expected);

    public static byte[] Extract(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ikm) => HKDF.Extract(HashAlgorithmName.SHA256, ikm.ToArray(), salt.ToArray());

    public static byte[] RefHash(ReadOnlySpan<byte> label, ReadOnlySpan<byte> value)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(label);
        writer.WriteOpaque(value);
        return Hash(writer.ToArray());
    }

    public static byte[] ExpandWithLabel(ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> context, int length)
    {
        var info = new TlsWriter();
        info.WriteU16(checked((ushort)length));
        info.WriteOpaque(FullLabel(label));
        info.WriteOpaque(context);
        return HKDF.Expand(HashAlgorithmName.SHA256, secret.ToArray(), length, info.ToArray());
    }

    public static byte[] DeriveSecret(ReadOnlySpan<byte> secret, string label) => ExpandWithLabel(secret, label, [], HashLength);

    public static byte[] DeriveTreeSecret(ReadOnlySpan<byte> secret, string label, uint generation, int length)
    {
        Span<byte> context = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(context, generation);
        return ExpandWithLabel(secret, label, context, length);
    }

    public static byte[] SignWithLabel(ReadOnlySpan<byte> signaturePrivateKey, string label, ReadOnlySpan<byte> content)
    {
        try
        {
            using var ecdsa = ECDsa.Create(P256.PrivateParameters(signaturePrivateKey));
            return ecdsa.SignData(SignContent(label, content), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException e)
        {
            throw new MlsException("Signing failed (invalid P-256 signature key).", e);
        }
    }

    public static bool VerifyWithLabel(ReadOnlySpan<byte> signaturePublicKey, string label, ReadOnlySpan<byte> content, ReadOnlySpan<byte> signature)
    {
        try
        {
            using var ecdsa = ECDsa.Create(P256.PublicParameters(signaturePublicKey));
            return ecdsa.VerifyData(SignContent(label, content), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public static void VerifyWithLabelOrThrow(ReadOnlySpan<byte> signaturePublicKey, string label, ReadOnlySpan<byte> content, ReadOnlySpan<byte> signature)
    {
        if (!VerifyWithLabel(signaturePublicKey, label, content, signature))
        {
            throw new MlsVerificationException($"Invalid {label} signature.");
        }
    }

    public static (byte[] KemOutput, byte[] Ciphertext) EncryptWithLabel(ReadOnlySpan<byte> publicKey, string label, ReadOnlySpan<byte> context, ReadOnlySpan<byte> plaintext) =>
        Hpke.Seal(publicKey, EncryptContext(label, context), [], plaintext);

    public static byte[] DecryptWithLabel(ReadOnlySpan<byte> privateKey, string label, ReadOnlySpan<byte> context, ReadOnlySpan<byte> kemOutput, ReadOnlySpan<byte> ciphertext) =>
        Hpke.Open(privateKey, kemOutput, EncryptContext(label, context), [], ciphertext);

    public static byte[] AeadEncrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[plaintext.Length + AeadTagLength];
        using var aead = new AesGcm(key, AeadTagLength);
        aead.Encrypt(nonce, plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length), aad);
        return output;
    }

    public static byte[] AeadDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < AeadTagLength)
        {
            throw new MlsDecodeException("AEAD ciphertext shorter than its tag.");
        }

        var plaintext = new byte[ciphertext.Length - AeadTagLength];
        try
        {
            using var aead = new AesGcm(key, AeadTagLength);
            aead.Decrypt(nonce, ciphertext[..^AeadTagLength], ciphertext[^AeadTagLength..], plaintext, aad);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new MlsVerificationException("AEAD decryption failed: authentication tag mismatch.", e);
        }

        return plaintext;
    }

    private static byte[] FullLabel(string label) => [.. LabelPrefix, .. Encoding.ASCII.GetBytes(label)];

    private static byte[] SignContent(string label, ReadOnlySpan<byte> content)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(FullLabel(label));
        writer.WriteOpaque(content);
        return writer.ToArray();
    }

    private static byte[] EncryptContext(string label, ReadOnlySpan<byte> context)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(FullLabel(label));
        writer.WriteOpaque(context);
        return writer.ToArray();
    }
}
