using Concentus;

namespace DiscordLedgerBot.Voice.Audio;

/// <summary>
/// One speaker's Opus decoder (Opus is stateful: one per SSRC) plus its downsampler: every 20 ms frame in, 320 samples
/// of 16 kHz mono out. A lost frame is rebuilt from the next packet's in-band FEC when the sender put it there, else
/// concealed (PLC), so the stream keeps its length and phase.
/// </summary>
public sealed class OpusSpeakerDecoder : IDisposable
{
    public const int SampleRate = 48_000;
    public const int Channels = 2;
    public const int FrameSamples = 960;
    public const int OutputSamplesPerFrame = 320;
    private const int MaxFrameSamples = 5760;

    private readonly IOpusDecoder _decoder;
    private readonly Downsampler _downsampler = new();
    private readonly short[] _stereo = new short[MaxFrameSamples * Channels];

    // Managed on purpose (docs/design/voice.md): no native library in the image, malformed frames stay managed exceptions.
    public OpusSpeakerDecoder()
    {
        OpusCodecFactory.AttemptToUseNativeLibrary = false;
        _decoder = OpusCodecFactory.CreateDecoder(SampleRate, Channels);
    }

    /// <summary>Decodes one frame into <paramref name="mono16k"/> (room for 1 920 samples); returns the samples written, 0 for a corrupt frame.</summary>
    public int Decode(ReadOnlySpan<byte> opus, Span<short> mono16k) => Run(opus, fec: false, mono16k);

    /// <summary>The frame before <paramref name="nextOpus"/> was lost: FEC from it when present, else concealment.</summary>
    public int DecodeLost(ReadOnlySpan<byte> nextOpus, Span<short> mono16k) => Run(nextOpus, fec: !nextOpus.IsEmpty, mono16k);

    private int Run(ReadOnlySpan<byte> opus, bool fec, Span<short> mono16k)
    {
        int samples;
        try
        {
            samples = _decoder.Decode(opus, _stereo, fec || opus.IsEmpty ? FrameSamples : MaxFrameSamples, fec);
        }
        catch (Exception e) when (e is OpusException or ArgumentException or IndexOutOfRangeException)
        {
            return 0;
        }

        return samples <= 0 ? 0 : _downsampler.Process(_stereo.AsSpan(0, samples * Channels), mono16k);
    }

    public void Dispose() => (_decoder as IDisposable)?.Dispose();
}
