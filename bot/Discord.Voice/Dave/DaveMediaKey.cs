using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DiscordLedgerBot.Voice.Dave;

/// <summary>
/// One AES-128-GCM media key with DAVE's 8-byte truncated tag. .NET's <see cref="AesGcm"/> only verifies tags of
/// 12-16 bytes, so decryption runs GCM's counter mode by hand (counter block = nonce || u32_be(2), 3, ...) and then
/// recomputes the full tag by re-encrypting the recovered plaintext, comparing its first 8 bytes in constant time.
/// On any failure the destination is wiped: nothing unauthenticated leaves this class.
/// </summary>
public sealed class DaveMediaKey : IDisposable
{
    public const int NonceLength = 12;
    private const int FullTagLength = 16;
    private const int BlockLength = 16;
    private const int StackLimit = 1024;

    private readonly Aes _blockCipher;
    private readonly AesGcm _gcm;

    public DaveMediaKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != DaveKeyDerivation.MediaKeyLength)
        {
            throw new ArgumentException($"A DAVE media key is {DaveKeyDerivation.MediaKeyLength} bytes, got {key.Length}.", nameof(key));
        }

        _blockCipher = Aes.Create();
        _blockCipher.Key = key.ToArray();
        _gcm = new AesGcm(key, FullTagLength);
    }

    /// <summary>The 12-byte GCM nonce: 8 zero bytes then the truncated nonce little-endian.</summary>
    public static void WriteFullNonce(Span<byte> destination, uint truncatedNonce)
    {
        destination[..8].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..NonceLength], truncatedNonce);
    }

    /// <summary>
    /// Builds a protocol frame from <paramref name="media"/>: the bytes inside <paramref name="ranges"/> stay in clear
    /// (as AAD), the rest is encrypted in place order. Returns the frame length written to <paramref name="frame"/>,
    /// which must hold <c>media.Length + DaveFrameFormat.GetSupplementalSize(...)</c> bytes.
    /// </summary>
    public int Encrypt(ReadOnlySpan<byte> media, uint truncatedNonce, ReadOnlySpan<UnencryptedRange> ranges, Span<byte> frame)
    {
        DaveFrameFormat.ValidateRanges(ranges, media.Length);
        var required = media.Length + DaveFrameFormat.GetSupplementalSize(truncatedNonce, ranges);
        if (frame.Length < required)
        {
            throw new ArgumentException($"The frame buffer needs {required} bytes, it has {frame.Length}.", nameof(frame));
        }

        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteFullNonce(nonce, truncatedNonce);
        Span<byte> tag = stackalloc byte[FullTagLength];
        if (ranges.IsEmpty)
        {
            _gcm.Encrypt(nonce, media, frame[..media.Length], tag);
        }
        else
        {
            var unencrypted = SumLengths(ranges);
            var encryptedLength = media.Length - unencrypted;
            byte[]? rented = null;
            var scratch = 2 * media.Length <= StackLimit
                ? stackalloc byte[2 * media.Length]
                : (rented = ArrayPool<byte>.Shared.Rent(2 * media.Length));
            try
            {
                var aad = scratch[..unencrypted];
                var plaintext = scratch.Slice(unencrypted, encryptedLength);
                var ciphertext = scratch.Slice(media.Length, encryptedLength);
                Gather(media, ranges, aad, plaintext);
                _gcm.Encrypt(nonce, plaintext, ciphertext, tag, aad);
                Scatter(aad, ciphertext, ranges, frame[..media.Length]);
                CryptographicOperations.ZeroMemory(plaintext);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }

        return DaveFrameFormat.WriteTrailer(frame, media.Length, tag, truncatedNonce, ranges);
    }

    /// <summary>
    /// Decrypts the media of a parsed frame into <paramref name="destination"/> (at least <c>layout.MediaLength</c> bytes).
    /// False when the truncated tag does not match; the destination is then zeroed.
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> frame, in DaveFrameLayout layout, Span<byte> destination)
    {
        var mediaLength = layout.MediaLength;
        if (destination.Length < mediaLength || frame.Length < mediaLength + DaveFrameFormat.TagLength)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteFullNonce(nonce, layout.TruncatedNonce);
        var ranges = layout.RangeSpan;
        var media = frame[..mediaLength];
        var expectedTag = layout.Tag(frame);
        var output = destination[..mediaLength];

        var unencrypted = SumLengths(ranges);
        var encryptedLength = mediaLength - unencrypted;
        var scratchLength = ranges.IsEmpty ? mediaLength : 3 * mediaLength;
        byte[]? rented = null;
        var scratch = scratchLength <= StackLimit
            ? stackalloc byte[scratchLength]
            : (rented = ArrayPool<byte>.Shared.Rent(scratchLength));
        try
        {
            bool authentic;
            if (ranges.IsEmpty)
            {
                ApplyKeystream(nonce, media, output);
                authentic = TagMatches(nonce, output, scratch[..mediaLength], [], expectedTag);
            }
            else
            {
                var aad = scratch[..unencrypted];
                var ciphertext = scratch.Slice(unencrypted, encryptedLength);
                var plaintext = scratch.Slice(mediaLength, encryptedLength);
                var reencrypted = scratch.Slice(2 * mediaLength, encryptedLength);
                Gather(media, ranges, aad, ciphertext);
                ApplyKeystream(nonce, ciphertext, plaintext);
                authentic = TagMatches(nonce, plaintext, reencrypted, aad, expectedTag);
                if (authentic)
                {
                    Scatter(aad, plaintext, ranges, output);
                }

                CryptographicOperations.ZeroMemory(plaintext);
            }

            if (!authentic)
            {
                CryptographicOperations.ZeroMemory(output);
            }

            return authentic;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    public void Dispose()
    {
        _blockCipher.Dispose();
        _gcm.Dispose();
    }

    private bool TagMatches(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertextScratch, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> expectedTag)
    {
        Span<byte> tag = stackalloc byte[FullTagLength];
        _gcm.Encrypt(nonce, plaintext, ciphertextScratch[..plaintext.Length], tag, aad);
        return CryptographicOperations.FixedTimeEquals(tag[..DaveFrameFormat.TagLength], expectedTag);
    }

    // GCM's CTR stage: block i of the payload is XORed with AES(nonce || u32_be(2 + i)).
    private void ApplyKeystream(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var blocks = (input.Length + BlockLength - 1) / BlockLength;
        var length = blocks * BlockLength;
        byte[]? rented = null;
        var buffer = 2 * length <= StackLimit ? stackalloc byte[2 * length] : (rented = ArrayPool<byte>.Shared.Rent(2 * length));
        try
        {
            var counters = buffer[..length];
            var keystream = buffer.Slice(length, length);
            for (var i = 0; i < blocks; i++)
            {
                var block = counters.Slice(i * BlockLength, BlockLength);
                nonce.CopyTo(block);
                BinaryPrimitives.WriteUInt32BigEndian(block[NonceLength..], unchecked((uint)(2 + i)));
            }

            _blockCipher.EncryptEcb(counters, keystream, PaddingMode.None);
            for (var i = 0; i < input.Length; i++)
            {
                output[i] = (byte)(input[i] ^ keystream[i]);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    private static int SumLengths(ReadOnlySpan<UnencryptedRange> ranges)
    {
        var total = 0;
        foreach (var range in ranges)
        {
            total += range.Length;
        }

        return total;
    }

    // Splits interleaved media into the clear bytes (in range order) and the encrypted bytes (everything else, in order).
    private static void Gather(ReadOnlySpan<byte> media, ReadOnlySpan<UnencryptedRange> ranges, Span<byte> clear, Span<byte> rest)
    {
        var clearCursor = 0;
        var restCursor = 0;
        var mediaCursor = 0;
        foreach (var range in ranges)
        {
            var gap = range.Offset - mediaCursor;
            media.Slice(mediaCursor, gap).CopyTo(rest[restCursor..]);
            restCursor += gap;
            media.Slice(range.Offset, range.Length).CopyTo(clear[clearCursor..]);
            clearCursor += range.Length;
            mediaCursor = range.End;
        }

        media[mediaCursor..].CopyTo(rest[restCursor..]);
    }

    private static void Scatter(ReadOnlySpan<byte> clear, ReadOnlySpan<byte> rest, ReadOnlySpan<UnencryptedRange> ranges, Span<byte> media)
    {
        var clearCursor = 0;
        var restCursor = 0;
        var mediaCursor = 0;
        foreach (var range in ranges)
        {
            var gap = range.Offset - mediaCursor;
            rest.Slice(restCursor, gap).CopyTo(media[mediaCursor..]);
            restCursor += gap;
            clear.Slice(clearCursor, range.Length).CopyTo(media[range.Offset..]);
            clearCursor += range.Length;
            mediaCursor = range.End;
        }

        rest[restCursor..].CopyTo(media[mediaCursor..]);
    }
}
