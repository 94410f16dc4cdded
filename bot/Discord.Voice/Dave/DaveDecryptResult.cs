namespace DiscordLedgerBot.Voice.Dave;

public enum DaveMediaType
{
    Audio,
    Video,
}

public enum DaveDecryptStatus
{
    /// <summary>A protocol frame authenticated and decrypted.</summary>
    Decrypted,

    /// <summary>Copied unchanged: Opus silence, or a non-protocol frame while passthrough is allowed.</summary>
    PassedThrough,

    /// <summary>Dropped; nothing usable was written.</summary>
    Rejected,
}

public enum DaveRejectReason
{
    None = 0,

    /// <summary>Not a protocol frame (see <see cref="DaveDecryptResult.FrameError"/>) and passthrough is not allowed.</summary>
    NotProtocolFrame,

    /// <summary>No key ratchet is installed for this sender.</summary>
    NoKeyRatchet,

    /// <summary>This (generation, nonce) already decrypted, or fell out of the missing-nonce window.</summary>
    Replayed,

    /// <summary>The generation is older than the oldest key still kept.</summary>
    GenerationExpired,

    /// <summary>The generation is more than 250 ahead of the newest one seen.</summary>
    GenerationTooFarAhead,

    /// <summary>The generation is higher than the ratchet could have reached at 170 frames/s since it was installed.</summary>
    GenerationExceedsRatchetAge,

    /// <summary>The truncated tag did not match under any kept key.</summary>
    AuthenticationFailed,

    /// <summary>The media type is neither audio nor video.</summary>
    UnsupportedMediaType,

    /// <summary>The caller's destination is shorter than the frame.</summary>
    DestinationTooSmall,
}

/// <summary>The outcome of one <see cref="DaveDecryptor.Decrypt"/>; bad frames are results, never exceptions.</summary>
public readonly record struct DaveDecryptResult(DaveDecryptStatus Status, int BytesWritten, DaveRejectReason Reason, DaveFrameError FrameError)
{
    public bool Succeeded => Status != DaveDecryptStatus.Rejected;

    internal static DaveDecryptResult Decrypted(int length) => new(DaveDecryptStatus.Decrypted, length, DaveRejectReason.None, DaveFrameError.None);

    internal static DaveDecryptResult PassedThrough(int length) => new(DaveDecryptStatus.PassedThrough, length, DaveRejectReason.None, DaveFrameError.None);

    internal static DaveDecryptResult Rejected(DaveRejectReason reason, DaveFrameError frameError = DaveFrameError.None) =>
        new(DaveDecryptStatus.Rejected, 0, reason, frameError);
}
