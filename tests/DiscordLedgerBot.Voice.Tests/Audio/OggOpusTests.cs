using System.Buffers.Binary;
using System.Diagnostics;
using DiscordLedgerBot.Emulators.Discord.Voice;
using DiscordLedgerBot.Voice.Audio;
using DiscordLedgerBot.Voice.Tests.Receive;

namespace DiscordLedgerBot.Voice.Tests.Audio;

/// <summary>
/// The Ogg Opus reader and decoder on files written by libopus' own <c>opusenc</c> (opus-tools, installed by test.sh)
/// and by the emulator's writer, and on corrupted variants of them: each defect is refused with its own message.
/// </summary>
public sealed class OggOpusTests
{
    private const string Phrase = "create a task update the release notes";

    [Fact]
    public void An_opusenc_file_decodes_to_the_spoken_audio_at_16_khz_with_pre_skip_and_end_trim_applied()
    {
        var wav = SpokenAudio.Wav(Phrase);
        var ogg = OpusEnc(wav);
        var stream = OggOpusReader.Read(ogg);
        Assert.Equal(1, stream.Head.Channels);
        Assert.Equal(312, stream.Head.PreSkip);
        Assert.Equal(22_050u, stream.Head.InputSampleRate);

        var pcm = OggOpusDecoder.DecodeToSpeechRate(ogg, TimeSpan.FromSeconds(30));
        var reference = SpokenAudio.Reference16k(wav);
        Assert.InRange(pcm.Length, reference.Length - 16, reference.Length + 16);
        var correlation = SpokenAudio.Correlation(reference, pcm, maxLag: 200);
        Assert.True(correlation >= 0.9, $"correlation {correlation:F3}");
    }

    [Fact]
    public void Tags_spanning_several_pages_are_skipped_and_audio_packets_spanning_pages_are_reassembled()
    {
        var wav = SpokenAudio.Wav(Phrase);
        var ogg = OpusEnc(wav, "--comment", "NOTE=" + new string('x', 100_000));
        Assert.True(Pages(ogg).Count(p => p.Granule == -1) >= 1, "the tags should span pages");
        Assert.Equal(OggOpusReader.Read(OpusEnc(wav)).Packets.Count, OggOpusReader.Read(ogg).Packets.Count);

        // One 700-byte packet laced over two pages (255, 255, 190 split after the first two segments).
        var big = new byte[700];
        big[0] = 0xFC;
        var split = SplitLastPacketAcrossPages(OggOpusWriter.Write(1, 312, [big], 312 + 960));
        var read = OggOpusReader.Read(split);
        Assert.Equal(big, Assert.Single(read.Packets).ToArray());
    }

    [Fact]
    public void Pre_skip_end_trim_and_output_gain_follow_the_header()
    {
        var clip = VoiceClip.FromWav(SpokenAudio.Wav(Phrase));
        var ogg = OggOpusWriter.Encode(clip);
        var plain = OggOpusDecoder.DecodeToSpeechRate(ogg, TimeSpan.FromSeconds(30));
        Assert.Equal((clip.Stereo48k.Length / 2 + 2) / 3, plain.Length);

        // +6.02 dB (Q7.8 = 1541) doubles every sample.
        var louder = WithHead(ogg, head => BinaryPrimitives.WriteInt16LittleEndian(head.AsSpan(16), 1541));
        var gained = OggOpusDecoder.DecodeToSpeechRate(louder, TimeSpan.FromSeconds(30));
        Assert.Equal(plain.Length, gained.Length);
        var ratio = Rms(gained) / Rms(plain);
        Assert.InRange(ratio, 1.95, 2.05);
    }

