using System.Diagnostics;
using DiscordLedgerBot.Emulators.Discord.Voice;
using DiscordLedgerBot.Voice.Audio;

namespace DiscordLedgerBot.Voice.Tests.Receive;

/// <summary>Speech for voice tests (espeak-ng, a Debian package test.sh installs) and how close heard audio is to it.</summary>
internal static class SpokenAudio
{
    private static readonly Dictionary<string, byte[]> Cache = [];

    /// <summary>A 22 050 Hz mono 16-bit WAV of <paramref name="text"/> spoken by espeak-ng.</summary>
    public static byte[] Wav(string text)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(text, out var cached))
            {
                return cached;
            }
        }

        var path = Path.Combine(Path.GetTempPath(), $"dlb-voice-{Guid.NewGuid():N}.wav");
        using (var process = Process.Start(new ProcessStartInfo("espeak-ng", ["-w", path, text]) { RedirectStandardError = true })!)
        {
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"espeak-ng failed: {process.StandardError.ReadToEnd()}");
        }

        var wav = File.ReadAllBytes(path);
        File.Delete(path);
        lock (Cache)
        {
            Cache[text] = wav;
        }

        return wav;
    }

    /// <summary>The clip as the bot should hear it: its 48 kHz stereo through the receiver's own 16 kHz mono downsampler.</summary>
    public static short[] Reference16k(byte[] wav)
    {
        var clip = VoiceClip.FromWav(wav);
        var output = new short[clip.Stereo48k.Length / 6 + 1];
        var written = new Downsampler().Process(clip.Stereo48k, output);
        return output[..written];
    }

    /// <summary>
    /// The best normalized cross-correlation of <paramref name="heard"/> against <paramref name="source"/> over lags of
    /// ±<paramref name="maxLag"/> samples (the codec's delay and the receiver's trimming of leading silence shift it).
    /// </summary>
    public static double Correlation(short[] source, short[] heard, int maxLag = 2000)
    {
        var best = double.MinValue;
        for (var lag = -maxLag; lag <= maxLag; lag += 1)
        {
            double dot = 0, a2 = 0, b2 = 0;
            for (var i = 0; i < heard.Length; i++)
            {
                var j = i + lag;
                if (j < 0 || j >= source.Length)
                {
                    continue;
                }

                dot += (double)heard[i] * source[j];
                a2 += (double)heard[i] * heard[i];
                b2 += (double)source[j] * source[j];
            }

            if (a2 > 0 && b2 > 0)
            {
                best = Math.Max(best, dot / Math.Sqrt(a2 * b2));
            }
        }

        return best;
    }
}
