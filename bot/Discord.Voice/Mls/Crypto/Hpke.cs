using System.Security.Cryptography;

namespace DiscordLedgerBot.Voice.Mls.Crypto;

/// <summary>
/// RFC 9180 HPKE, base mode, single-shot, for DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM only
/// (the HPKE configuration of MLS ciphersuite 2).
/// </summary>
internal static class Hpke
{
    private const int SecretLength = 32;
    private const int KeyLength = 16;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    private static readonly byte[] Version = "HPKE-v1"u8.ToArray();

    // "KEM" || I2OSP(kem_id = 0x0010, 2)
    private static readonly byte[] KemSuiteId = [.. "KEM"u8, 0x00, 0x10];

    // "HPKE" || kem_id 0x0010 || kdf_id 0x0001 || aead_id 0x0001
    private static readonly byte[] HpkeSuiteId = [.. "HPKE"u8, 0x00, 0x10, 0x00, 0x01, 0x00, 0x01];

    public static (byte[] KemOutput, byte[] Ciphertext) Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        var (ephemeralPrivate, ephemeralPublic) = P256.Generate();
        return SealWithEphemeral(recipientPublicKey, info, aad, plaintext, ephemeralPrivate, ephemeralPublic);
    }

    private static (byte[] KemOutput, byte[] Ciphertext) SealWithEphemeral(
        ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, byte[] ephemeralPrivate, byte[] ephemeralPublic)
    {
        var (dh, _) = P256.DiffieHellman(ephemeralPrivate, recipientPublicKey);
        var sharedSecret = ExtractAndExpand(dh, [.. ephemeralPublic, .. recipientPublicKey]);
        var (key, nonce) = KeySchedule(sharedSecret, info);
        var ciphertext = new byte[plaintext.Length + TagLength];
        using var aead = new AesGcm(key, TagLength);
        aead.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), aad);
        return (ephemeralPublic, ciphertext);
    }

    public static byte[] Open(ReadOnlySpan<byte> recipientPrivateKey, ReadOnlySpan<byte> kemOutput, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < TagLength)
        {
            throw new MlsDecodeException("HPKE ciphertext shorter than the AEAD tag.");
        }

        var (dh, recipientPublic) = P256.DiffieHellman(recipientPrivateKey, kemOutput);
        var sharedSecret = ExtractAndExpand(dh, [.. kemOutput, .. recipientPublic]);
        var (key, nonce) = KeySchedule(sharedSecret, info);
        var plaintext = new byte[ciphertext.Length - TagLength];
        try
        {
            using var aead = new AesGcm(key, TagLength);
            aead.Decrypt(nonce, ciphertext[..^TagLength], ciphertext[^TagLength..], plaintext, aad);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new MlsVerificationException("HPKE decryption failed: authentication tag mismatch.", e);
        }

        return plaintext;
    }

    /// <summary>RFC 9180 §7.1.3 DeriveKeyPair for P-256: rejection-sample candidate scalars (bitmask 0xFF).</summary>
    public static (byte[] PrivateKey, byte[] PublicKey) DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        var prk = LabeledExtract(KemSuiteId, [], "dkp_prk"u8, ikm);
        for (var counter = 0; counter < 256; counter++)
        {
            var candidate = LabeledExpand(KemSuiteId, prk, "candidate"u8, [(byte)counter], P256.PrivateKeyLength);
            if (P256.IsValidScalar(candidate))
            {
                return (candidate, P256.PublicFromPrivate(candidate));
            }
        }

        throw new MlsException("DeriveKeyPair found no valid P-256 scalar in 256 candidates.");
    }

    private static byte[] ExtractAndExpand(byte[] dh, byte[] kemContext)
    {
        var prk = LabeledExtract(KemSuiteId, [], "eae_prk"u8, dh);
        return LabeledExpand(KemSuiteId, prk, "shared_secret"u8, kemContext, SecretLength);
    }

    private static (byte[] Key, byte[] Nonce) KeySchedule(byte[] sharedSecret, ReadOnlySpan<byte> info)
    {
        var pskIdHash = LabeledExtract(HpkeSuiteId, [], "psk_id_hash"u8, []);
        var infoHash = LabeledExtract(HpkeSuiteId, [], "info_hash"u8, info);
        byte[] context = [0x00, .. pskIdHash, .. infoHash];
        var secret = LabeledExtract(HpkeSuiteId, sharedSecret, "secret"u8, []);
        return (LabeledExpand(HpkeSuiteId, secret, "key"u8, context, KeyLength), LabeledExpand(HpkeSuiteId, secret, "base_nonce"u8, context, NonceLength));
    }

    private static byte[] LabeledExtract(byte[] suiteId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm)
    {
        byte[] labeledIkm = [.. Version, .. suiteId, .. label, .. ikm];
        return HKDF.Extract(HashAlgorithmName.SHA256, labeledIkm, salt.ToArray());
    }

    private static byte[] LabeledExpand(byte[] suiteId, byte[] prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, int length)
    {
        byte[] labeledInfo = [(byte)(length >> 8), (byte)length, .. Version, .. suiteId, .. label, .. info];
        return HKDF.Expand(HashAlgorithmName.SHA256, prk, length, labeledInfo);
    }
}
