using System.Security.Cryptography;
using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Messages;

namespace DiscordLedgerBot.Voice.Mls;

/// <summary>
/// One MLS client: a P-256 signature key bound to a basic credential, plus the private keys of the KeyPackages it
/// has published (needed to join from a Welcome). DAVE: identity = the 8-byte big-endian user id.
/// </summary>
public sealed class MlsMember
{
    private readonly Dictionary<string, KeyPackageSecrets> _keyPackages = [];
    private readonly RandomNumberGenerator? _random;

    private MlsMember(byte[] identity, byte[] signaturePrivateKey, RandomNumberGenerator? random)
    {
        Identity = identity;
        SignaturePrivateKey = signaturePrivateKey;
        SignaturePublicKey = P256.PublicFromPrivate(signaturePrivateKey);
        _random = random;
    }

    public byte[] Identity { get; }

    /// <summary>65-byte uncompressed P-256 point (DAVE fingerprints use it).</summary>
    public byte[] SignaturePublicKey { get; }

    internal byte[] SignaturePrivateKey { get; }

    /// <summary>Creates a member with fresh keys; <paramref name="random"/> makes key generation reproducible in tests.</summary>
    public static MlsMember Create(ReadOnlySpan<byte> identity, RandomNumberGenerator? random = null) =>
        new(identity.ToArray(), NewScalar(random), random);

    internal static MlsMember FromSignatureKey(byte[] identity, byte[] signaturePrivateKey) => new(identity, signaturePrivateKey, null);

    /// <summary>
    /// A fresh single-use KeyPackage (bare, not wrapped in MLSMessage): lifetime 0..2^64-1, capabilities
    /// ciphersuites [2] and credentials [basic], no extensions.
    /// </summary>
    public byte[] CreateKeyPackage()
    {
        var (initPrivate, initPublic) = Hpke.DeriveKeyPair(NewScalar(_random));
        var (encryptionPrivate, encryptionPublic) = Hpke.DeriveKeyPair(NewScalar(_random));
        var leaf = new LeafNode(
            encryptionPublic,
            SignaturePublicKey,
            Credential.Basic(Identity),
            DefaultCapabilities,
            LeafNodeSource.KeyPackage,
            0,
            ulong.MaxValue,
            [],
            [],
            []).SignedWith(SignaturePrivateKey, [], 0);
        var keyPackage = new KeyPackage(MlsCipherSuite.ProtocolVersion, MlsCipherSuite.Id, initPublic, leaf, [], []).SignedWith(SignaturePrivateKey);
        RegisterKeyPackage(keyPackage, initPrivate, encryptionPrivate);
        return keyPackage.ToBytes();
    }

    internal static Capabilities DefaultCapabilities { get; } = new([MlsCipherSuite.ProtocolVersion], [MlsCipherSuite.Id], [], [], [CredentialType.Basic]);

    internal void RegisterKeyPackage(KeyPackage keyPackage, byte[] initPrivateKey, byte[] encryptionPrivateKey) =>
        _keyPackages[Convert.ToHexString(keyPackage.Reference())] = new KeyPackageSecrets(keyPackage, initPrivateKey, encryptionPrivateKey);

    internal KeyPackageSecrets KeyPackageSecretsFor(ReadOnlySpan<byte> keyPackage)
    {
        var reference = Convert.ToHexString(KeyPackage.Parse(keyPackage).Reference());
        return _keyPackages.TryGetValue(reference, out var secrets)
            ? secrets
            : throw new MlsException("The KeyPackage was not created by this member (no private keys for it).");
    }

    /// <summary>A key package is single use: its private keys are dropped once a Welcome consumed it.</summary>
    internal void ForgetKeyPackage(KeyPackage keyPackage) => _keyPackages.Remove(Convert.ToHexString(keyPackage.Reference()));

    private static byte[] NewScalar(RandomNumberGenerator? random)
    {
        var candidate = new byte[P256.PrivateKeyLength];
        do
        {
            if (random is null)
            {
                RandomNumberGenerator.Fill(candidate);
            }
            else
            {
                random.GetBytes(candidate);
            }
        }
        while (!P256.IsValidScalar(candidate));

        return candidate;
    }

    internal sealed record KeyPackageSecrets(KeyPackage KeyPackage, byte[] InitPrivateKey, byte[] EncryptionPrivateKey);
}
