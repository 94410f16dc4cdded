namespace DiscordLedgerBot.Voice.Audio;

/// <summary>
/// 48 kHz interleaved stereo → 16 kHz mono: (L+R)/2, then a 95-tap Blackman-windowed-sinc low-pass at 7 kHz evaluated
/// only at every third input (speech-facts: recognition equal to naive decimation, without its aliasing of microphone
/// noise). Keeps its history across calls, so consecutive 20 ms frames filter as one stream.
/// </summary>
public sealed class Downsampler
{
    public const int Taps = 95;
    private static readonly float[] Kernel = BuildKernel();
    private readonly float[] _history = new float[Taps - 1];
    private float[] _work = new float[Taps - 1 + 960];
    private int _phase;

    /// <summary>Writes the 16 kHz samples for <paramref name="stereo48k"/> and returns how many (320 per 20 ms frame).</summary>
    public int Process(ReadOnlySpan<short> stereo48k, Span<short> mono16k)
    {
        var frames = stereo48k.Length / 2;
        var needed = Taps - 1 + frames;
        if (_work.Length < needed)
        {
            _work = new float[needed];
        }

        _history.CopyTo(_work, 0);
        for (var i = 0; i < frames; i++)
        {
            _work[Taps - 1 + i] = (stereo48k[2 * i] + stereo48k[(2 * i) + 1]) * 0.5f;
        }

        var written = 0;
        var input = _work.AsSpan(0, needed);
        var kernel = Kernel.AsSpan();
        for (var i = _phase; i < frames; i += 3)
        {
            var window = input.Slice(i, Taps);
            var sum = 0f;
            for (var k = 0; k < Taps; k++)
            {
                sum += window[k] * kernel[k];
            }

            mono16k[written++] = (short)Math.Clamp(MathF.Round(sum), short.MinValue, short.MaxValue);
        }

        _phase = (((_phase - frames) % 3) + 3) % 3;
        input.Slice(frames, Taps - 1).CopyTo(_history);
        return written;
    }

    private static float[] BuildKernel()
    {
        const double cutoff = 7000.0 / 48000.0;
        var kernel = new float[Taps];
        var middle = (Taps - 1) / 2.0;
        var sum = 0.0;
        var values = new double[Taps];
        for (var n = 0; n < Taps; n++)
        {
            var x = n - middle;
            var sinc = x == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
            var blackman = 0.42 - (0.5 * Math.Cos(2 * Math.PI * n / (Taps - 1))) + (0.08 * Math.Cos(4 * Math.PI * n / (Taps - 1)));
            values[n] = sinc * blackman;
            sum += values[n];
        }

        for (var n = 0; n < Taps; n++)
        {
            kernel[n] = (float)(values[n] / sum);
        }

        return kernel;
    }
}
