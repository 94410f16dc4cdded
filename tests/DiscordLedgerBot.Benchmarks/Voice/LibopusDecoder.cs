using System.Runtime.InteropServices;

namespace DiscordLedgerBot.Benchmarks.Voice;

/// <summary>
/// libopus's decoder (Debian libopus0: only the versioned libopus.so.0 is installed, which Concentus' own binding does
/// not probe), for comparing with the managed Concentus decoder the bot uses.
/// </summary>
internal sealed class LibopusDecoder : IDisposable
{
    private readonly IntPtr _decoder;

    public LibopusDecoder()
    {
        _decoder = NativeMethods.opus_decoder_create(48_000, 2, out var error);
        if (error != 0 || _decoder == IntPtr.Zero)
        {
            throw new InvalidOperationException($"opus_decoder_create failed ({error}); apt-get install libopus0");
        }
    }

    /// <summary>Samples per channel written to <paramref name="stereo"/> (interleaved), or a negative libopus error.</summary>
    public int Decode(byte[] frame, short[] stereo) => NativeMethods.opus_decode(_decoder, frame, frame.Length, stereo, stereo.Length / 2, 0);

    public void Dispose() => NativeMethods.opus_decoder_destroy(_decoder);

    private static class NativeMethods
    {
        private const string Library = "libopus.so.0";

        [DllImport(Library)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern IntPtr opus_decoder_create(int sampleRate, int channels, out int error);

        [DllImport(Library)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int opus_decode(IntPtr decoder, byte[] data, int length, short[] pcm, int frameSize, int decodeFec);

        [DllImport(Library)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern void opus_decoder_destroy(IntPtr decoder);
    }
}
