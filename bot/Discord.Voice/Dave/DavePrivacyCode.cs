using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;

namespace DiscordLedgerBot.Voice.Dave;

/// <summary>
/// Human-comparable codes of DAVE's verification UI: the 30-digit voice privacy code of an epoch authenticator and the
/// 45-digit pairwise fingerprint of two members' signature keys.
/// </summary>
public static class DavePrivacyCode
{
    public const int VoicePrivacyCodeLength = 30;
    public const int PairwiseFingerprintCodeLength = 45;
    public const int GroupSize = 5;

    private const ushort FingerprintVersion = 0;
    private static readonly byte[] FingerprintSalt = Convert.FromHexString("24cab17a7af8ec2b82b412b92dab192e");

    /// <summary>
    /// For each group of <paramref name="groupSize"/> bytes: big-endian integer mod 10^groupSize, zero-padded.
    /// </summary>
    public static string DisplayableCode(ReadOnlySpan<byte> data, int desiredLength, int groupSize)
    {
        if (groupSize is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(groupSize), groupSize, "The group size must be 1 to 8 bytes.");
        }

        if (desiredLength <= 0 || desiredLength % groupSize != 0)
        {
            throw new ArgumentException($"The desired length {desiredLength} must be a positive multiple of the group size {groupSize}.", nameof(desiredLength));
        }

        if (data.Length < desiredLength)
        {
            throw new ArgumentException($"{data.Length} bytes of data cannot give {desiredLength} digits.", nameof(data));
        }

        var modulus = (ulong)Math.Pow(10, groupSize);
        var code = new StringBuilder(desiredLength);
        for (var i = 0; i < desiredLength; i += groupSize)
        {
            ulong group = 0;
            foreach (var b in data.Slice(i, groupSize))
            {
                group = (group << 8) | b;
            }

            code.Append((group % modulus).ToString(CultureInfo.InvariantCulture).PadLeft(groupSize, '0'));
        }

        return code.ToString();
    }

    /// <summary>The voice privacy code of an epoch: 30 digits of the epoch authenticator (shown as 6 groups of 5).</summary>
    public static string VoicePrivacyCode(ReadOnlySpan<byte> epochAuthenticator) =>
        DisplayableCode(epochAuthenticator, VoicePrivacyCodeLength, GroupSize);

    /// <summary>Splits a code into groups of five for display ("12345 67890 ...").</summary>
    public static string Grouped(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return string.Join(' ', code.Chunk(GroupSize).Select(chars => new string(chars)));
    }

    /// <summary>u16_be(version 0) || signature public key || u64_be(user id).</summary>
    public static byte[] KeyFingerprint(ReadOnlySpan<byte> signaturePublicKey, ulong userId)
    {
        if (signaturePublicKey.IsEmpty)
        {
            throw new ArgumentException("The signature public key is empty.", nameof(signaturePublicKey));
        }

        var fingerprint = new byte[2 + signaturePublicKey.Length + 8];
        BinaryPrimitives.WriteUInt16BigEndian(fingerprint, FingerprintVersion);
        signaturePublicKey.CopyTo(fingerprint.AsSpan(2));
        BinaryPrimitives.WriteUInt64BigEndian(fingerprint.AsSpan(2 + signaturePublicKey.Length), userId);
        return fingerprint;
    }

    /// <summary>scrypt(N=16384, r=8, p=2, 64 bytes) over both key fingerprints sorted unsigned-lexicographically.</summary>
    public static byte[] PairwiseFingerprint(ReadOnlySpan<byte> keyA, ulong userA, ReadOnlySpan<byte> keyB, ulong userB)
    {
        var a = KeyFingerprint(keyA, userA);
        var b = KeyFingerprint(keyB, userB);
        var (first, second) = a.AsSpan().SequenceCompareTo(b) <= 0 ? (a, b) : (b, a);
        return SCrypt.Generate([.. first, .. second], FingerprintSalt, 16384, 8, 2, 64);
    }

    /// <summary>The 45-digit code two members compare to verify each other.</summary>
    public static string PairwiseFingerprintCode(ReadOnlySpan<byte> keyA, ulong userA, ReadOnlySpan<byte> keyB, ulong userB) =>
        DisplayableCode(PairwiseFingerprint(keyA, userA, keyB, userB), PairwiseFingerprintCodeLength, GroupSize);
}
