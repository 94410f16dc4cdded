using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Core.Speech.Recognition;
using DiscordLedgerBot.Hosting;
using DiscordLedgerBot.Slices.Speech;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// <c>Speech:Engine=whisper</c> without a real model: the test kit's tiny ggml model with seeded random weights loads in
/// whisper.cpp through Whisper.net's native runtime and transcribes to some text. What it says is meaningless; that it
/// loads, answers, cancels and recovers is what these prove. Accuracy needs a real model (docs/operations/speech.md).
/// </summary>
public sealed class WhisperEngineTests
{
    private static readonly Lazy<string> Model = new(() => TinyWhisperModel.Write());

    [Fact]
    public void The_model_path_is_required_and_must_be_a_ggml_whisper_model_at_start()
    {
        var directory = Directory.CreateTempSubdirectory("dlb-whisper-bad-").FullName;
        var text = Path.Combine(directory, "notes.txt");
        File.WriteAllText(text, "not a model at all, but long enough to hold a whole header of forty-eight bytes");
        var gguf = Path.Combine(directory, "model.gguf");
        File.WriteAllBytes(gguf, [.. "GGUF"u8, .. new byte[60]]);
        var llama = Path.Combine(directory, "llama.bin");
        File.WriteAllBytes(llama, [.. BitConverter.GetBytes(WhisperModelFile.GgmlMagic), .. Enumerable.Range(0, 11).SelectMany(i => BitConverter.GetBytes(i == 0 ? 32000 : 4096))]);

        Assert.Contains("Speech:Whisper:ModelPath must name a ggml whisper model file when Speech:Engine is whisper", Problem(null), StringComparison.Ordinal);
        Assert.Contains("Speech__Whisper__ModelPath", Problem(null), StringComparison.Ordinal);
        Assert.Equal($"Speech:Whisper:ModelPath {directory}/missing.bin does not exist.", Problem(Path.Combine(directory, "missing.bin")));
        Assert.Equal($"Speech:Whisper:ModelPath {directory} is a directory, not a model file.", Problem(directory));
        Assert.Equal($"Speech:Whisper:ModelPath {text} is not a ggml whisper model (it does not start with the ggml magic 0x67676d6c).", Problem(text));
        Assert.Equal($"Speech:Whisper:ModelPath {gguf} is a GGUF file; whisper.cpp loads whisper models in the ggml format (ggml-*.bin).", Problem(gguf));
        Assert.Equal($"Speech:Whisper:ModelPath {llama} is a ggml file but not a whisper model (vocabulary 32000, 4096 mel bands).", Problem(llama));
        Assert.Null(Problem(Model.Value));

        var bad = Failures(new() { ["Speech:Whisper:ModelPath"] = Model.Value, ["Speech:Whisper:Language"] = "English", ["Speech:Whisper:MaxConcurrent"] = "0", ["Speech:Whisper:Threads"] = "-1" });
        Assert.Contains(bad, f => f.StartsWith("Speech:Whisper:Language must be a lower-case language code", StringComparison.Ordinal));
        Assert.Contains(bad, f => f.StartsWith("Speech:Whisper:MaxConcurrent must be between 1 and 16", StringComparison.Ordinal));
        Assert.Contains(bad, f => f.StartsWith("Speech:Whisper:Threads must be between 0", StringComparison.Ordinal));

        // Another engine does not need a model.
        Assert.Empty(new SpeechOptions { Engine = SpeechOptions.PocketSphinxEngine }.Problems());
        Assert.Contains(new SpeechOptions { Engine = "vosk" }.Problems(), p => p == "Speech:Engine must be pocketsphinx, http or whisper (got 'vosk').");

        static string? Problem(string? path) => Failures(new() { ["Speech:Whisper:ModelPath"] = path }).SingleOrDefault();
    }