    [Theory]
    [InlineData("not-ogg", "Not an Ogg file")]
    [InlineData("empty", "The file is empty.")]
    [InlineData("bit-flip", "fails its CRC check")]
    [InlineData("truncated", "is truncated")]
    [InlineData("no-eos", "no end-of-stream page")]
    [InlineData("page-missing", "is missing")]
    [InlineData("not-opus", "not Opus audio")]
    [InlineData("family-1", "Channel mapping family 1 is not supported")]
    [InlineData("three-channels", "allows 1 or 2")]
    [InlineData("no-tags", "is not OpusTags")]
    [InlineData("second-stream", "another logical stream")]
    [InlineData("bad-continuation", "claims to continue a packet")]
    [InlineData("bad-opus-packet", "is not valid Opus")]
    [InlineData("chained", "chained Ogg streams")]
    public void Malformed_files_are_refused_with_a_specific_error(string defect, string message)
    {
        var ogg = OggOpusWriter.Encode(VoiceClip.FromWav(SpokenAudio.Wav("what is blocked")));
        var pages = Pages(ogg);
        var corrupt = defect switch
        {
            "not-ogg" => "RIFF...WAVEfmt "u8.ToArray(),
            "empty" => [],
            "bit-flip" => Flip(ogg, pages[2].Offset + 40),
            "truncated" => ogg[..^10],
            "no-eos" => Rewrite(ogg, pages.Count - 1, page => page[5] = 0),
            "page-missing" => [.. ogg[..pages[2].Offset], .. ogg[pages[3].Offset..]],
            "not-opus" => WithHead(ogg, head => head[7] = (byte)'X'),
            "family-1" => WithHead(ogg, head => head[18] = 1),
            "three-channels" => WithHead(ogg, head => head[9] = 3),
            "no-tags" => [.. ogg[..pages[1].Offset], .. Renumber(ogg[pages[2].Offset..], -1)],
            "second-stream" => Rewrite(ogg, 2, page => BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), 7)),
            "bad-continuation" => Rewrite(ogg, 2, page => page[5] |= 1),
            "bad-opus-packet" => OggOpusWriter.Write(1, 312, [[0x03, 0x00], [0xFC, 0xFF, 0xFE]], 312 + 1920),
            "chained" => [.. ogg, .. ogg],
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };

        var refused = Assert.Throws<OggOpusFormatException>(() => OggOpusDecoder.DecodeToSpeechRate(corrupt, TimeSpan.FromSeconds(30)));
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recording_longer_than_the_limit_is_refused_before_decoding()
    {
        var ogg = OggOpusWriter.Encode(VoiceClip.FromWav(SpokenAudio.Wav(Phrase)));
        var refused = Assert.Throws<OggOpusFormatException>(() => OggOpusDecoder.DecodeToSpeechRate(ogg, TimeSpan.FromSeconds(1)));
        Assert.Contains("at most 1 s is accepted", refused.Message, StringComparison.Ordinal);
    }

    private static byte[] OpusEnc(byte[] wav, params string[] extra)
    {
        var input = Path.Combine(Path.GetTempPath(), $"dlb-ogg-{Guid.NewGuid():N}.wav");
        var output = Path.ChangeExtension(input, ".opus");
        File.WriteAllBytes(input, wav);
        try
        {
            var start = new ProcessStartInfo("opusenc") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "--quiet", "--bitrate", "32" }.Concat(extra).Concat([input, output]))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"opusenc (Debian opus-tools, installed by test.sh) failed: {error}");
            return File.ReadAllBytes(output);
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    private sealed record Page(int Offset, int Length, long Granule);

    private static List<Page> Pages(byte[] ogg)
    {
        var pages = new List<Page>();
        for (var offset = 0; offset < ogg.Length;)
        {
            var segments = ogg[offset + 26];
            var length = 27 + segments + ogg.AsSpan(offset + 27, segments).ToArray().Sum(b => b);
            pages.Add(new Page(offset, length, BinaryPrimitives.ReadInt64LittleEndian(ogg.AsSpan(offset + 6))));
            offset += length;
        }

        return pages;
    }

    private static byte[] Rewrite(byte[] ogg, int pageIndex, Action<byte[]> change)
    {
        var page = Pages(ogg)[pageIndex];
        var bytes = ogg[page.Offset..(page.Offset + page.Length)];
        change(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(22), OggOpusReader.Crc(bytes));
        return [.. ogg[..page.Offset], .. bytes, .. ogg[(page.Offset + page.Length)..]];
    }

    private static byte[] WithHead(byte[] ogg, Action<byte[]> change) => Rewrite(ogg, 0, page =>
    {
        var head = page[28..];
        change(head);
        head.CopyTo(page, 28);
    });

    private static byte[] Renumber(byte[] pages, int delta)
    {
        var result = pages.ToArray();
        foreach (var page in Pages(result))
        {
            var bytes = result.AsSpan(page.Offset, page.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[18..], (uint)(BinaryPrimitives.ReadUInt32LittleEndian(bytes[18..]) + delta));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[22..], OggOpusReader.Crc(bytes));
        }

        return result;
    }

    private static byte[] Flip(byte[] ogg, int at)
    {
        var copy = ogg.ToArray();
        copy[at] ^= 0x5A;
        return copy;
    }

    /// <summary>Moves the last page's final lacing values onto a new continuation page.</summary>
    private static byte[] SplitLastPacketAcrossPages(byte[] ogg)
    {
        var last = Pages(ogg)[^1];
        var page = ogg[last.Offset..(last.Offset + last.Length)];
        var segments = page[26];
        var lacing = page[27..(27 + segments)];
        var body = page[(27 + segments)..];
        var firstBody = lacing[0] + lacing[1];
        byte[] First()
        {
            var p = new byte[27 + 2 + firstBody];
            page.AsSpan(0, 27).CopyTo(p);
            p[5] = 0;
            BinaryPrimitives.WriteInt64LittleEndian(p.AsSpan(6), -1);
            p[26] = 2;
            p[27] = lacing[0];
            p[28] = lacing[1];
            body.AsSpan(0, firstBody).CopyTo(p.AsSpan(29));
            BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(22), OggOpusReader.Crc(p));
            return p;
        }

        byte[] Second()
        {
            var rest = lacing[2..];
            var p = new byte[27 + rest.Length + body.Length - firstBody];
            page.AsSpan(0, 27).CopyTo(p);
            p[5] = 0x05;
            BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(18), BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(18)) + 1);
            p[26] = (byte)rest.Length;
            rest.CopyTo(p, 27);
            body.AsSpan(firstBody).CopyTo(p.AsSpan(27 + rest.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(22), OggOpusReader.Crc(p));
            return p;
        }

        return [.. ogg[..last.Offset], .. First(), .. Second()];
    }

    private static double Rms(short[] samples) => Math.Sqrt(samples.Average(s => (double)s * s));
}
