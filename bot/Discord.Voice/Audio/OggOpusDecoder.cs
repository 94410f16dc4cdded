namespace DiscordLedgerBot.Voice.Audio;

/// <summary>
/// An Ogg Opus file (a Discord voice message) → 16 kHz mono, through the same Opus decoder and 48→16 kHz filter as live
/// voice (<see cref="OpusSpeakerDecoder"/>): the pre-skip is dropped, the output gain applied and the end trimmed to the
/// last granule position (RFC 7845 §4.2, §4.5). A packet the decoder rejects fails the whole file.
/// </summary>
public static class OggOpusDecoder
{
    private const int Decimation = OpusSpeakerDecoder.SampleRate / 16_000;

    /// <exception cref="OggOpusFormatException">Malformed container, or an audio packet that is not valid Opus.</exception>
    public static short[] DecodeToSpeechRate(ReadOnlySpan<byte> file, TimeSpan maxDuration)
    {
        var stream = OggOpusReader.Read(file);
        if (stream.Duration > maxDuration)
        {
            throw new OggOpusFormatException($"The recording is {stream.Duration.TotalSeconds:0.#} s long; at most {maxDuration.TotalSeconds:0.#} s is accepted.");
        }

        return Decode(stream);
    }

    public static short[] Decode(OggOpusStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var skip = (int)Math.Min(int.MaxValue, stream.Head.PreSkip / Decimation);
        var keep = (int)Math.Min(int.MaxValue / 2, (stream.PlayableSamples + Decimation - 1) / Decimation);
        var output = new short[keep];
        var frame = new short[OpusSpeakerDecoder.OutputSamplesPerFrame * 6];
        var gain = stream.Head.OutputGainFactor;
        var position = 0L;
        using var decoder = new OpusSpeakerDecoder();
        for (var index = 0; index < stream.Packets.Count; index++)
        {
            var written = decoder.Decode(stream.Packets[index].Span, frame);
            if (written == 0)
            {
                throw new OggOpusFormatException($"Opus packet {index} (at {position * Decimation / 48_000.0:0.00} s) is not valid Opus: the recording is corrupt.");
            }

            for (var i = 0; i < written; i++, position++)
            {
                var at = position - skip;
                if (at >= 0 && at < keep)
                {
                    output[at] = gain == 1.0 ? frame[i] : (short)Math.Clamp(Math.Round(frame[i] * gain), short.MinValue, short.MaxValue);
                }
            }
        }

        // Granule positions promise at least this much audio; fewer decoded samples means packets were lost.
        var decoded = position - skip;
        if (decoded < keep - OpusSpeakerDecoder.OutputSamplesPerFrame)
        {
            throw new OggOpusFormatException($"The packets hold {Math.Max(0, decoded) / 16.0:0} ms of audio but the last granule position promises {keep / 16.0:0} ms: audio is missing.");
        }

        return decoded < keep ? output[..(int)Math.Max(0, decoded)] : output;
    }
}
