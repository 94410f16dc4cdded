using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Audio;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Core.Speech.Recognition;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Discord.Voice;
using DiscordLedgerBot.Hosting;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Sandbox;

/// <summary>
/// <c>bench speech-accuracy</c> and <c>bench speech-latency</c>: synthetic speech (espeak-ng voices and speeds, sox pink
/// noise mixed to a target SNR) through the embedded engine. Accuracy prints WER, command accuracy (kind, item, status,
/// person and date all right), out-of-grammar prompts and the real-time factor; latency runs the composed sandbox bot
/// and times end of utterance → confirmation prompt in the emulated voice channel.
/// </summary>
internal static class SpeechBench
{
    private static readonly string[] Voices = ["en-us", "en", "en-us+m3", "en+f2", "en-us+f4", "en+m7"];
    private static readonly int[] Speeds = [140, 170, 200];
    // Latency is timed on the one espeak voice the engine hears reliably: with the other voices at 170/200 wpm it often
    // misses the wake phrase (or hears a whole request as "yes"), leaving nothing to time; that is the accuracy bench's finding.
    private static readonly int[] LatencySpeeds = [140, 160, 180];
    private static readonly DateOnly Today = new(2026, 11, 21);

    private static readonly string[] Titles = ["API hardening", "Renew the TLS certificate", "Quarterly budget review", "Customer onboarding flow", "Database migration", "Release notes", "Security audit", "Mobile login bug"];

    private static readonly string[] People = ["Ada Lovelace", "Grace Hopper", "Dana Scully"];

    private static readonly string[] Commands =
    [
        "hey ledger move the api hardening task to blocked waiting on security review",
        "hey ledger what is the status of the database migration",
        "hey ledger who owns the security audit",
        "hey ledger what is overdue",
        "hey ledger what is blocked",
        "hey ledger assign the release notes to grace",
        "hey ledger move it to in progress",
        "hey ledger mark the mobile login bug as done",
        "hey ledger renew the tls certificate is due friday",
        "hey ledger set the due date of the quarterly budget review to monday",
        "hey ledger give customer onboarding flow to dana scully",
        "hey ledger which tool for code edit",
        "hey ledger create a task prepare the budget report for ada due tomorrow",
        "hey ledger add a note to the security audit saying waiting for the vendor",
        "hey ledger escalate the database migration",
        "hey ledger who is working on it",
        "hey ledger make it due next week",
        "yes",
        "no",
        "hey ledger status of the release notes",
    ];

    private static readonly string[] Chatter =
    [
        "hello how are you today", "did you see the game last night", "i think we should order lunch", "can you hear me now",
        "the weather is nice outside", "let me share my screen", "sorry i was on mute", "we will talk about it tomorrow",
        "that sounds good to me", "i need another coffee", "the build is green again", "my internet is slow",
    ];

    /// <summary>What the whisper row needs: accuracy of a random-weight model would mean nothing, so no default model exists.</summary>
    public const string WhisperNeedsModel = "whisper: not measured here; give a real ggml whisper model: bench speech-accuracy --engine whisper --model PATH (e.g. ggml-base.en.bin from whisper.cpp's releases).";

