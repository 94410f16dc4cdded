using System.Buffers.Binary;

namespace DiscordLedgerBot.Core.Speech.Recognition;

/// <summary>
/// Checks, before anything loads it, that a file is a whisper model in the ggml format whisper.cpp reads: the
/// <c>ggml</c> magic and hyper-parameters of a whisper model (its vocabulary size and mel bands). Native loading of a
/// wrong file fails with nothing but a log line; this says what is wrong with the setting at start.
/// </summary>
public static class WhisperModelFile
{
    public const uint GgmlMagic = 0x67676d6c;

    private const string Setting = "Speech:Whisper:ModelPath";

    /// <summary>What is wrong with <paramref name="path"/> as a whisper model, or null when it looks like one.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return $"{Setting} must name a ggml whisper model file when Speech:Engine is whisper (e.g. ggml-base.en.bin from whisper.cpp's releases; env Speech__Whisper__ModelPath).";
        }

        if (!File.Exists(path))
        {
            return Directory.Exists(path) ? $"{Setting} {path} is a directory, not a model file." : $"{Setting} {path} does not exist.";
        }

        // Magic and the eleven int32 hyper-parameters that follow it.
        var header = new byte[48];
        int read;
        try
        {
            using var file = File.OpenRead(path);
            read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{Setting} {path} cannot be read: {e.Message}";
        }

        if (read >= 4 && header.AsSpan(0, 4).SequenceEqual("GGUF"u8))
        {
            return $"{Setting} {path} is a GGUF file; whisper.cpp loads whisper models in the ggml format (ggml-*.bin).";
        }

        var magic = read >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(header) : 0;
        if (read < header.Length || magic != GgmlMagic)
        {
            return $"{Setting} {path} is not a ggml whisper model (it does not start with the ggml magic 0x67676d6c).";
        }

        int Parameter(int index) => BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4 + (4 * index)));
        var (vocabulary, audioState, textState, mels) = (Parameter(0), Parameter(2), Parameter(6), Parameter(9));
        return vocabulary is < 51864 or > 51866 || mels is not (80 or 128) || audioState <= 0 || audioState != textState
            ? $"{Setting} {path} is a ggml file but not a whisper model (vocabulary {vocabulary}, {mels} mel bands)."
            : null;
    }
}
