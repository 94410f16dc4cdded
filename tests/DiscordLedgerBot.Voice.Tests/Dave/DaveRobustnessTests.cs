using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;

namespace DiscordLedgerBot.Voice.Tests.Dave;

/// <summary>Hostile bytes into every DAVE parser: typed results, never exceptions, never hangs.</summary>
public class DaveRobustnessTests
{
    private static readonly byte[] BaseSecret = Convert.FromHexString("cedd61b1b8a1ca69046554282cf70b7b");

    public static TheoryData<string> AflSeeds()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(SharedContracts.Contract("dave", "libdave-afl-decryptor-seeds"), "*.bin").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void All_37_libdave_seeds_are_present() => Assert.Equal(37, AflSeeds().Count);

    [Theory]
    [MemberData(nameof(AflSeeds))]
    public void Libdave_afl_seed_yields_a_typed_result(string seedFile)
    {
        var input = File.ReadAllBytes(SharedContracts.Contract("dave", "libdave-afl-decryptor-seeds", seedFile));
        if (input.Length == 0)
        {
            return;
        }

        // libdave's harness: the media type comes from the last byte (0 audio, 1 video, 2 invalid), the rest is the frame.
        var mediaType = (DaveMediaType)(input[^1] % 3);
        var frame = input.AsSpan(0, input.Length - 1).ToArray();

        using var keyless = new DaveDecryptor(new FakeTimeProvider(TestTime.Start), passthrough: false);
        var keylessResult = keyless.Decrypt(mediaType, frame, new byte[frame.Length]);
        Assert.True(
            keylessResult.Status == DaveDecryptStatus.Rejected || IsSilence(mediaType, frame),
            $"{seedFile}: {keylessResult}");

        using var keyed = new DaveDecryptor(new FakeTimeProvider(TestTime.Start), passthrough: false);
        keyed.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));
        var keyedResult = keyed.Decrypt(mediaType, frame, new byte[frame.Length]);
        Assert.NotEqual(DaveDecryptStatus.Decrypted, keyedResult.Status);

        if (DaveFrameFormat.TryParse(frame, out var layout, out _))
        {
            Assert.InRange(layout.MediaLength, 1, frame.Length - DaveFrameFormat.MinSupplementalSize);
            Assert.All(layout.Ranges, r => Assert.InRange(r.End, r.Offset, layout.MediaLength));
        }
    }

    [Fact]
    public void Random_and_mutated_frames_never_throw_and_never_decrypt()
    {
        var random = new Random(20261121);
        using var encryptor = new DaveEncryptor();
        encryptor.SetKeyRatchet(new DaveKeyRatchet(BaseSecret));
        var valid = DaveMediaPathTests.Encrypt(encryptor, DaveMediaPathTests.OpusLike(1));
        using var decryptor = new DaveDecryptor(new FakeTimeProvider(TestTime.Start), passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));
        var output = new byte[4096];

        for (var i = 0; i < 20_000; i++)
        {
            byte[] frame;
            if (i % 2 == 0)
            {
                frame = new byte[random.Next(0, 300)];
                random.NextBytes(frame);
                if (frame.Length >= 3 && random.Next(2) == 0)
                {
                    // Make the trailer plausible so the range/nonce parsers get exercised, not just the marker check.
                    frame[^1] = 0xFA;
                    frame[^2] = 0xFA;
                    frame[^3] = (byte)random.Next(0, Math.Min(256, frame.Length + 2));
                }
            }
            else
            {
                frame = valid.ToArray();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    frame[random.Next(frame.Length)] ^= (byte)random.Next(1, 256);
                }
            }

            var result = decryptor.Decrypt((DaveMediaType)random.Next(0, 3), frame, output);
            Assert.NotEqual(DaveDecryptStatus.Decrypted, result.Status);
        }
    }

    [Fact]
    public void Uleb128_reader_rejects_truncated_overlong_and_overflowing_input()
    {
        Assert.False(Uleb128.TryRead([], ulong.MaxValue, out _, out _));
        Assert.False(Uleb128.TryRead([0x80], ulong.MaxValue, out _, out _));
        Assert.False(Uleb128.TryRead([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], ulong.MaxValue, out _, out _));
        Assert.False(Uleb128.TryRead([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], ulong.MaxValue, out _, out _));
        Assert.True(Uleb128.TryRead([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], ulong.MaxValue, out var max, out var used));
        Assert.Equal(ulong.MaxValue, max);
        Assert.Equal(10, used);
        Assert.False(Uleb128.TryRead([0x80, 0x80, 0x80, 0x80, 0x10], uint.MaxValue, out _, out _));
    }

    [Fact]
    public void Frame_parser_reports_each_structural_error()
    {
        Assert.Equal(DaveFrameError.TooShort, ParseError(new byte[10]));
        Assert.Equal(DaveFrameError.MissingMagicMarker, ParseError(new byte[20]));
        Assert.Equal(DaveFrameError.SupplementalSizeOutOfRange, ParseError(Trailer(20, size: 10)));
        Assert.Equal(DaveFrameError.SupplementalSizeOutOfRange, ParseError(Trailer(20, size: 20)));

        Assert.Equal(DaveFrameError.InvalidNonce, ParseError(Build(10, [0x80], [])));
        Assert.Equal(DaveFrameError.InvalidNonce, ParseError(Build(10, [0xFF, 0xFF, 0xFF, 0xFF, 0x1F], [])));
        Assert.Equal(DaveFrameError.InvalidRange, ParseError(Build(10, [0x01], [0x05])));
        Assert.Equal(DaveFrameError.RangesOverlapOrUnordered, ParseError(Build(10, [0x01], [0x05, 0x04, 0x02, 0x01])));
        Assert.Equal(DaveFrameError.RangesOverlapOrUnordered, ParseError(Build(10, [0x01], [0x02, 0x03, 0x03, 0x01])));
        Assert.Equal(DaveFrameError.RangeOutsideMedia, ParseError(Build(10, [0x01], [0x05, 0x06])));
        Assert.True(DaveFrameFormat.TryParse(Build(10, [0x01], [0x02, 0x03, 0x05, 0x05]), out var layout, out _));
        Assert.Equal([new UnencryptedRange(2, 3), new UnencryptedRange(5, 5)], layout.Ranges);
    }

    private static byte[] Build(int mediaLength, byte[] nonce, byte[] ranges)
    {
        var size = DaveFrameFormat.TagLength + nonce.Length + ranges.Length + 3;
        return [.. new byte[mediaLength + DaveFrameFormat.TagLength], .. nonce, .. ranges, (byte)size, 0xFA, 0xFA];
    }

    private static DaveFrameError ParseError(byte[] frame)
    {
        Assert.False(DaveFrameFormat.TryParse(frame, out _, out var error));
        return error;
    }

    private static byte[] Trailer(int length, byte size)
    {
        var frame = new byte[length];
        frame[^1] = 0xFA;
        frame[^2] = 0xFA;
        frame[^3] = size;
        return frame;
    }

    private static bool IsSilence(DaveMediaType mediaType, byte[] frame) => mediaType == DaveMediaType.Audio && DaveFrameFormat.IsOpusSilence(frame);
}
