namespace DiscordLedgerBot.Voice.Dave;

/// <summary>A run of media bytes that DAVE leaves in clear (and authenticates as AAD).</summary>
public readonly record struct UnencryptedRange(int Offset, int Length)
{
    public int End => Offset + Length;
}

/// <summary>Why a byte string is not a well-formed DAVE protocol frame.</summary>
public enum DaveFrameError
{
    None = 0,
    TooShort,
    MissingMagicMarker,
    SupplementalSizeOutOfRange,
    InvalidNonce,
    InvalidRange,
    RangesOverlapOrUnordered,
    RangeOutsideMedia,
}

/// <summary>
/// The parsed trailer of a DAVE protocol frame:
/// <c>[interleaved media][8-byte tag][ULEB128 nonce][ULEB128 (offset,length)*][u8 supplemental size][0xFA 0xFA]</c>.
/// Offsets refer to the frame it was parsed from; ranges are ascending, non-overlapping and inside the media.
/// </summary>
public readonly struct DaveFrameLayout
{
    private readonly UnencryptedRange[]? _ranges;

    internal DaveFrameLayout(int mediaLength, uint truncatedNonce, UnencryptedRange[] ranges, int supplementalSize)
    {
        MediaLength = mediaLength;
        TruncatedNonce = truncatedNonce;
        _ranges = ranges;
        SupplementalSize = supplementalSize;
    }

    /// <summary>Length of the interleaved media (clear ranges plus ciphertext) at the start of the frame.</summary>
    public int MediaLength { get; }

    public uint TruncatedNonce { get; }

    public IReadOnlyList<UnencryptedRange> Ranges => _ranges ?? [];

    public int SupplementalSize { get; }

    /// <summary>The ratchet generation the sender used: the top byte of the truncated nonce.</summary>
    public byte Generation => (byte)(TruncatedNonce >> DaveFrameFormat.GenerationShift);

    internal ReadOnlySpan<UnencryptedRange> RangeSpan => _ranges;

    public ReadOnlySpan<byte> Tag(ReadOnlySpan<byte> frame) => frame.Slice(MediaLength, DaveFrameFormat.TagLength);
}

/// <summary>Parses and writes DAVE protocol frames. Every check is a bounds check; nothing throws on bad input.</summary>
public static class DaveFrameFormat
{
    public const int TagLength = 8;
    public const int MinSupplementalSize = 11;
    public const byte MagicMarkerByte = 0xFA;
    public const int GenerationShift = 24;

    /// <summary>The SFU-generated Opus silence frame, which always passes undecrypted.</summary>
    public static ReadOnlySpan<byte> OpusSilenceFrame => [0xF8, 0xFF, 0xFE];

    // Size byte + 2 marker bytes.
    private const int FixedTrailerLength = 3;

    public static bool IsOpusSilence(ReadOnlySpan<byte> frame) => frame.SequenceEqual(OpusSilenceFrame);

    public static bool TryParse(ReadOnlySpan<byte> frame, out DaveFrameLayout layout, out DaveFrameError error)
    {
        layout = default;
        if (frame.Length < MinSupplementalSize)
        {
            error = DaveFrameError.TooShort;
            return false;
        }

        if (frame[^1] != MagicMarkerByte || frame[^2] != MagicMarkerByte)
        {
            error = DaveFrameError.MissingMagicMarker;
            return false;
        }

        int supplementalSize = frame[^3];
        if (supplementalSize < MinSupplementalSize || supplementalSize >= frame.Length)
        {
            error = DaveFrameError.SupplementalSizeOutOfRange;
            return false;
        }

        var mediaLength = frame.Length - supplementalSize;
        var cursor = mediaLength + TagLength;
        var trailerEnd = frame.Length - FixedTrailerLength;
        if (!Uleb128.TryRead(frame[cursor..trailerEnd], uint.MaxValue, out var nonce, out var nonceBytes))
        {
            error = DaveFrameError.InvalidNonce;
            return false;
        }

        cursor += nonceBytes;
        List<UnencryptedRange>? ranges = null;
        var previousEnd = 0;
        while (cursor < trailerEnd)
        {
            if (!Uleb128.TryRead(frame[cursor..trailerEnd], int.MaxValue, out var offset, out var offsetBytes))
            {
                error = DaveFrameError.InvalidRange;
                return false;
            }

            cursor += offsetBytes;
            if (!Uleb128.TryRead(frame[cursor..trailerEnd], int.MaxValue, out var length, out var lengthBytes))
            {
                error = DaveFrameError.InvalidRange;
                return false;
            }

            cursor += lengthBytes;
            if ((long)offset < previousEnd)
            {
                error = DaveFrameError.RangesOverlapOrUnordered;
                return false;
            }

            if ((long)offset + (long)length > mediaLength)
            {
                error = DaveFrameError.RangeOutsideMedia;
                return false;
            }

            (ranges ??= []).Add(new UnencryptedRange((int)offset, (int)length));
            previousEnd = (int)(offset + length);
        }

        layout = new DaveFrameLayout(mediaLength, (uint)nonce, ranges is null ? [] : [.. ranges], supplementalSize);
        error = DaveFrameError.None;
        return true;
    }

    /// <summary>Length of the trailer for a nonce and a set of ranges.</summary>
    public static int GetSupplementalSize(uint truncatedNonce, ReadOnlySpan<UnencryptedRange> ranges)
    {
        var size = TagLength + Uleb128.GetByteCount(truncatedNonce) + FixedTrailerLength;
        foreach (var range in ranges)
        {
            size += Uleb128.GetByteCount((ulong)range.Offset) + Uleb128.GetByteCount((ulong)range.Length);
        }

        return size;
    }

    /// <summary>Writes the trailer after <paramref name="mediaLength"/> bytes of interleaved media already in <paramref name="frame"/>.</summary>
    internal static int WriteTrailer(Span<byte> frame, int mediaLength, ReadOnlySpan<byte> tag, uint truncatedNonce, ReadOnlySpan<UnencryptedRange> ranges)
    {
        var supplementalSize = GetSupplementalSize(truncatedNonce, ranges);
        if (supplementalSize > byte.MaxValue)
        {
            throw new ArgumentException($"{ranges.Length} unencrypted ranges do not fit the one-byte supplemental size.", nameof(ranges));
        }

        var cursor = mediaLength;
        tag[..TagLength].CopyTo(frame[cursor..]);
        cursor += TagLength;
        cursor += Uleb128.Write(frame[cursor..], truncatedNonce);
        foreach (var range in ranges)
        {
            cursor += Uleb128.Write(frame[cursor..], (ulong)range.Offset);
            cursor += Uleb128.Write(frame[cursor..], (ulong)range.Length);
        }

        frame[cursor++] = (byte)supplementalSize;
        frame[cursor++] = MagicMarkerByte;
        frame[cursor++] = MagicMarkerByte;
        return cursor;
    }

    /// <summary>Checks caller-supplied ranges before encrypting (same rules the parser enforces).</summary>
    internal static void ValidateRanges(ReadOnlySpan<UnencryptedRange> ranges, int mediaLength)
    {
        var previousEnd = 0;
        foreach (var range in ranges)
        {
            if (range.Offset < previousEnd || range.Length < 0 || (long)range.Offset + range.Length > mediaLength)
            {
                throw new ArgumentException($"Unencrypted range ({range.Offset},{range.Length}) is out of order, overlapping or outside the {mediaLength}-byte frame.", nameof(ranges));
            }

            previousEnd = range.End;
        }
    }
}
