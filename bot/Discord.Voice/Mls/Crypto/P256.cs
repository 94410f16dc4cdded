using System.Numerics;
using System.Security.Cryptography;

namespace DiscordLedgerBot.Voice.Mls.Crypto;

/// <summary>
/// P-256 key handling in MLS wire form: public keys are 65-byte uncompressed SEC1 points, private keys 32-byte
/// big-endian scalars (RFC 9420 test-vector conventions, RFC 9180 §7.1.1 SerializePublicKey).
/// </summary>
internal static class P256
{
    public const int PrivateKeyLength = 32;
    public const int PublicKeyLength = 65;

    private static readonly BigInteger Order = BigInteger.Parse(
        "115792089210356248762697446949407573529996955224135760342422259061068512044369",
        System.Globalization.CultureInfo.InvariantCulture);

    public static ECParameters PublicParameters(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeyLength || publicKey[0] != 0x04)
        {
            throw new MlsException($"A P-256 public key must be a 65-byte uncompressed point, got {publicKey.Length} byte(s).");
        }

        return new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = publicKey.Slice(1, 32).ToArray(), Y = publicKey.Slice(33, 32).ToArray() },
        };
    }

    public static ECParameters PrivateParameters(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeyLength)
        {
            throw new MlsException($"A P-256 private key must be 32 bytes, got {privateKey.Length}.");
        }

        // Importing only D makes the platform derive Q (verified on .NET 10 / OpenSSL).
        return new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = privateKey.ToArray() };
    }

    public static byte[] EncodePublic(ECParameters parameters)
    {
        var key = new byte[PublicKeyLength];
        key[0] = 0x04;
        parameters.Q.X!.CopyTo(key, 1);
        parameters.Q.Y!.CopyTo(key, 33);
        return key;
    }

    public static byte[] PublicFromPrivate(ReadOnlySpan<byte> privateKey)
    {
        try
        {
            using var ecdh = ECDiffieHellman.Create(PrivateParameters(privateKey));
            return EncodePublic(ecdh.ExportParameters(false));
        }
        catch (CryptographicException e)
        {
            throw new MlsException("Invalid P-256 private key.", e);
        }
    }

    /// <summary>True when the 32 big-endian bytes encode a scalar in [1, n-1].</summary>
    public static bool IsValidScalar(ReadOnlySpan<byte> candidate)
    {
        var value = new BigInteger(candidate, isUnsigned: true, isBigEndian: true);
        return !value.IsZero && value < Order;
    }

    public static (byte[] PrivateKey, byte[] PublicKey) Generate()
    {
        using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ecdh.ExportParameters(true);
        return (PadScalar(parameters.D!), EncodePublic(parameters));
    }

    public static byte[] PadScalar(byte[] scalar)
    {
        if (scalar.Length == PrivateKeyLength)
        {
            return scalar;
        }

        var padded = new byte[PrivateKeyLength];
        scalar.CopyTo(padded, PrivateKeyLength - scalar.Length);
        return padded;
    }

    /// <summary>
    /// Raw ECDH: the x-coordinate of the shared point (RFC 9180 DHKEM(P-256) "DH"), plus our own public key, which the
    /// platform derives while importing the scalar anyway (Decap needs it for the KEM context).
    /// </summary>
    public static (byte[] SharedSecret, byte[] OwnPublicKey) DiffieHellman(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> peerPublicKey)
    {
        try
        {
            using var self = ECDiffieHellman.Create(PrivateParameters(privateKey));
            using var peer = ECDiffieHellman.Create(PublicParameters(peerPublicKey));
            return (self.DeriveRawSecretAgreement(peer.PublicKey), EncodePublic(self.ExportParameters(false)));
        }
        catch (CryptographicException e)
        {
            throw new MlsException("P-256 key agreement failed (invalid key).", e);
        }
    }
}
