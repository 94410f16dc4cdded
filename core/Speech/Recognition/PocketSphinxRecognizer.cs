using System.Collections.Concurrent;
using DiscordLedgerBot.Core.Speech.Intents;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Speech.Recognition;

/// <summary>
/// The default engine: pocketsphinx, embedded and offline, searching the grammar generated from the live ledger
/// (<see cref="SpeechGrammar"/>). One decoder per concurrent utterance, pooled; when the vocabulary changed since a
/// decoder's last utterance it is replaced by one on the new grammar. Words missing from the dictionary get configured
/// phones or are spelled letter by letter, so a new item title never stops the grammar from loading. The grammar never rejects
/// out-of-grammar speech (it forces it onto the closest command): callers confirm every write.
/// </summary>
public sealed class PocketSphinxRecognizer : ISpeechRecognizer, IDisposable
{
    public const int DitherAmplitude = 8;

    private static readonly IReadOnlyDictionary<char, string> LetterPhones = new Dictionary<char, string>
    {
        ['a'] = "EY", ['b'] = "B IY", ['c'] = "S IY", ['d'] = "D IY", ['e'] = "IY", ['f'] = "EH F", ['g'] = "JH IY",
        ['h'] = "EY CH", ['i'] = "AY", ['j'] = "JH EY", ['k'] = "K EY", ['l'] = "EH L", ['m'] = "EH M", ['n'] = "EH N",
        ['o'] = "OW", ['p'] = "P IY", ['q'] = "K Y UW", ['r'] = "AA R", ['s'] = "EH S", ['t'] = "T IY", ['u'] = "Y UW",
        ['v'] = "V IY", ['w'] = "D AH B AH L Y UW", ['x'] = "EH K S", ['y'] = "W AY", ['z'] = "Z IY",
    };

    private static readonly Lock NativeInit = new();
    private static bool _logSilenced;

    private readonly PocketSphinxOptions _options;
    private readonly string _wakePhrase;
    private readonly TimeProvider _time;
    private readonly ConcurrentBag<Decoder> _idle = [];
    private readonly SemaphoreSlim _slots;
    private readonly Lazy<Dictionary<string, List<string>>> _dictionary;
    private readonly Lock _grammarLock = new();
    private GrammarFiles? _grammar;
    private GrammarFiles? _retired;
    private bool _disposed;

    public PocketSphinxRecognizer(IOptions<SpeechOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.PocketSphinx;
        _wakePhrase = options.Value.WakePhrase;
        _time = time;
        _slots = new SemaphoreSlim(Math.Max(1, _options.MaxDecoders));
        _dictionary = new Lazy<Dictionary<string, List<string>>>(LoadDictionary);
    }

    public string Name => SpeechOptions.PocketSphinxEngine;

    /// <summary>True when the libraries and models are installed (Debian libpocketsphinx3, pocketsphinx-en-us).</summary>
    public static bool IsInstalled(PocketSphinxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Directory.Exists(options.AcousticModel) && File.Exists(options.Dictionary)
            && System.Runtime.InteropServices.NativeLibrary.TryLoad("libpocketsphinx.so.3", out _);
    }

