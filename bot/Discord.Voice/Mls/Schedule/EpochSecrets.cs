using DiscordLedgerBot.Voice.Mls.Crypto;

namespace DiscordLedgerBot.Voice.Mls.Schedule;

/// <summary>
/// The secrets of one epoch (RFC 9420 §8): derived from the previous init secret, the commit secret, the PSK
/// secret and the serialized GroupContext of the new epoch.
/// </summary>
internal sealed class EpochSecrets
{
    private EpochSecrets(byte[] epochSecret)
    {
        SenderDataSecret = MlsCipherSuite.DeriveSecret(epochSecret, "sender data");
        EncryptionSecret = MlsCipherSuite.DeriveSecret(epochSecret, "encryption");
        ExporterSecret = MlsCipherSuite.DeriveSecret(epochSecret, "exporter");
        ExternalSecret = MlsCipherSuite.DeriveSecret(epochSecret, "external");
        ConfirmationKey = MlsCipherSuite.DeriveSecret(epochSecret, "confirm");
        MembershipKey = MlsCipherSuite.DeriveSecret(epochSecret, "membership");
        ResumptionPsk = MlsCipherSuite.DeriveSecret(epochSecret, "resumption");
        EpochAuthenticator = MlsCipherSuite.DeriveSecret(epochSecret, "authentication");
        InitSecret = MlsCipherSuite.DeriveSecret(epochSecret, "init");
    }

    public byte[] SenderDataSecret { get; }

    public byte[] EncryptionSecret { get; }

    public byte[] ExporterSecret { get; }

    public byte[] ExternalSecret { get; }

    public byte[] ConfirmationKey { get; }

    public byte[] MembershipKey { get; }

    public byte[] ResumptionPsk { get; }

    public byte[] EpochAuthenticator { get; }

    /// <summary>init_secret of the NEXT epoch.</summary>
    public byte[] InitSecret { get; }

    public static byte[] ZeroSecret => new byte[MlsCipherSuite.HashLength];

    /// <summary>joiner_secret = ExpandWithLabel(Extract(init_secret, commit_secret), "joiner", GroupContext, Nh).</summary>
    public static byte[] DeriveJoinerSecret(ReadOnlySpan<byte> previousInitSecret, ReadOnlySpan<byte> commitSecret, ReadOnlySpan<byte> groupContext) =>
        MlsCipherSuite.ExpandWithLabel(MlsCipherSuite.Extract(previousInitSecret, commitSecret), "joiner", groupContext, MlsCipherSuite.HashLength);

    public static EpochSecrets FromJoinerSecret(byte[] joinerSecret, ReadOnlySpan<byte> pskSecret, ReadOnlySpan<byte> groupContext)
    {
        var memberSecret = MlsCipherSuite.Extract(joinerSecret, pskSecret);
        var epochSecret = MlsCipherSuite.ExpandWithLabel(memberSecret, "epoch", groupContext, MlsCipherSuite.HashLength);
        return new EpochSecrets(epochSecret);
    }

    /// <summary>welcome_secret = DeriveSecret(Extract(joiner_secret, psk_secret), "welcome").</summary>
    public static byte[] WelcomeSecret(ReadOnlySpan<byte> joinerSecret, ReadOnlySpan<byte> pskSecret) =>
        MlsCipherSuite.DeriveSecret(MlsCipherSuite.Extract(joinerSecret, pskSecret), "welcome");

    public static (byte[] Key, byte[] Nonce) WelcomeKeyAndNonce(ReadOnlySpan<byte> joinerSecret, ReadOnlySpan<byte> pskSecret)
    {
        var welcomeSecret = WelcomeSecret(joinerSecret, pskSecret);
        return (MlsCipherSuite.ExpandWithLabel(welcomeSecret, "key", [], MlsCipherSuite.AeadKeyLength),
            MlsCipherSuite.ExpandWithLabel(welcomeSecret, "nonce", [], MlsCipherSuite.AeadNonceLength));
    }

    public byte[] ExternalPublicKey() => Hpke.DeriveKeyPair(ExternalSecret).PublicKey;

    /// <summary>MLS-Exporter(label, context, length) (RFC 9420 §8.5).</summary>
    public byte[] Export(string label, ReadOnlySpan<byte> context, int length) =>
        MlsCipherSuite.ExpandWithLabel(MlsCipherSuite.DeriveSecret(ExporterSecret, label), "exported", MlsCipherSuite.Hash(context), length);

    public byte[] ConfirmationTag(ReadOnlySpan<byte> confirmedTranscriptHash) => MlsCipherSuite.Mac(ConfirmationKey, confirmedTranscriptHash);
}
