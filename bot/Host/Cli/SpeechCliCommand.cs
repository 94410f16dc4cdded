using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Audio;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Core.Speech.Recognition;
using DiscordLedgerBot.Registry;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Shared;
using DiscordLedgerBot.Slices.Speech;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Cli;

/// <summary>
/// <c>bot speech transcribe FILE.wav…</c>: recognition and intent parsing on recordings, against the current board (real
/// or the sandbox's), without a voice channel. The files are treated as one speaker's conversation, so "it" in a later
/// file refers to the item an earlier one named. Nothing is written to the ledger.
/// </summary>
public sealed class SpeechCliCommand : ICliCommand
{
    public string Verb => "speech";

    public string Summary => "Transcribe WAV recordings and show the request each one parses to against the current board";

    public string Usage => """
        usage: bot speech transcribe FILE.wav [FILE.wav …] [--engine pocketsphinx|http|whisper] [--json]
          Prints, per file, what the engine heard and the parsed request (kind, item, status, owner, due …) resolved
          against the board's items, linked people and registry workflows. Files are one speaker's conversation: "it" in
          a later file means the item an earlier file named. 16-bit PCM WAV, any rate or channel count. Read only.
          --engine defaults to Speech:Engine; give the engine's settings too when the configuration selects another
          (--Speech:Http:BaseUrl=… for http, --Speech:Whisper:ModelPath=ggml-base.en.bin for whisper).
        exit codes: 0 every file transcribed, 1 a file could not be read or recognised, 2 usage or configuration error
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || args[0] != "transcribe")
        {
            throw new CliUsageException("Missing subcommand: transcribe.");
        }

        var options = CliArguments.Parse([.. args.Skip(1)], ["engine"], ["json"]);
        var files = options.Positionals;
        if (files.Count == 0)
        {
            throw new CliUsageException("Name at least one WAV file.");
        }

        foreach (var file in files.Where(f => !File.Exists(f)))
        {
            throw new CliUsageException($"No such file: {file}");
        }

        await using var services = CliServices.Open(context);
        services.RequireBoard();
        var index = services.Get<LedgerItemIndex>();
        await index.WarmAsync(cancellationToken);
        if (!services.HandsOffToBot)
        {
            // Linked people and the registry live in the store; while the bot holds it, they are not in the vocabulary
            // (names and workflows are then heard as free words).
            await services.Get<OwnerDirectory>().LoadAsync(cancellationToken);
            await RegistryBootstrap.InitializeAsync(services.Get<CapabilityRegistry>(), services.Get<IRegistryStore>(), services.Get<IOptions<RegistryOptions>>().Value, cancellationToken);
        }

        var settings = services.Get<IOptions<SpeechOptions>>().Value;
        ISpeechRecognizer recognizer;
        try
        {
            recognizer = SpeechComposition.CreateRecognizer(services.Services, options.Value("engine"));
        }
        catch (SpeechRecognitionException unknown)
        {
            throw new CliUsageException(unknown.Message);
        }

        using var disposable = recognizer as IDisposable;
        var vocabulary = services.Get<SpeechVocabularySource>().Current();
        var parser = new IntentParser(vocabulary);
        var today = DateOnly.FromDateTime(context.Time.GetUtcNow().UtcDateTime);
        var memory = new ConversationMemory(context.Time, TimeSpan.FromDays(1));
        var results = new List<object>();
        var failed = false;
        foreach (var file in files)
        {
            try
            {
                var pcm = WavFile.Read(file);
                var transcript = await recognizer.TranscribeAsync(pcm, vocabulary, cancellationToken);
                var parsed = parser.Parse(transcript.Text, today, settings.WakePhrase);
                var audio = TimeSpan.FromSeconds((double)pcm.Length / SpokenUtterance.SampleRate);
                var resolution = parsed.Intent?.Item is { } reference ? ItemResolver.Resolve(reference, index.All, memory.Recall("cli", "cli")) : null;
                if (resolution?.Entry is { } entry)
                {
                    memory.Remember("cli", "cli", [entry.Key]);
                }

                var result = new TranscriptionResult(file, recognizer.Name, transcript.Text, parsed.WakeHeard, audio.TotalSeconds, transcript.Elapsed.TotalMilliseconds,
                    audio > TimeSpan.Zero ? transcript.Elapsed / audio : 0, parsed.Intent is { } intent ? IntentView.Of(intent, resolution) : null);
                results.Add(result);
                if (!options.Has("json"))
                {
                    await context.Output.WriteLineAsync(Describe(result));
                }
            }
            catch (Exception e) when (e is InvalidDataException or SpeechRecognitionException or IOException)
            {
                failed = true;
                results.Add(new { file, error = e.Message });
                await context.Error.WriteLineAsync($"{file}: {e.Message}");
            }
        }

        if (options.Has("json"))
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(results, CliServices.Json));
        }

        return failed ? 1 : 0;
    }

    private static string Describe(TranscriptionResult result)
    {
        var lines = new List<string> { $"{result.File}: “{result.Transcript}” ({result.Engine}, {result.AudioSeconds:0.0} s audio, RTF {result.RealTimeFactor:0.000}{(result.WakeHeard ? ", wake phrase heard" : string.Empty)})" };
        if (result.Intent is not { } intent)
        {
            lines.Add("  intent: none (not a request)");
            return string.Join(Environment.NewLine, lines);
        }

        var fields = new List<string> { $"intent: {intent.Kind}{(intent.Write ? " (write, needs confirmation)" : " (read)")}" };
        if (intent.Item is { } item)
        {
            fields.Add(item.Key is not null ? $"item: {item.Title} [{item.Key}]" : item.Problem is not null ? $"item: “{item.Spoken}” — {item.Problem}" : $"item: “{item.Spoken}” — ambiguous: {string.Join(" | ", item.Candidates)}");
        }

        AddIf(fields, "status", intent.Status);
        AddIf(fields, "reason", intent.Reason);
        AddIf(fields, "owner", intent.Person);
        AddIf(fields, "due", intent.Due is null ? null : $"{intent.Due} ({intent.DueSpoken})");
        AddIf(fields, "words", intent.Words);
        AddIf(fields, "workflow", intent.Workflow);
        lines.Add("  " + string.Join("  ", fields));
        return string.Join(Environment.NewLine, lines);
    }

    private static void AddIf(List<string> fields, string name, string? value)
    {
        if (value is not null)
        {
            fields.Add($"{name}: {value}");
        }
    }

    private sealed record TranscriptionResult(string File, string Engine, string Transcript, bool WakeHeard, double AudioSeconds, double ElapsedMilliseconds, double RealTimeFactor, IntentView? Intent);

    private sealed record ItemView(string Spoken, string? Key, string? Title, IReadOnlyList<string> Candidates, string? Problem);

    private sealed record IntentView(string Kind, bool Write, ItemView? Item, string? Status, string? Reason, string? Person, string? Due, string? DueSpoken, string? Words, string? Workflow)
    {
        public static IntentView Of(SpeechIntent intent, ItemResolution? resolution) => new(
            SpeechIntent.WireName(intent.Kind),
            intent.IsWrite,
            intent.Item is { } item
                ? new ItemView(item.Spoken, resolution?.Entry?.Key.Value, resolution?.Entry?.Title, resolution is { Entry: null } ? [.. resolution.Candidates.Select(c => c.Title)] : [], resolution?.Problem)
                : null,
            intent.Status?.ToWireName(),
            intent.Reason,
            intent.Person,
            intent.Due?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            intent.DueSpoken,
            intent.Words,
            intent.Workflow);
    }
}
