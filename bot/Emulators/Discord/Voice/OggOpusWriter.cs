using System.Buffers.Binary;
using Concentus;
using Concentus.Enums;
using DiscordLedgerBot.Voice.Audio;

namespace DiscordLedgerBot.Emulators.Discord.Voice;

/// <summary>
/// Writes a voice message the way Discord clients record one: mono 48 kHz Opus (Concentus, 20 ms frames, ~32 kbit/s)
/// in an Ogg container (RFC 7845: OpusHead with the encoder's look-ahead as pre-skip, OpusTags, audio pages with
/// granule positions, end-of-stream page trimmed to the exact length). Also gives the waveform Discord attaches.
/// </summary>
public static class OggOpusWriter
{
    private const int FrameSamples = 960;
    private const int PacketsPerPage = 50;

    /// <summary>The clip (any rate, see <see cref="VoiceClip"/>) as an Ogg Opus file.</summary>
    public static byte[] Encode(VoiceClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        var mono = new short[clip.Stereo48k.Length / 2];
        for (var i = 0; i < mono.Length; i++)
        {
            mono[i] = (short)((clip.Stereo48k[2 * i] + clip.Stereo48k[(2 * i) + 1]) / 2);
        }

        var encoder = OpusCodecFactory.CreateEncoder(VoiceClip.SampleRate, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        encoder.Bitrate = 32_000;
        var preSkip = encoder.Lookahead;
        var packets = new List<byte[]>();
        var frame = new short[FrameSamples];
        var output = new byte[1275];

        // Pad by the look-ahead so the last real samples leave the encoder.
        var total = mono.Length + preSkip;
        for (var start = 0; start < total; start += FrameSamples)
        {
            Array.Clear(frame);
            if (start < mono.Length)
            {
                mono.AsSpan(start, Math.Min(FrameSamples, mono.Length - start)).CopyTo(frame);
            }

            var length = encoder.Encode(frame, FrameSamples, output, output.Length);
            packets.Add(output[..length]);
        }

        (encoder as IDisposable)?.Dispose();
        return Write(1, preSkip, packets, preSkip + (long)mono.Length);
    }

    /// <summary>Packs Opus packets into Ogg pages; <paramref name="endGranule"/> is pre-skip plus the playable samples.</summary>
    public static byte[] Write(int channels, int preSkip, IReadOnlyList<byte[]> packets, long endGranule, uint serial = 0x5EC0DE)
    {
        ArgumentNullException.ThrowIfNull(packets);
        using var file = new MemoryStream();
        var sequence = 0u;
        var head = new byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1;
        head[9] = (byte)channels;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), (ushort)preSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), 48_000);
        WritePage(file, 0x02, 0, serial, sequence++, [head]);
        var vendor = "DiscordLedgerBot emulator"u8;
        var tags = new byte[8 + 4 + vendor.Length + 4];
        "OpusTags"u8.CopyTo(tags);
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(8), (uint)vendor.Length);
        vendor.CopyTo(tags.AsSpan(12));
        WritePage(file, 0, 0, serial, sequence++, [tags]);
        for (var first = 0; first < packets.Count; first += PacketsPerPage)
        {
            var count = Math.Min(PacketsPerPage, packets.Count - first);
            var last = first + count == packets.Count;
            var granule = last ? endGranule : preSkip + ((long)(first + count) * FrameSamples);
            WritePage(file, last ? (byte)0x04 : (byte)0, granule, serial, sequence++, packets.Skip(first).Take(count).ToList());
        }

        return file.ToArray();
    }

    /// <summary>Discord's voice-message waveform: up to 256 amplitude bytes (0–255) over the clip, base64.</summary>
    public static string Waveform(VoiceClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        var frames = clip.Stereo48k.Length / 2;
        var points = Math.Clamp(frames / 4_800, 1, 256);
        var bytes = new byte[points];
        for (var p = 0; p < points; p++)
        {
            var from = (int)((long)frames * p / points);
            var to = (int)((long)frames * (p + 1) / points);
            var peak = 0;
            for (var i = from; i < to; i++)
            {
                peak = Math.Max(peak, Math.Abs((int)clip.Stereo48k[2 * i]));
            }

            bytes[p] = (byte)Math.Min(255, peak * 255 / short.MaxValue);
        }

        return Convert.ToBase64String(bytes);
    }

    private static void WritePage(MemoryStream file, byte flags, long granule, uint serial, uint sequence, IReadOnlyList<byte[]> packets)
    {
        var lacing = new List<byte>();
        foreach (var packet in packets)
        {
            var remaining = packet.Length;
            while (remaining >= 255)
            {
                lacing.Add(255);
                remaining -= 255;
            }

            lacing.Add((byte)remaining);
        }

        var page = new byte[27 + lacing.Count + packets.Sum(p => p.Length)];
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), serial);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), sequence);
        page[26] = (byte)lacing.Count;
        lacing.CopyTo(page, 27);
        var at = 27 + lacing.Count;
        foreach (var packet in packets)
        {
            packet.CopyTo(page, at);
            at += packet.Length;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), OggOpusReader.Crc(page));
        file.Write(page);
    }
}
