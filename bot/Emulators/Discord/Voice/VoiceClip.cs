using System.Buffers.Binary;
using Concentus;
using Concentus.Enums;

namespace DiscordLedgerBot.Emulators.Discord.Voice;

/// <summary>
/// Audio an emulated member plays: 48 kHz stereo PCM, and its Opus frames (20 ms, Concentus encoder with in-band FEC so
/// a receiver can rebuild a lost frame from the next one, as Discord clients send).
/// </summary>
public sealed class VoiceClip
{
    public const int SampleRate = 48_000;
    public const int FrameSamples = 960;

    private VoiceClip(short[] stereo48k) => Stereo48k = stereo48k;

    /// <summary>Interleaved 48 kHz stereo samples.</summary>
    public short[] Stereo48k { get; }

    public TimeSpan Duration => TimeSpan.FromSeconds(Stereo48k.Length / 2.0 / SampleRate);

    /// <summary>A RIFF/WAVE file with 16-bit PCM, mono or stereo, any rate (espeak-ng writes 22 050 Hz mono).</summary>
    /// <exception cref="FormatException">Not a 16-bit PCM WAV.</exception>
    public static VoiceClip FromWav(ReadOnlySpan<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new FormatException("Not a RIFF/WAVE file.");
        }

        int channels = 0, rate = 0, bits = 0;
        var offset = 12;
        while (offset + 8 <= wav.Length)
        {
            var id = wav.Slice(offset, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(wav[(offset + 4)..]), (uint)(wav.Length - offset - 8));
            var body = wav.Slice(offset + 8, size);
            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                if (BinaryPrimitives.ReadUInt16LittleEndian(body) is not (1 or 0xFFFE))
                {
                    throw new FormatException("Only PCM WAV files can be played.");
                }

                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (bits != 16 || channels is not (1 or 2) || rate is < 8_000 or > 192_000)
                {
                    throw new FormatException($"Only 16-bit mono or stereo WAV files can be played (this one: {bits}-bit, {channels} channels, {rate} Hz).");
                }

                var samples = new short[size / 2];
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(body[(2 * i)..]);
                }

                var mono = channels == 1 ? samples : Enumerable.Range(0, samples.Length / 2).Select(i => (short)((samples[2 * i] + samples[(2 * i) + 1]) / 2)).ToArray();
                return FromMono(mono, rate);
            }

            offset += 8 + size + (size & 1);
        }

        throw new FormatException("The WAV file has no data chunk.");
    }

    /// <summary>Mono PCM at <paramref name="sampleRate"/>, resampled to 48 kHz (Speex resampler, quality 10) and duplicated to stereo.</summary>
    public static VoiceClip FromMono(short[] mono, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(mono);
        var resampled = Resample(mono, sampleRate, SampleRate);
        var stereo = new short[resampled.Length * 2];
        for (var i = 0; i < resampled.Length; i++)
        {
            stereo[2 * i] = resampled[i];
            stereo[(2 * i) + 1] = resampled[i];
        }

        return new VoiceClip(stereo);
    }

    /// <summary>Mono resampling with Concentus' Speex resampler (the same the tests use to compare what the bot heard).</summary>
    public static short[] Resample(short[] mono, int fromRate, int toRate)
    {
        ArgumentNullException.ThrowIfNull(mono);
        if (fromRate == toRate)
        {
            return [.. mono];
        }

        var resampler = ResamplerFactory.CreateResampler(1, fromRate, toRate, 10);
        var output = new short[(int)((long)mono.Length * toRate / fromRate) + 1024];
        var inLength = mono.Length;
        var outLength = output.Length;
        resampler.Process(0, mono, ref inLength, output, ref outLength);

        // Flush the filter's tail with silence so the end of the clip comes out too.
        var tail = new short[resampler.InputLatency];
        var tailIn = tail.Length;
        var tailOut = output.Length - outLength;
        resampler.Process(0, tail, ref tailIn, output.AsSpan(outLength), ref tailOut);
        var skip = resampler.OutputLatencySamples;
        var total = outLength + tailOut;
        return output.AsSpan(Math.Min(skip, total), Math.Max(0, total - skip)).ToArray();
    }

    /// <summary>The clip as 20 ms Opus frames (the last one padded with silence).</summary>
    public IReadOnlyList<byte[]> EncodeOpus(int packetLossPercent = 10)
    {
        var encoder = OpusCodecFactory.CreateEncoder(SampleRate, 2, OpusApplication.OPUS_APPLICATION_VOIP);
        encoder.Bitrate = 64_000;
        encoder.UseInbandFEC = true;
        encoder.PacketLossPercent = packetLossPercent;
        var frames = new List<byte[]>();
        var frame = new short[FrameSamples * 2];
        var output = new byte[1275];
        for (var start = 0; start < Stereo48k.Length; start += frame.Length)
        {
            Array.Clear(frame);
            Stereo48k.AsSpan(start, Math.Min(frame.Length, Stereo48k.Length - start)).CopyTo(frame);
            var length = encoder.Encode(frame, FrameSamples, output, output.Length);
            frames.Add(output[..length]);
        }

        (encoder as IDisposable)?.Dispose();
        return frames;
    }
}
