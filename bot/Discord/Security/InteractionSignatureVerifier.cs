using System.Globalization;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace DiscordLedgerBot.Discord.Security;

public enum InteractionSignatureStatus
{
    Valid,

    /// <summary>X-Signature-Ed25519 or X-Signature-Timestamp is absent.</summary>
    Missing,

    /// <summary>The signature is not 64 bytes of hex, or the timestamp is not Unix seconds.</summary>
    Malformed,

    /// <summary>The signature does not verify over timestamp + body with the application's key.</summary>
    Forged,

    /// <summary>Authentic, but signed too long ago (or too far ahead): a replay is refused.</summary>
    Stale,
}

/// <summary>
/// Verifies Discord's HTTP interaction signatures: Ed25519 over the UTF-8 bytes of the X-Signature-Timestamp header
/// followed by the raw body, with the application's public key. .NET has no Ed25519, so BouncyCastle's is used.
/// Anything but <see cref="InteractionSignatureStatus.Valid"/> must be answered 401.
/// </summary>
public sealed class InteractionSignatureVerifier
{
    public const int PublicKeyLength = 32;
    public const int SignatureLength = 64;

    private readonly Ed25519PublicKeyParameters _publicKey;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;

    /// <param name="publicKeyHex">The application's public key, 64 hex characters.</param>
    /// <param name="maxAge">How far the signed timestamp may be from now, either way.</param>
    public InteractionSignatureVerifier(string publicKeyHex, TimeProvider time, TimeSpan maxAge)
    {
        ArgumentNullException.ThrowIfNull(publicKeyHex);
        var key = TryDecodeHex(publicKeyHex, PublicKeyLength)
            ?? throw new ArgumentException("The Discord application public key must be 64 hexadecimal characters (Discord:PublicKey).", nameof(publicKeyHex));
        _publicKey = new Ed25519PublicKeyParameters(key, 0);
        _time = time;
        _maxAge = maxAge;
    }

    public InteractionSignatureStatus Verify(string? signatureHex, string? timestamp, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(signatureHex) || string.IsNullOrEmpty(timestamp))
        {
            return InteractionSignatureStatus.Missing;
        }

        var signature = TryDecodeHex(signatureHex, SignatureLength);
        if (signature is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds))
        {
            return InteractionSignatureStatus.Malformed;
        }

        var timestampBytes = Encoding.UTF8.GetBytes(timestamp);
        var signer = new Ed25519Signer();
        signer.Init(false, _publicKey);
        signer.BlockUpdate(timestampBytes, 0, timestampBytes.Length);
        var bodyBytes = body.ToArray();
        signer.BlockUpdate(bodyBytes, 0, bodyBytes.Length);
        if (!signer.VerifySignature(signature))
        {
            return InteractionSignatureStatus.Forged;
        }

        var signedAt = unixSeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        return (_time.GetUtcNow() - signedAt).Duration() > _maxAge ? InteractionSignatureStatus.Stale : InteractionSignatureStatus.Valid;
    }

    private static byte[]? TryDecodeHex(string hex, int expectedBytes)
    {
        if (hex.Length != expectedBytes * 2 || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        return Convert.FromHexString(hex);
    }
}
