using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Core.Speech.Recognition;
using Microsoft.Extensions.Options;
using Whisper.net;
using Whisper.net.Logger;

namespace DiscordLedgerBot.Slices.Speech;

/// <summary>
/// whisper.cpp in process (Whisper.net) on the operator's ggml model: free English for the intent parser, like the http
/// engine, without audio leaving the machine. One <see cref="WhisperFactory"/> (the model, loaded once on first use) and a
/// bounded pool of processors, one per concurrent utterance (<c>Speech:Whisper:MaxConcurrent</c>). Each processor is built
/// with an initial prompt naming the live board's items, people and statuses so names come out spelled as the board
/// spells them; when the vocabulary changes, idle processors on the old prompt are replaced.
/// </summary>
public sealed partial class WhisperSpeechRecognizer : ISpeechRecognizer, IDisposable, IAsyncDisposable
{
    /// <summary>whisper.cpp keeps only the last ~224 prompt tokens; beyond this many characters the item list is cut.</summary>
    public const int PromptBudget = 600;

    private readonly WhisperOptions _options;
    private readonly string _wakePhrase;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentQueue<Pooled> _idle = new();
    private readonly ConcurrentDictionary<Task, byte> _retiring = new();
    private readonly Lock _loadLock = new();
    private readonly IDisposable _nativeLog;
    private WhisperFactory? _factory;
    private bool _disposed;

    public WhisperSpeechRecognizer(IOptions<SpeechOptions> options, TimeProvider time, ILogger<WhisperSpeechRecognizer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.Whisper;
        _wakePhrase = options.Value.WakePhrase;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.MaxConcurrent);