    [Fact]
    public void The_prompt_spells_the_boards_items_people_and_statuses_and_stays_within_budget()
    {
        var vocabulary = SpeechVocabulary.From(["API hardening", "Renew the TLS certificate"], ["Dana Scully"], ["code-edit"]);
        var prompt = WhisperSpeechRecognizer.Prompt(vocabulary, "hey ledger");
        Assert.Equal("Items: api hardening, renew the tls certificate, code edit. People: Dana, Dana Scully. Statuses: requested, in progress, blocked, done. Hey Ledger, move the first item to blocked waiting on review.", prompt);

        var crowded = SpeechVocabulary.From(Enumerable.Range(0, 500).Select(i => $"item number {i} of the big board"), ["Dana Scully"], []);
        var cut = WhisperSpeechRecognizer.Prompt(crowded, string.Empty);
        Assert.InRange(cut.Length, 400, WhisperSpeechRecognizer.PromptBudget);
        Assert.EndsWith("Statuses: requested, in progress, blocked, done. Move the first item to blocked waiting on review.", cut, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_engine_loads_a_ggml_model_transcribes_cancels_and_recovers()
    {
        await using var provider = Compose(new() { ["Speech:Whisper:ModelPath"] = Model.Value, ["Speech:Whisper:MaxConcurrent"] = "1" });
        var recognizer = Assert.IsType<WhisperSpeechRecognizer>(provider.GetRequiredService<ISpeechRecognizer>());
        var vocabulary = SpeechVocabulary.From(["Release notes"], ["Dana Scully"], []);
        var speech = SyntheticSpeech.Say("hey ledger what is blocked");

        var heard = await recognizer.TranscribeAsync(speech, vocabulary, CancellationToken.None);
        Assert.Equal("whisper", heard.Engine);
        Assert.NotNull(heard.Text);
        Assert.DoesNotContain("[", heard.Text, StringComparison.Ordinal);

        // Garbage in, some text out: whatever it is, the parser reads it without throwing and nothing is written here.
        _ = new IntentParser(vocabulary).Parse(heard.Text, new DateOnly(2026, 12, 3), "hey ledger");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await recognizer.TranscribeAsync(speech, vocabulary, new CancellationToken(canceled: true)));

        // Cancelled while whisper.cpp is running: the caller gets OperationCanceledException; the only slot is taken
        // until whisper.cpp stops, and then the next utterance runs on a fresh processor.
        using var cancel = new CancellationTokenSource();
        var running = recognizer.TranscribeAsync(speech, vocabulary, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        var again = await recognizer.TranscribeAsync(speech, SpeechVocabulary.From(["Security audit"], [], []), CancellationToken.None);
        Assert.Equal("whisper", again.Engine);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_model_that_whisper_cpp_cannot_load_is_a_recognition_failure_with_its_reason()
    {
        var truncated = Path.Combine(Directory.CreateTempSubdirectory("dlb-whisper-cut-").FullName, "ggml-truncated.bin");
        using (var source = File.OpenRead(Model.Value))
        using (var target = File.Create(truncated))
        {
            var half = new byte[source.Length / 2];
            source.ReadExactly(half);
            target.Write(half);
        }

        await using var provider = Compose(new() { ["Speech:Whisper:ModelPath"] = truncated });
        var recognizer = provider.GetRequiredService<ISpeechRecognizer>();
        var failed = await Assert.ThrowsAsync<SpeechRecognitionException>(async () => await recognizer.TranscribeAsync(new short[16000], new SpeechVocabulary(), CancellationToken.None));
        Assert.StartsWith("The whisper model ggml-truncated.bin could not be loaded (", failed.Message, StringComparison.Ordinal);
    }

    private static IReadOnlyList<string> Failures(Dictionary<string, string?> settings)
    {
        using var provider = Compose(settings);
        return LedgerBotComposition.ValidateOptions(provider, [typeof(SpeechOptions)]);
    }

    private static ServiceProvider Compose(Dictionary<string, string?> settings)
    {
        settings["Speech:Engine"] = "whisper";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLedgerBot(configuration, LedgerBotRole.Cli);
        return services.BuildServiceProvider();
    }
}
