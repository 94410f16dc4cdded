namespace DiscordLedgerBot.Voice.Transport;

/// <summary>The transport encryption modes Discord still accepts (both <c>*_rtpsize</c>; the others were discontinued 2024-11-18).</summary>
public enum VoiceEncryptionMode
{
    AeadAes256GcmRtpSize,
    AeadXChaCha20Poly1305RtpSize,
}

public static class VoiceEncryptionModes
{
    public const string AesGcm = "aead_aes256_gcm_rtpsize";
    public const string XChaCha = "aead_xchacha20_poly1305_rtpsize";

    public static string WireName(this VoiceEncryptionMode mode) => mode switch
    {
        VoiceEncryptionMode.AeadAes256GcmRtpSize => AesGcm,
        _ => XChaCha,
    };

    public static bool TryParse(string? name, out VoiceEncryptionMode mode)
    {
        switch (name)
        {
            case AesGcm:
                mode = VoiceEncryptionMode.AeadAes256GcmRtpSize;
                return true;
            case XChaCha:
                mode = VoiceEncryptionMode.AeadXChaCha20Poly1305RtpSize;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    /// <summary>
    /// AES-256-GCM when the server offers it and this CPU runs it (Discord prefers it), else XChaCha20-Poly1305, which
    /// every server offers; null when neither is offered.
    /// </summary>
    public static VoiceEncryptionMode? Choose(IEnumerable<string> offered)
    {
        ArgumentNullException.ThrowIfNull(offered);
        var modes = offered.ToHashSet(StringComparer.Ordinal);
        if (modes.Contains(AesGcm) && System.Security.Cryptography.AesGcm.IsSupported)
        {
            return VoiceEncryptionMode.AeadAes256GcmRtpSize;
        }

        return modes.Contains(XChaCha) ? VoiceEncryptionMode.AeadXChaCha20Poly1305RtpSize : null;
    }
}