        // Whisper.net hands whisper.cpp's log to its LogProvider: the warnings and errors (why a model was refused) belong in ours.
        _nativeLog = LogProvider.AddLogger(Forward);
    }

    public string Name => SpeechOptions.WhisperEngine;

    public async ValueTask<SpeechTranscript> TranscribeAsync(ReadOnlyMemory<short> pcm, SpeechVocabulary vocabulary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var started = _time.GetTimestamp();
        var samples = new float[pcm.Length];
        var source = pcm.Span;
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = source[i] / 32768f;
        }

        var prompt = Prompt(vocabulary, _wakePhrase);
        await _slots.WaitAsync(cancellationToken);
        var holdsSlot = true;
        Pooled? processor = null;
        try
        {
            processor = await TakeAsync(prompt);
            var text = new StringBuilder();
            await foreach (var segment in processor.Processor.ProcessAsync(samples, cancellationToken))
            {
                text.Append(segment.Text);
            }

            _idle.Enqueue(processor);
            processor = null;
            return new SpeechTranscript(Clean(text.ToString()), Name, _time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (processor is not null)
        {
            // whisper.cpp stops at its next abort check, not at once: the slot stays taken until it has.
            Retire(processor, releaseSlot: true);
            processor = null;
            holdsSlot = false;
            throw;
        }
        catch (WhisperProcessingException failed)
        {
            throw new SpeechRecognitionException($"whisper.cpp failed on this utterance ({failed.Message}).", failed);
        }
        finally
        {
            if (processor is not null)
            {
                Retire(processor, releaseSlot: false);
            }

            if (holdsSlot)
            {
                _slots.Release();
            }
        }
    }

    /// <summary>
    /// The initial prompt: the board's words in the board's spelling, items first because whisper.cpp drops the start of
    /// a long prompt, then people, statuses and a request in the shape the parser reads.
    /// </summary>
    public static string Prompt(SpeechVocabulary vocabulary, string wakePhrase)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var tail = new List<string>();
        if (vocabulary.People.Count > 0)
        {
            tail.Add($"People: {string.Join(", ", vocabulary.People.Select(Capitalised))}.");
        }

        tail.Add($"Statuses: {string.Join(", ", SpeechPhrases.Statuses.Keys)}.");
        const string Example = "move the first item to blocked waiting on review.";
        tail.Add(string.IsNullOrWhiteSpace(wakePhrase) ? char.ToUpperInvariant(Example[0]) + Example[1..] : $"{Capitalised(wakePhrase.Trim())}, {Example}");

        var room = PromptBudget - tail.Sum(part => part.Length + 1);
        var items = new List<string>();
        foreach (var title in vocabulary.Titles.Concat(vocabulary.Workflows))
        {
            room -= title.Length + 2;
            if (room < "Items: .".Length)
            {
                break;
            }

            items.Add(title);
        }

        return string.Join(' ', (items.Count > 0 ? [$"Items: {string.Join(", ", items)}."] : Array.Empty<string>()).Concat(tail));
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Native runs still finishing a cancelled utterance use the model: it is freed only after them.
        await Task.WhenAll(_retiring.Keys);
        while (_idle.TryDequeue(out var pooled))
        {
            await pooled.Processor.DisposeAsync();
        }

        _factory?.Dispose();
        _nativeLog.Dispose();
        _slots.Dispose();
    }

    private async ValueTask<Pooled> TakeAsync(string prompt)
    {
        while (_idle.TryDequeue(out var pooled))
        {
            if (pooled.Prompt == prompt)
            {
                return pooled;
            }

            await pooled.Processor.DisposeAsync();
        }

        var builder = Factory().CreateBuilder()
            .WithLanguage(_options.Language)
            .WithThreads(_options.EffectiveThreads(Environment.ProcessorCount))
            .WithNoContext();
        if (prompt.Length > 0)
        {
            builder = builder.WithPrompt(prompt);
        }

        return new Pooled(prompt, builder.Build());
    }

    private WhisperFactory Factory()
    {
        lock (_loadLock)
        {
            if (_factory is not null)
            {
                return _factory;
            }

            var path = _options.ModelPath;
            if (WhisperModelFile.Problem(path) is { } problem)
            {
                throw new SpeechRecognitionException(problem);
            }

            try
            {
                var factory = WhisperFactory.FromPath(path!);
                try
                {
                    // whisper.cpp's refusal (null context) surfaces only when a builder is asked for.
                    _ = factory.CreateBuilder();
                }
                catch (WhisperModelLoadException)
                {
                    factory.Dispose();
                    throw;
                }

                LogModelLoaded(_logger, path!, WhisperFactory.GetRuntimeInfo() ?? "unknown runtime");
                return _factory = factory;
            }
            catch (Exception e) when (e is WhisperModelLoadException or PlatformNotSupportedException or FileNotFoundException or DllNotFoundException or InvalidOperationException)
            {
                throw new SpeechRecognitionException($"The whisper model {Path.GetFileName(path)} could not be loaded ({e.Message}).", e);
            }
        }
    }

    private void Retire(Pooled processor, bool releaseSlot)
    {
        var retiring = RetireAsync(processor, releaseSlot);
        _retiring.TryAdd(retiring, 0);
        _ = retiring.ContinueWith(done => _retiring.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RetireAsync(Pooled processor, bool releaseSlot)
    {
        try
        {
            // Waits for the native run to stop before the processor's buffers are released.
            await processor.Processor.DisposeAsync();
        }
        finally
        {
            if (releaseSlot)
            {
                _slots.Release();
            }
        }
    }

    private void Forward(WhisperLogLevel level, string? message)
    {
        if (level is WhisperLogLevel.Error or WhisperLogLevel.Warning && !string.IsNullOrWhiteSpace(message))
        {
            LogNative(_logger, message.Trim());
        }
    }

    /// <summary>Segments joined, without whisper's non-speech annotations ("[BLANK_AUDIO]", "(music)").</summary>
    private static string Clean(string text) => Whitespace().Replace(Annotation().Replace(text, " "), " ").Trim();

    private static string Capitalised(string words) =>
        string.Join(' ', words.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    [GeneratedRegex(@"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*")]
    private static partial Regex Annotation();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [LoggerMessage(EventId = 8810, Level = LogLevel.Information, Message = "Whisper model {ModelPath} loaded ({Runtime})")]
    private static partial void LogModelLoaded(ILogger logger, string modelPath, string runtime);

    [LoggerMessage(EventId = 8811, Level = LogLevel.Warning, Message = "whisper.cpp: {Message}")]
    private static partial void LogNative(ILogger logger, string message);

    private sealed record Pooled(string Prompt, WhisperProcessor Processor);
}