    public static async Task<int> AccuracyAsync(CliContext context, bool json, bool detail, string engine, string? model, CancellationToken cancellationToken)
    {
        var misses = new List<(string Condition, int Command, string Voice, int Speed, string Heard)>();
        var vocabulary = SpeechVocabulary.From(Titles, People, ["code-edit", "test-run", "git-flow"]);
        var parser = new IntentParser(vocabulary);
        var recognizer = Recognizer(engine, model);
        using var disposable = recognizer as IDisposable;
        using var synthesis = new Synthesis();
        var reports = new List<object>();
        foreach (var snr in new double?[] { null, 16, 6 })
        {
            int words = 0, errors = 0, right = 0, total = 0;
            double audio = 0, elapsed = 0;
            for (var c = 0; c < Commands.Length; c++)
            {
                for (var v = 0; v < Voices.Length; v++)
                {
                    var pcm = synthesis.Say(Commands[c], Voices[v], Speeds[(c + v) % Speeds.Length], snr);
                    var heard = await recognizer.TranscribeAsync(pcm, vocabulary, cancellationToken);
                    var reference = SpokenText.Words(Commands[c]);
                    words += reference.Count;
                    errors += EditDistance(reference, SpokenText.Words(heard.Text));
                    total++;
                    if (Same(parser.Parse(Commands[c], Today, "hey ledger"), parser.Parse(heard.Text, Today, "hey ledger")))
                    {
                        right++;
                    }
                    else
                    {
                        misses.Add((snr is null ? "clean" : $"{snr} dB", c, Voices[v], Speeds[(c + v) % Speeds.Length], heard.Text));
                    }

                    audio += pcm.Length / (double)SpokenUtterance.SampleRate;
                    elapsed += heard.Elapsed.TotalSeconds;
                }
            }

            // Out-of-grammar speech is forced onto some command: what matters is how often it would raise a prompt
            // (wake phrase heard and a request parsed). No write happens without the speaker's yes, so unconfirmed writes stay 0.
            var prompts = 0;
            foreach (var (sentence, i) in Chatter.Select((s, i) => (s, i)))
            {
                var heard = await recognizer.TranscribeAsync(synthesis.Say(sentence, Voices[i % Voices.Length], Speeds[i % Speeds.Length], snr), vocabulary, cancellationToken);
                var parsed = parser.Parse(heard.Text, Today, "hey ledger");
                prompts += parsed.WakeHeard && parsed.Intent is { IsWrite: true } ? 1 : 0;
                if (detail)
                {
                    await context.Output.WriteLineAsync($"  out-of-grammar \"{sentence}\" → \"{heard.Text}\"{(parsed.WakeHeard && parsed.Intent is { IsWrite: true } ? " (prompt)" : string.Empty)}");
                }
            }

            var condition = snr is null ? "clean" : $"pink noise {snr} dB SNR";
            reports.Add(new { engine = recognizer.Name, condition, utterances = total, wer = (double)errors / words, commandAccuracy = (double)right / total, outOfGrammar = Chatter.Length, outOfGrammarPrompts = prompts, unconfirmedWrites = 0, realTimeFactor = elapsed / audio });
            if (!json)
            {
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{recognizer.Name,-12} {condition,-22} {total} utterances  WER {100.0 * errors / words:0.0}%  command accuracy {100.0 * right / total:0.0}%  out-of-grammar prompts {prompts}/{Chatter.Length} (unconfirmed writes 0)  RTF {elapsed / audio:0.000}"));
            }
        }

        if (json)
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(reports, CliServices.Json));
        }
        else if (engine != SpeechOptions.WhisperEngine)
        {
            await context.Output.WriteLineAsync(WhisperNeedsModel);
        }

        if (detail)
        {
            await PrintMissesAsync(context.Output, misses);
        }

        return 0;
    }

    /// <summary>Every misrecognised command, then the misses by voice, speed and command: where the errors come from.</summary>
    private static async Task PrintMissesAsync(TextWriter output, List<(string Condition, int Command, string Voice, int Speed, string Heard)> misses)
    {
        foreach (var miss in misses)
        {
            await output.WriteLineAsync($"  miss [{miss.Condition}] {miss.Voice}@{miss.Speed} \"{Commands[miss.Command]}\" → \"{miss.Heard}\"");
        }

        var conditions = new[] { "clean", "16 dB", "6 dB" };
        async Task TableAsync<TKey>(string title, IEnumerable<TKey> keys, Func<(string Condition, int Command, string Voice, int Speed, string Heard), TKey> key, Func<TKey, int> perCondition, Func<TKey, string> label)
        {
            await output.WriteLineAsync($"misses by {title} (of {string.Join(" / ", conditions)}):");
            foreach (var k in keys)
            {
                var counts = conditions.Select(condition => misses.Count(m => m.Condition == condition && EqualityComparer<TKey>.Default.Equals(key(m), k)));
                await output.WriteLineAsync($"  {label(k),-75} {string.Join(" / ", counts.Select(n => $"{n}/{perCondition(k)}"))}");
            }
        }

        await TableAsync("voice", Voices, m => m.Voice, _ => Commands.Length, v => v);
        await TableAsync("speed", Speeds, m => m.Speed, s => Commands.Length * Voices.Length / Speeds.Length, s => $"{s} wpm");
        await TableAsync("command", Enumerable.Range(0, Commands.Length), m => m.Command, _ => Voices.Length, c => Commands[c]);
    }

    private static ISpeechRecognizer Recognizer(string engine, string? model)
    {
        switch (engine)
        {
            case SpeechOptions.PocketSphinxEngine:
                return new PocketSphinxRecognizer(Options.Create(new SpeechOptions()), TimeProvider.System);
            case SpeechOptions.WhisperEngine:
                var options = new SpeechOptions { Engine = SpeechOptions.WhisperEngine, Whisper = { ModelPath = model } };
                if (model is null)
                {
                    throw new CliUsageException(WhisperNeedsModel);
                }

                return options.Problems().FirstOrDefault() is { } problem
                    ? throw new CliUsageException(problem)
                    : new Slices.Speech.WhisperSpeechRecognizer(Options.Create(options), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Slices.Speech.WhisperSpeechRecognizer>.Instance);
            default:
                throw new CliUsageException($"--engine must be {SpeechOptions.PocketSphinxEngine} or {SpeechOptions.WhisperEngine} (the http engine sends audio to a server: measure it with speech transcribe).");
        }
    }

    /// <summary>
    /// The composed sandbox bot, timed from the end of an utterance to its confirmation prompt being visible in the
    /// emulated voice channel. <paramref name="viaVoice"/> false: each utterance is handed whole to the utterance sink, so
    /// its end is the moment it is handed over (what the voice receiver does once it has cut an utterance). True: a
    /// member plays it into the emulated voice channel in real time (Opus, DAVE, UDP) and the clock starts when the last
    /// voiced 20 ms frame has gone out, so the receiver's cutting delay is counted. Every prompt is cancelled by its
    /// speaker's click before the next utterance, as a person would answer it; every utterance's fate is printed.
    /// </summary>
    public static async Task<int> LatencyAsync(CliContext context, bool json, int count, bool viaVoice, CancellationToken cancellationToken)
    {
        using var synthesis = new Synthesis();
        var dataDirectory = Directory.CreateTempSubdirectory("dlb-speech-bench-").FullName;
        var sandbox = new SandboxHost(builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        var port = FreePort();
        var app = await BotHost.BuildAsync([$"--Sandbox:DataDirectory={dataDirectory}", $"--urls=http://127.0.0.1:{port}"], sandbox, cancellationToken);
        await app.StartAsync(cancellationToken);
        try
        {
            await context.Error.WriteLineAsync("sandbox bot started; creating the board's items");
            foreach (var title in Titles)
            {
                // Through the operator verb, as `./run.sh --sandbox ledger create` does: the running bot records and confirms it.
                var created = await CliApplication.RunAsync(["ledger", "create", "--title", title], CliCommands.All, (_, _) => throw new InvalidOperationException("Verbs only."), TextWriter.Null, context.Error, cancellationToken, SandboxHost.PublishedConfiguration(dataDirectory));
                if (created != 0)
                {
                    return created;
                }
            }

            var index = app.Services.GetRequiredService<Slices.Ledger.LedgerItemIndex>();
            await index.WarmAsync(cancellationToken);
            await context.Error.WriteLineAsync($"board: {index.Count} item(s)");
            var discord = sandbox.Environment.Discord;
            var channel = EmulatedGuild.Ids.Voice;
            var speaker = EmulatedGuild.Ids.Member;
            if (viaVoice)
            {
                await JoinVoiceAsync(app.Services, discord, cancellationToken);
            }

            var sink = app.Services.GetRequiredService<IUtteranceSink>();
            var latencies = new List<double>();
            var fates = new List<(int Index, string Said, string Fate)>();
            for (var i = 0; i < count + 1; i++)
            {
                var said = $"hey ledger move the {Titles[i % Titles.Length].ToLowerInvariant()} to in progress";
                var pcm = synthesis.Say(said, "en-us", LatencySpeeds[i % LatencySpeeds.Length], null);

                // Discord allows a bot 5 messages per 5 s in a channel; one prompt a second stays under it, so no prompt
                // waits for the REST rate limiter (the cancel clicks are interaction callbacks, outside that bucket).
                await Task.Delay(TimeSpan.FromMilliseconds(1100), TimeProvider.System, cancellationToken);
                var before = discord.MessagesIn(channel).Count;
                var ended = viaVoice
                    ? await PlayAsync(discord, speaker, pcm)
                    : await HandAsync(sink, $"bench{i}", channel, speaker, pcm, cancellationToken);
                EmulatedMessage? reply = null;
                while ((reply = discord.MessagesIn(channel).Skip(before).FirstOrDefault()) is null && Stopwatch.GetElapsedTime(ended) < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System, cancellationToken);
                }

                var ms = Stopwatch.GetElapsedTime(ended).TotalMilliseconds;
                var cancel = reply is null ? null : Buttons(reply.Message).FirstOrDefault(b => b.StartsWith(Slices.Speech.SpeechActions.No, StringComparison.Ordinal));
                if (cancel is not null)
                {
                    await discord.InjectInteractionAsync(EmulatedInteractions.ComponentInteraction(cancel, channelId: channel, userId: speaker));
                }

                var fate = reply is null
                    ? "no reply within 10 s: " + await HeardAsync(app.Services, pcm, cancellationToken)
                    : cancel is null ? "answered without a prompt: " + Content(reply.Message) : string.Create(CultureInfo.InvariantCulture, $"prompt after {ms:0} ms");
                fates.Add((i, said, fate));
                if (cancel is null)
                {
                    continue;
                }

                // The first utterance loads the dictionary and builds the grammar: reported apart, not in the percentiles.
                if (i == 0)
                {
                    await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"first utterance (cold: dictionary + grammar): {ms:0} ms"));
                }
                else
                {
                    latencies.Add(ms);
                }
            }

            var measured = fates.Skip(1).ToList();
            var prompted = latencies.Count;
            var misheard = measured.Count(f => f.Fate.StartsWith("answered", StringComparison.Ordinal));
            var silent = measured.Count(f => f.Fate.StartsWith("no reply", StringComparison.Ordinal));
            latencies.Sort();
            // No prompt at all leaves nothing to time: the percentiles are then absent (JSON null), not NaN.
            double? P(double q) => latencies.Count == 0 ? null : latencies[(int)Math.Clamp(Math.Ceiling(q * latencies.Count) - 1, 0, latencies.Count - 1)];
            var path = viaVoice ? "voice channel (end of speech, receiver's cut counted)" : "utterance sink (end of utterance)";
            if (json)
            {
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(new { path, utterances = measured.Count, prompted, answeredWithoutPrompt = misheard, noReply = silent, p50Milliseconds = P(0.5), p95Milliseconds = P(0.95), maxMilliseconds = latencies.LastOrDefault(), cores = Environment.ProcessorCount, fates = measured.Select(f => new { f.Index, f.Said, f.Fate }) }, CliServices.Json));
            }
            else
            {
                foreach (var (i, said, fate) in measured.Where(f => !f.Fate.StartsWith("prompt", StringComparison.Ordinal)))
                {
                    await context.Output.WriteLineAsync($"  #{i} “{said}” → {fate}");
                }

                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{path} → confirmation prompt, {Environment.ProcessorCount} cores: {measured.Count} spoken writes, {prompted} prompted, {misheard} answered without a prompt (misrecognised), {silent} without reply; p50 {P(0.5):0} ms  p95 {P(0.95):0} ms  max {latencies.LastOrDefault():0} ms"));
            }

            return prompted > 0 ? 0 : 1;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            await sandbox.DisposeAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>As the voice receiver hands over a cut utterance: whole, at its end. Returns the end's timestamp.</summary>
    private static async Task<long> HandAsync(IUtteranceSink sink, string id, string channel, string speaker, short[] pcm, CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetUtcNow();
        var ended = Stopwatch.GetTimestamp();
        await sink.AcceptAsync(new SpokenUtterance(id, EmulatedGuild.Ids.Guild, channel, speaker, UtteranceOrigin.VoiceChannel, now - TimeSpan.FromSeconds(pcm.Length / (double)SpokenUtterance.SampleRate), now, pcm), cancellationToken);
        return ended;
    }

    /// <summary>The member says it in the voice channel, one 20 ms frame every 20 ms. Returns when the last voiced frame went out.</summary>
    private static async Task<long> PlayAsync(DiscordEmulator discord, string speaker, short[] pcm)
    {
        var clip = VoiceClip.FromMono(pcm, SpokenUtterance.SampleRate);
        var lastVoiced = Array.FindLastIndex(clip.Stereo48k, s => Math.Abs((int)s) > 64) / 2 / VoiceClip.FrameSamples;
        long ended = 0;
        await discord.Voice.PlayAsync(ulong.Parse(EmulatedGuild.Ids.Voice, CultureInfo.InvariantCulture), ulong.Parse(speaker, CultureInfo.InvariantCulture), clip, new VoicePlayOptions
        {
            Pacing = TimeSpan.FromMilliseconds(20),
            BeforeFrame = frame =>
            {
                if (frame == lastVoiced + 1)
                {
                    ended = Stopwatch.GetTimestamp();
                }

                return Task.CompletedTask;
            },
        });
        return ended;
    }

    /// <summary>The member and a colleague are in the voice channel; the member asks the bot in with /voice join.</summary>
    private static async Task JoinVoiceAsync(IServiceProvider services, DiscordEmulator discord, CancellationToken cancellationToken)
    {
        var guild = ulong.Parse(EmulatedGuild.Ids.Guild, CultureInfo.InvariantCulture);
        var channel = ulong.Parse(EmulatedGuild.Ids.Voice, CultureInfo.InvariantCulture);
        var member = ulong.Parse(EmulatedGuild.Ids.Member, CultureInfo.InvariantCulture);
        await discord.Voice.AddMemberAsync(channel, member);
        await discord.Voice.AddMemberAsync(channel, ulong.Parse(EmulatedGuild.Ids.Moderator, CultureInfo.InvariantCulture));
        var directory = services.GetRequiredService<Slices.Voice.VoiceGuildDirectory>();
        var started = Stopwatch.GetTimestamp();
        while (directory.VoiceChannelOf(guild, member) != channel)
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException("The bot never saw the member join the voice channel.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System, cancellationToken);
        }

        var join = EmulatedInteractions.SlashCommand("voice", userId: EmulatedGuild.Ids.Member);
        join["data"]!["options"] = new JsonArray(new JsonObject { ["name"] = "join", ["type"] = 1, ["options"] = new JsonArray() });
        await discord.InjectInteractionAsync(join);
        var bot = ulong.Parse(discord.Options.BotUserId, CultureInfo.InvariantCulture);
        await discord.Voice.Call(channel).Transitions.WaitForAsync(t => t.Members.Contains(bot), TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>
    /// Off the clock: what the engine makes of an utterance that got no reply (a wake phrase it did not hear?). For
    /// --voice this is the clean clip, not the audio the receiver cut, so it can differ from what the bot heard.
    /// </summary>
    private static async Task<string> HeardAsync(IServiceProvider services, short[] pcm, CancellationToken cancellationToken)
    {
        var heard = await services.GetRequiredService<ISpeechRecognizer>().TranscribeAsync(pcm, services.GetRequiredService<Slices.Speech.SpeechVocabularySource>().Current(), cancellationToken);
        return $"heard “{heard.Text}”";
    }

    private static string Content(JsonObject message) => message["content"]?.GetValue<string>() ?? string.Empty;

    private static IEnumerable<string> Buttons(JsonObject message) =>
        message["components"] is JsonArray rows ? rows.OfType<JsonObject>().SelectMany(r => r["components"]!.AsArray().OfType<JsonObject>()).Select(b => b["custom_id"]!.GetValue<string>()) : [];

    private static bool Same(ParsedUtterance expected, ParsedUtterance heard) =>
        expected.Intent is { } e && heard.Intent is { } h && e.Kind == h.Kind && e.Item == h.Item && e.Status == h.Status && e.Person == h.Person && e.Due == h.Due && e.Workflow == h.Workflow;

    private static int EditDistance(IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis)
    {
        var row = Enumerable.Range(0, hypothesis.Count + 1).ToArray();
        for (var i = 1; i <= reference.Count; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= hypothesis.Count; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1));
                previous = current;
            }
        }

        return row[hypothesis.Count];
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>espeak-ng speech, optionally with sox pink noise at an SNR, as 16 kHz mono with digital silence around it.</summary>
    private sealed class Synthesis : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("dlb-speech-synth-").FullName;

        public short[] Say(string text, string voice, int wordsPerMinute, double? snrDb)
        {
            var wav = Path.Combine(_directory, "say.wav");
            Run("espeak-ng", ["-v", voice, "-s", wordsPerMinute.ToString(CultureInfo.InvariantCulture), "-w", wav, text]);
            var speech = WavFile.Read(wav);
            var padded = new short[speech.Length + 8000];
            speech.CopyTo(padded, 3200);
            if (snrDb is not { } snr)
            {
                return padded;
            }

            // Repeatable noise (-R: sox's fixed seed) so two runs of the bench differ only by what was changed.
            var raw = Path.Combine(_directory, "noise.raw");
            Run("sox", ["-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", raw, "synth", ((padded.Length / 16000.0) + 0.1).ToString("0.00", CultureInfo.InvariantCulture), "pinknoise"]);
            var bytes = File.ReadAllBytes(raw);
            var noise = new short[bytes.Length / 2];
            Buffer.BlockCopy(bytes, 0, noise, 0, noise.Length * 2);
            var speechPower = speech.Select(s => (double)s * s).Average();
            var noisePower = noise.Select(s => (double)s * s).Average();
            var scale = Math.Sqrt(speechPower / (noisePower * Math.Pow(10, snr / 10)));
            return [.. padded.Select((s, i) => (short)Math.Clamp(s + (noise[i % noise.Length] * scale), short.MinValue, short.MaxValue))];
        }

        private static void Run(string program, IReadOnlyList<string> arguments)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start: install espeak-ng and sox.");
            var error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {error}");
            }
        }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
