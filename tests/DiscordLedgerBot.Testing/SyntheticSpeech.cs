using System.Diagnostics;
using DiscordLedgerBot.Core.Speech.Audio;

namespace DiscordLedgerBot.Testing;

/// <summary>
/// Speech made at test time with espeak-ng (voice, words per minute) and optionally mixed with sox pink noise at a given
/// SNR, as 16 kHz mono PCM. Nothing large is committed: every run synthesises what it needs into a temp directory.
/// </summary>
public static class SyntheticSpeech
{
    public static readonly IReadOnlyList<string> Voices = ["en-us", "en", "en-us+m3", "en+f2", "en-us+f4", "en+m7"];

    public static readonly IReadOnlyList<int> Speeds = [140, 170, 200];

    private static readonly string Directory = System.IO.Directory.CreateTempSubdirectory("dlb-speech-").FullName;

    /// <summary>The utterance as 16 kHz mono samples, with a short lead-in and tail of digital silence like a real capture.</summary>
    public static short[] Say(string text, string voice = "en-us", int wordsPerMinute = 160, double? snrDb = null)
    {
        var wav = Path.Combine(Directory, Guid.NewGuid().ToString("n") + ".wav");
        Run("espeak-ng", ["-v", voice, "-s", wordsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture), "-w", wav, text]);
        var speech = WavFile.Read(wav);
        File.Delete(wav);
        var padded = new short[speech.Length + 8000];
        speech.CopyTo(padded, 3200);
        return snrDb is { } snr ? MixNoise(padded, snr) : padded;
    }

    /// <summary>Writes speech as a WAV file for the CLI (returns its path).</summary>
    public static string SayToFile(string text, string voice = "en-us", int wordsPerMinute = 160, double? snrDb = null)
    {
        var path = Path.Combine(Directory, Guid.NewGuid().ToString("n") + ".wav");
        File.WriteAllBytes(path, WavFile.Write(Say(text, voice, wordsPerMinute, snrDb)));
        return path;
    }

    /// <summary>
    /// Adds sox pink noise scaled so speech power over noise power is <paramref name="snrDb"/>. The noise is sox's
    /// repeatable (-R, fixed seed) noise, so a test that decodes noisy speech hears the same audio on every run.
    /// </summary>
    public static short[] MixNoise(short[] speech, double snrDb)
    {
        var raw = Path.Combine(Directory, Guid.NewGuid().ToString("n") + ".raw");
        var seconds = (speech.Length / 16000.0) + 0.1;
        Run("sox", ["-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", raw, "synth", seconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), "pinknoise", "vol", "0.3"]);
        var bytes = File.ReadAllBytes(raw);
        File.Delete(raw);
        var noise = new short[bytes.Length / 2];
        Buffer.BlockCopy(bytes, 0, noise, 0, noise.Length * 2);
        var speechPower = speech.Where(s => s != 0).Select(s => (double)s * s).DefaultIfEmpty(0).Average();
        var noisePower = noise.Select(s => (double)s * s).Average();
        var scale = Math.Sqrt(speechPower / (noisePower * Math.Pow(10, snrDb / 10)));
        var mixed = new short[speech.Length];
        for (var i = 0; i < speech.Length; i++)
        {
            mixed[i] = (short)Math.Clamp(speech[i] + (noise[i % noise.Length] * scale), short.MinValue, short.MaxValue);
        }

        return mixed;
    }

    private static void Run(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start (install it: ./test.sh installs espeak-ng and sox).");
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {error}");
        }
    }
}
