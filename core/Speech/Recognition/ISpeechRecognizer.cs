using DiscordLedgerBot.Core.Speech.Intents;

namespace DiscordLedgerBot.Core.Speech.Recognition;

/// <summary>What an engine heard, and how long it took (for the real-time factor).</summary>
public sealed record SpeechTranscript(string Text, string Engine, TimeSpan Elapsed);

/// <summary>
/// A speech-to-text engine. Takes 16 kHz mono PCM and the live vocabulary (the embedded engine searches a grammar built
/// from it; free-text engines ignore it). Throws <see cref="SpeechRecognitionException"/> with a message fit for the
/// channel when it cannot answer.
/// </summary>
public interface ISpeechRecognizer
{
    string Name { get; }

    ValueTask<SpeechTranscript> TranscribeAsync(ReadOnlyMemory<short> pcm, SpeechVocabulary vocabulary, CancellationToken cancellationToken);
}

/// <summary>The engine could not produce a transcript (unreachable, timed out, refused, not installed); the message says which.</summary>
public sealed class SpeechRecognitionException : Exception
{
    public SpeechRecognitionException(string message)
        : base(message)
    {
    }

    public SpeechRecognitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SpeechRecognitionException()
    {
    }
}
