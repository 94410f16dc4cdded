using System.Buffers.Binary;

namespace DiscordLedgerBot.Core.Speech.Audio;

/// <summary>Reads 16-bit PCM RIFF/WAVE files (any rate, any channel count) as 16 kHz mono speech.</summary>
public static class WavFile
{
    public static short[] Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return Parse(bytes, path);
    }

    public static short[] Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException($"{name} is not a WAV file (no RIFF/WAVE header).");
        }

        int? channels = null, rate = null, bits = null, format = null;
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = bytes.Slice(offset, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(offset + 4, 4)), (uint)(bytes.Length - offset - 8));
            var body = bytes.Slice(offset + 8, size);
            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                // 1 = PCM, 0xFFFE = WAVE_FORMAT_EXTENSIBLE (sox writes it for some inputs; its sub-format is PCM here).
                if (format is not (1 or 0xFFFE) || bits != 16 || channels is null or 0 || rate is null or <= 0)
                {
                    throw new InvalidDataException($"{name}: only 16-bit PCM WAV is supported (convert with: sox IN -b 16 -e signed-integer OUT.wav).");
                }

                var samples = new short[size / 2];
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(body[(i * 2)..]);
                }

                return Pcm.ToSpeechRate(samples, rate.Value, channels.Value);
            }

            offset += 8 + size + (size & 1);
        }

        throw new InvalidDataException($"{name} has no audio data chunk.");
    }

    /// <summary>16 kHz mono 16-bit WAV bytes, e.g. for an HTTP transcription server.</summary>
    public static byte[] Write(ReadOnlySpan<short> pcm)
    {
        var bytes = new byte[44 + (pcm.Length * 2)];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], bytes.Length - 8);
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], SpokenUtterance.SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], SpokenUtterance.SampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], pcm.Length * 2);
        for (var i = 0; i < pcm.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(span[(44 + (i * 2))..], pcm[i]);
        }

        return bytes;
    }
}