    public async ValueTask<SpeechTranscript> TranscribeAsync(ReadOnlyMemory<short> pcm, SpeechVocabulary vocabulary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(() => Decode(pcm, vocabulary), cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    private SpeechTranscript Decode(ReadOnlyMemory<short> pcm, SpeechVocabulary vocabulary)
    {
        var started = _time.GetTimestamp();
        var grammar = GrammarFor(vocabulary);
        var decoder = _idle.TryTake(out var idle) && idle.Grammar == grammar ? idle : Replace(idle, grammar);
        try
        {
            var samples = Dither(pcm.Span);
            Check(PocketSphinxNative.ps_start_utt(decoder.Handle), "start an utterance");
            Check(PocketSphinxNative.ps_process_raw(decoder.Handle, samples, (nuint)samples.Length, 0, 1), "process audio");
            Check(PocketSphinxNative.ps_end_utt(decoder.Handle), "end the utterance");
            var hypothesis = PocketSphinxNative.ps_get_hyp(decoder.Handle, out _);
            var text = hypothesis == IntPtr.Zero ? string.Empty : System.Runtime.InteropServices.Marshal.PtrToStringUTF8(hypothesis) ?? string.Empty;
            _idle.Add(decoder);
            decoder = null;
            return new SpeechTranscript(text.Trim(), Name, _time.GetElapsedTime(started));
        }
        finally
        {
            // A decoder that failed mid-utterance is not reused.
            decoder?.Dispose();
        }
    }

    private Decoder Replace(Decoder? stale, GrammarFiles grammar)
    {
        stale?.Dispose();
        return CreateDecoder(grammar);
    }

    /// <summary>
    /// The grammar and a dictionary of exactly its words, written once per vocabulary. A decoder with a small dictionary
    /// starts in milliseconds, so a changed board gets fresh decoders instead of words added to live ones (adding words
    /// to a running decoder crashed the library when the grammar was reloaded).
    /// </summary>
    private GrammarFiles GrammarFor(SpeechVocabulary vocabulary)
    {
        var fingerprint = vocabulary.Fingerprint();
        lock (_grammarLock)
        {
            if (_grammar?.Fingerprint == fingerprint)
            {
                return _grammar;
            }

            var dictionary = new System.Text.StringBuilder();
            foreach (var word in SpeechGrammar.Words(vocabulary, _wakePhrase).Order(StringComparer.Ordinal))
            {
                if (_dictionary.Value.TryGetValue(word, out var pronunciations))
                {
                    for (var i = 0; i < pronunciations.Count; i++)
                    {
                        dictionary.Append(i == 0 ? word : $"{word}({i + 1})").Append(' ').AppendLine(pronunciations[i]);
                    }
                }
                else if (PhonesFor(word, _options.Pronunciations) is { Length: > 0 } phones)
                {
                    dictionary.Append(word).Append(' ').AppendLine(phones);
                }
            }

            var directory = Directory.CreateTempSubdirectory("dlb-grammar-").FullName;
            var files = new GrammarFiles(fingerprint, Path.Combine(directory, "ledger.gram"), Path.Combine(directory, "ledger.dict"));
            File.WriteAllText(files.Grammar, SpeechGrammar.ToJsgf(vocabulary, _wakePhrase));
            File.WriteAllText(files.Dictionary, dictionary.ToString());
            // Decoders load their files when created; the generation before the previous one can no longer be in use.
            if (_retired is { } retired)
            {
                Directory.Delete(Path.GetDirectoryName(retired.Grammar)!, recursive: true);
            }

            _retired = _grammar;
            _grammar = files;
            return files;
        }
    }

    /// <summary>
    /// ±8 LSB triangular dither: exact digital silence (Discord sends it between words) wrecks the acoustic model's
    /// normalisation; noise at about −72 dBFS fixes it. Seeded, so a recording always decodes the same way.
    /// </summary>
    public static short[] Dither(ReadOnlySpan<short> pcm)
    {
        var random = new Random(17);
        var result = new short[pcm.Length];
        for (var i = 0; i < pcm.Length; i++)
        {
            var noise = (int)Math.Round((random.NextDouble() + random.NextDouble() - 1) * DitherAmplitude);
            result[i] = (short)Math.Clamp(pcm[i] + noise, short.MinValue, short.MaxValue);
        }

        return result;
    }

    /// <summary>Phones for a word the dictionary lacks: the configured ones, else the word spelled letter by letter.</summary>
    public static string PhonesFor(string word, IReadOnlyDictionary<string, string> configured)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(configured);
        return configured.TryGetValue(word, out var phones)
            ? phones
            : string.Join(' ', word.Where(LetterPhones.ContainsKey).Select(c => LetterPhones[c]));
    }

    private Decoder CreateDecoder(GrammarFiles grammar)
    {
        lock (NativeInit)
        {
            if (!IsInstalled(_options))
            {
                throw new SpeechRecognitionException($"The embedded speech engine is not installed: it needs the Debian packages libpocketsphinx3 and pocketsphinx-en-us ({_options.AcousticModel}, {_options.Dictionary}).");
            }

            if (!_logSilenced)
            {
                // The library logs every utterance to stderr; the process-wide log goes nowhere instead.
                PocketSphinxNative.err_set_logfp(IntPtr.Zero);
                _logSilenced = true;
            }

            // Beams wider than the library's defaults: with its defaults an in-grammar request now and then ended with every
            // path pruned ("final result does not match the grammar") and an empty transcript.
            string[] argv = ["-hmm", _options.AcousticModel, "-dict", grammar.Dictionary, "-jsgf", grammar.Grammar, "-logfn", "/dev/null", "-beam", "1e-80", "-pbeam", "1e-80", "-wbeam", "1e-60", "-wip", _options.WordInsertionProbability.ToString("R", System.Globalization.CultureInfo.InvariantCulture)];
            var config = PocketSphinxNative.cmd_ln_parse_r(IntPtr.Zero, PocketSphinxNative.ps_args(), argv.Length, argv, 1);
            if (config == IntPtr.Zero)
            {
                throw new SpeechRecognitionException("The embedded speech engine refused its configuration (check Speech:PocketSphinx:AcousticModel and Dictionary).");
            }

            var handle = PocketSphinxNative.ps_init(config);
            PocketSphinxNative.cmd_ln_free_r(config);
            return handle == IntPtr.Zero
                ? throw new SpeechRecognitionException("The embedded speech engine could not load its acoustic model or the ledger grammar.")
                : new Decoder(handle, grammar);
        }
    }

    private Dictionary<string, List<string>> LoadDictionary()
    {
        var words = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(_options.Dictionary))
        {
            var space = line.IndexOfAny([' ', '\t']);
            if (space <= 0)
            {
                continue;
            }

            var head = line[..space];
            var word = head.IndexOf('(', StringComparison.Ordinal) is var paren and > 0 ? head[..paren] : head;
            if (!words.TryGetValue(word, out var pronunciations))
            {
                words[word] = pronunciations = [];
            }

            pronunciations.Add(line[space..].Trim());
        }

        return words;
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new SpeechRecognitionException($"The embedded speech engine could not {what}.");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        while (_idle.TryTake(out var decoder))
        {
            decoder.Dispose();
        }

        _slots.Dispose();
        foreach (var files in new[] { _grammar, _retired }.OfType<GrammarFiles>())
        {
            Directory.Delete(Path.GetDirectoryName(files.Grammar)!, recursive: true);
        }
    }

    private sealed record GrammarFiles(string Fingerprint, string Grammar, string Dictionary);

    private sealed class Decoder(IntPtr handle, GrammarFiles grammar) : IDisposable
    {
        public IntPtr Handle { get; } = handle;

        public GrammarFiles Grammar { get; } = grammar;

        public void Dispose() => PocketSphinxNative.ps_free(Handle);
    }
}
