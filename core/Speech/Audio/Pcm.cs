namespace DiscordLedgerBot.Core.Speech.Audio;

/// <summary>Turns decoded audio of any rate and channel count into what recognizers take: 16 kHz mono 16-bit.</summary>
public static class Pcm
{
    private const int HalfTaps = 24;

    /// <summary>
    /// Averages interleaved channels, then resamples with a Blackman-windowed sinc whose cut-off sits below both
    /// Nyquist rates: naive decimation would alias microphone noise into the speech band.
    /// </summary>
    public static short[] ToSpeechRate(ReadOnlySpan<short> interleaved, int sampleRate, int channels)
    {
        if (sampleRate <= 0 || channels <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), "Sample rate and channel count must be positive.");
        }

        var frames = interleaved.Length / channels;
        var mono = new float[frames];
        for (var i = 0; i < frames; i++)
        {
            var sum = 0f;
            for (var c = 0; c < channels; c++)
            {
                sum += interleaved[(i * channels) + c];
            }

            mono[i] = sum / channels;
        }

        const int target = SpokenUtterance.SampleRate;
        if (sampleRate == target)
        {
            return [.. mono.Select(v => (short)Math.Clamp(MathF.Round(v), short.MinValue, short.MaxValue))];
        }

        var ratio = (double)sampleRate / target;
        var cutoff = 0.45 * Math.Min(1.0, 1.0 / ratio);
        var outLength = (int)(frames / ratio);
        var result = new short[outLength];
        for (var n = 0; n < outLength; n++)
        {
            var center = n * ratio;
            var half = HalfTaps * Math.Max(1, ratio);
            var first = (int)Math.Ceiling(center - half);
            var last = (int)Math.Floor(center + half);
            double acc = 0, norm = 0;
            for (var k = Math.Max(0, first); k <= Math.Min(frames - 1, last); k++)
            {
                var x = k - center;
                var sinc = x == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
                var t = 0.5 + (x / (2 * half));
                var window = 0.42 - (0.5 * Math.Cos(2 * Math.PI * t)) + (0.08 * Math.Cos(4 * Math.PI * t));
                var weight = sinc * window;
                acc += mono[k] * weight;
                norm += weight;
            }

            result[n] = (short)Math.Clamp(Math.Round(norm == 0 ? 0 : acc / norm), short.MinValue, short.MaxValue);
        }

        return result;
    }
}
