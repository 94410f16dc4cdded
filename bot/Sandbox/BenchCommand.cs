using DiscordLedgerBot.Cli;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Sync;
using DiscordLedgerBot.Emulators.Monday;
using DiscordLedgerBot.Hosting;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Sandbox;

/// <summary>
/// <c>bot bench ledger-burst</c>: a write burst through the ledger facade against an in-process monday emulator,
/// optionally with the sync poller beside it and a 429 storm; <c>bot bench sync-poll</c>: what polling a large board costs.
/// </summary>
public sealed class BenchCommand : ICliCommand
{
    public string Verb => "bench";

    public string Summary => "Measure the ledger under load (in-process monday emulator)";

    public string Usage => """
        usage: bot bench ledger-burst [--writes N] [--budget POINTS] [--poll] [--storm RATIO] [--real-time] [--json]
               bot bench sync-poll [--items N] [--change-ratio R] [--polls N] [--json]
               bot bench speech-accuracy [--engine pocketsphinx|whisper] [--model PATH] [--detail] [--json]
               bot bench speech-latency [--writes N] [--voice] [--json]
          ledger-burst: starts a monday emulator on 127.0.0.1 with a POINTS/minute complexity budget (default 1000000),
          provisions a ledger board, sends N creates (default 1000) through the ledger facade in one batch call, and
          reports items created, lost, duplicated, 429s, writes per HTTP request, the share of each budget window the
          run used (all windows but the last, whose size is set by the work left) and elapsed time. --poll runs the sync
          poller every 60 s beside the burst (it shares the budget; writes keep priority); --storm answers that share of
          requests (0..1) with 429 COMPLEXITY_BUDGET_EXHAUSTED / MINUTE_RATE_LIMIT_EXCEEDED hinting 5 s, and the
          emulator counts any request sent before a hint allowed it. By default idle waits run on a virtual clock (the
          budget still resets once per virtual minute); --real-time waits for real (about ten minutes at the defaults).
          speech-accuracy: 20 commands × 6 espeak-ng voices at 140/170/200 wpm, clean and with sox pink noise at 16 and
          6 dB SNR, through the embedded engine: WER, command accuracy, prompts raised by 12 out-of-grammar sentences,
          real-time factor (needs espeak-ng, sox, libpocketsphinx3, pocketsphinx-en-us). --engine whisper measures
          Whisper.net on the ggml model --model names (required: no model ships with the bot). --detail lists every
          miss and the misses by voice, speed and command.
          speech-latency: the composed sandbox bot; N spoken writes (default 40) handed whole to the utterance sink (as
          the voice receiver hands a cut utterance), or with --voice played by a member into the emulated voice channel
          in real time, timed from the end of the utterance (--voice: of the speech, so the receiver's cut is counted)
          to the confirmation prompt in the channel: p50, p95, max, and every utterance that got no prompt and why.
          sync-poll: a board of N items (default 5000); before each of N polls (default 5) 60 virtual seconds pass and a
          share R (default 0.01) of the items is edited on monday; reports complexity points and requests per poll and
          the share of monday's 10,000,000-points minute budget one poll uses.
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = CliArguments.Parse(args, ["writes", "budget", "storm", "items", "change-ratio", "polls", "engine", "model"], ["real-time", "json", "poll", "voice", "detail"]);
        if (options.Positionals is ["sync-poll"])
        {
            return await RunSyncPollAsync(context, options, cancellationToken);
        }

        if (options.Positionals is ["speech-accuracy"])
        {
            return await SpeechBench.AccuracyAsync(context, options.Has("json"), options.Has("detail"), options.Value("engine") ?? Core.Speech.SpeechOptions.PocketSphinxEngine, options.Value("model"), cancellationToken);
        }

        if (options.Positionals is ["speech-latency"])
        {
            var utterances = options.Int("writes") ?? 40;
            if (utterances is < 1 or > 500)
            {
                throw new CliUsageException("--writes must be 1..500 spoken writes.");
            }

            return await SpeechBench.LatencyAsync(context, options.Has("json"), utterances, options.Has("voice"), cancellationToken);
        }

        if (options.Positionals is not ["ledger-burst"])
        {
            throw new CliUsageException("Give the benchmark to run: ledger-burst, sync-poll, speech-accuracy or speech-latency.");
        }

        var storm = Ratio(options, "storm", 0);

        var writes = options.Int("writes") ?? 1000;
        var budget = options.Int("budget") ?? 1_000_000;
        if (writes is < 1 or > 9_000)
        {
            throw new CliUsageException("--writes must be 1..9000 (the board holds 10,000 items).");
        }

        if (budget < 100_000)
        {
            throw new CliUsageException("--budget must be at least 100000 points per minute.");
        }

        var report = await RunBurstAsync(writes, budget, options.Has("real-time"), options.Has("poll"), storm, cancellationToken);
        if (options.Has("json"))
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(report, CliServices.Json));
        }
        else
        {
            await context.Output.WriteLineAsync($"ledger-burst: {writes} creates, budget {budget:N0} points/min, {(report.VirtualClock ? "virtual" : "real")} clock");
            await context.Output.WriteLineAsync($"  items created                      {report.ItemsCreated}");
            await context.Output.WriteLineAsync($"  lost                               {report.Lost}");
            await context.Output.WriteLineAsync($"  duplicated                         {report.Duplicated}");
            await context.Output.WriteLineAsync($"  429 after first budget reading     {report.RateLimitedAfterFirstReading} (storm answered {report.StormRateLimited})");
            await context.Output.WriteLineAsync($"  requests before a 429's hint       {report.RequestsBeforeHint}");
            await context.Output.WriteLineAsync($"  write requests                     {report.WriteRequests}");
            await context.Output.WriteLineAsync($"  writes per HTTP request            {report.WritesPerRequest.ToString("0.0", CultureInfo.InvariantCulture)}");
            await context.Output.WriteLineAsync($"  budget windows                     {report.Windows}");
            await context.Output.WriteLineAsync($"  budget used per window             {Percent(report.BudgetUsedPerWindow)} of {budget:N0} points (all windows but the last; min {Percent(report.MinWindowUse)})");
            await context.Output.WriteLineAsync($"  points written / read              {report.PointsWritten:N0} / {report.PointsRead:N0}");
            await context.Output.WriteLineAsync($"  polls (deferred to writes)         {report.Polls} ({report.PollsDeferred})");
            await context.Output.WriteLineAsync($"  pacing waits                       {report.PacingWaits}");
            await context.Output.WriteLineAsync($"  elapsed (monday's clock)           {report.ClockElapsed:mm\\:ss\\.f}");
            await context.Output.WriteLineAsync($"  elapsed (wall)                     {report.WallElapsed:mm\\:ss\\.f}");
        }

        return report.Lost == 0 && report.Duplicated == 0 && report.RequestsBeforeHint == 0 && (storm > 0 || report.RateLimitedAfterFirstReading == 0) ? 0 : 1;
    }

    private static string Percent(double ratio) => ratio.ToString("0.0%", CultureInfo.InvariantCulture);

    private static double Ratio(CliArguments options, string name, double fallback)
    {
        if (options.Value(name) is not { } text)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1
            ? ratio
            : throw new CliUsageException($"--{name} must be a number from 0 to 1.");
    }

    /// <summary>
    /// The CLI role composed like every other entry point against the emulator at <paramref name="mondayApi"/>; only the
    /// clock and a request counter around monday's transport (<see cref="InFlightTransport"/>) differ.
    /// </summary>
    private static ServiceProvider ComposeAgainst(Uri mondayApi, TimeProvider time)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Monday:Token"] = "bench-token",
            ["Monday:ApiUrl"] = mondayApi.ToString(),
            ["Monday:AttemptTimeout"] = "00:10:00",
            ["Storage:Backend"] = "memory",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(time);
        services.AddLogging();
        services.AddLedgerBot(configuration, LedgerBotRole.Cli);
        var composedTransport = services.Last(d => d.ServiceType == typeof(IMondayTransport));
        services.AddSingleton(sp => new InFlightTransport((IMondayTransport)composedTransport.ImplementationFactory!(sp)));
        services.AddSingleton<IMondayTransport>(sp => sp.GetRequiredService<InFlightTransport>());
        return services.BuildServiceProvider();
    }

    private static async Task<BurstReport> RunBurstAsync(int writes, int budget, bool realTime, bool poll, double storm, CancellationToken cancellationToken)
    {
        var virtualClock = realTime ? null : new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        TimeProvider time = virtualClock ?? TimeProvider.System;
        await using var emulator = await MondayEmulator.StartAsync(
            new MondayEmulatorOptions { Port = 0, TimeProvider = time, EnableControlApi = false, RateLimits = { ComplexityPerMinute = budget } },
            cancellationToken);
        await using var provider = ComposeAgainst(emulator.ApiUrl, time);
        var transport = provider.GetRequiredService<InFlightTransport>();
        var client = provider.GetRequiredService<MondayClient>();

        using var stopDriving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var driver = virtualClock is null ? Task.CompletedTask : BenchClockDriver.DriveAsync(virtualClock, () => transport.InFlight == 0, stopDriving.Token);
        try
        {
            var board = await new LedgerBoardProvisioner(client).CreateAsync("Bench ledger", Guid.NewGuid().ToString("N"), cancellationToken);
            // The board exists only now; the ledger reads its options when first resolved, just below.
            provider.GetRequiredService<IOptions<MondayOptions>>().Value.BoardId = board.BoardId;
            var ledger = provider.GetRequiredService<MondayLedger>();
            var commands = Enumerable.Range(0, writes)
                .Select(i => (LedgerCommand)new CreateLedgerEntry($"bench-{i}", LedgerKey.Parse($"cli:bench-{i}"), $"Bench item {i}", LedgerSource.Cli))
                .ToList();

            var writeRequestsBefore = transport.Writes;
            var clockStart = time.GetUtcNow();
            var wall = Stopwatch.StartNew();
            var windowsFrom = transport.WindowCount;
            if (storm > 0)
            {
                emulator.Faults.SetRateLimitStorm(storm, seed: 15, retryInSeconds: 5);
            }

            using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sync = provider.GetRequiredService<LedgerSync>();
            var polls = 0;
            var pollsDeferred = 0;
            var poller = !poll ? Task.CompletedTask : Task.Run(
                async () =>
                {
                    try
                    {
                        while (true)
                        {
                            await Task.Delay(TimeSpan.FromSeconds(60), time, stopPolling.Token);
                            var result = await sync.PollAsync(stopPolling.Token);
                            polls++;
                            pollsDeferred += result.Deferred ? 1 : 0;
                        }
                    }
                    catch (OperationCanceledException) when (stopPolling.IsCancellationRequested)
                    {
                        // The burst is over.
                    }
                },
                CancellationToken.None);
            var results = await ledger.ExecuteBatchAsync(commands, cancellationToken);
            wall.Stop();
            var clockElapsed = time.GetUtcNow() - clockStart;
            await stopPolling.CancelAsync();
            await poller;
            emulator.Faults.Clear();
            var windows = transport.WindowsSince(windowsFrom);
            var full = windows.Count > 1 ? windows.Take(windows.Count - 1).ToList() : windows;

            var expected = commands.Select(c => c.Key.Value).ToHashSet(StringComparer.Ordinal);
            var stored = emulator.Items(long.Parse(board.BoardId, CultureInfo.InvariantCulture))
                .Select(StoredKey)
                .Where(k => k is not null && expected.Contains(k))
                .ToList();
            var distinct = stored.Distinct(StringComparer.Ordinal).Count();
            var writeRequests = transport.Writes - writeRequestsBefore;
            return new BurstReport(
                writes,
                budget,
                virtualClock is not null,
                ItemsCreated: stored.Count,
                Lost: writes - distinct,
                Duplicated: stored.Count - distinct,
                Rejected: results.Count(r => r is not LedgerApplied),
                RateLimitedAfterFirstReading: client.Statistics.RateLimitedAfterFirstReading,
                EmulatorRateLimited: emulator.Stats.RateLimited,
                StormRateLimited: emulator.Stats.FaultsInjected,
                RequestsBeforeHint: emulator.Stats.RequestsBeforeHint,
                WriteRequests: writeRequests,
                WritesPerRequest: writeRequests == 0 ? 0 : (double)writes / writeRequests,
                Windows: windows.Count,
                BudgetUsedPerWindow: full.Count == 0 ? 0 : full.Average() / budget,
                MinWindowUse: full.Count == 0 ? 0 : (double)full.Min() / budget,
                PointsWritten: client.Statistics.PointsWritten,
                PointsRead: client.Statistics.PointsRead,
                Polls: polls,
                PollsDeferred: pollsDeferred,
                PacingWaits: client.Statistics.PacingWaits,
                ClockElapsed: clockElapsed,
                WallElapsed: wall.Elapsed);
        }
        finally
        {
            await stopDriving.CancelAsync();
            await driver;
        }
    }

    private static async Task<int> RunSyncPollAsync(CliContext context, CliArguments options, CancellationToken cancellationToken)
    {
        var items = options.Int("items") ?? 5_000;
        var changeRatio = Ratio(options, "change-ratio", 0.01);
        var polls = options.Int("polls") ?? 5;
        if (items is < 1 or > 9_000 || polls is < 1 or > 100)
        {
            throw new CliUsageException("--items must be 1..9000 and --polls 1..100.");
        }

        var report = await RunSyncPollAsync(items, changeRatio, polls, cancellationToken);
        if (options.Has("json"))
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(report, CliServices.Json));
            return report.MissedChanges == 0 ? 0 : 1;
        }

        await context.Output.WriteLineAsync($"sync-poll: {items} items, {changeRatio:0.##%} edited on monday before each of {polls} polls, 60 s apart, budget {report.BudgetPerMinute:N0} points/min");
        await context.Output.WriteLineAsync($"  complexity points per poll         {report.PointsPerPoll:N0}");
        await context.Output.WriteLineAsync($"  requests per poll                  {report.RequestsPerPoll:0.##}");
        await context.Output.WriteLineAsync($"  share of the minute budget         {report.BudgetShare.ToString("0.000%", CultureInfo.InvariantCulture)}");
        await context.Output.WriteLineAsync($"  changes seen / edits made          {report.ChangesSeen} / {report.EditsMade}");
        return report.MissedChanges == 0 ? 0 : 1;
    }

    private static async Task<SyncPollReport> RunSyncPollAsync(int itemCount, double changeRatio, int polls, CancellationToken cancellationToken)
    {
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var options = new MondayEmulatorOptions { Port = 0, TimeProvider = clock, EnableControlApi = false };
        await using var emulator = await MondayEmulator.StartAsync(options, cancellationToken);
        await using var provider = ComposeAgainst(emulator.ApiUrl, clock);
        var transport = provider.GetRequiredService<InFlightTransport>();
        var client = provider.GetRequiredService<MondayClient>();
        using var stopDriving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var driver = BenchClockDriver.DriveAsync(clock, () => transport.InFlight == 0, stopDriving.Token);
        try
        {
            var board = await new LedgerBoardProvisioner(client).CreateAsync("Poll bench ledger", Guid.NewGuid().ToString("N"), cancellationToken);
            provider.GetRequiredService<IOptions<MondayOptions>>().Value.BoardId = board.BoardId;
            var ledger = provider.GetRequiredService<MondayLedger>();
            await ledger.ExecuteBatchAsync(
                [.. Enumerable.Range(0, itemCount).Select(i => (LedgerCommand)new CreateLedgerEntry($"poll-{i}", LedgerKey.Parse($"cli:poll-{i}"), $"Poll item {i}", LedgerSource.Cli))],
                cancellationToken);
            var ids = emulator.Items(long.Parse(board.BoardId, CultureInfo.InvariantCulture)).Select(i => i.Id).ToList();
            var sync = provider.GetRequiredService<LedgerSync>();
            await provider.GetRequiredService<DiscordLedgerBot.Slices.Ledger.LedgerItemIndex>().WarmAsync(cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(60), clock, cancellationToken);
            await sync.PollAsync(cancellationToken); // the first poll after start sets the watermark

            var perPoll = Math.Max(1, (int)Math.Round(ids.Count * changeRatio));
            long points = 0;
            long requests = 0;
            var changesSeen = 0;
            for (var poll = 0; poll < polls; poll++)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), clock, cancellationToken);
                for (var i = 0; i < perPoll; i++)
                {
                    var id = ids[((poll * perPoll) + i) * 7919 % ids.Count];
                    emulator.EditItem(id, new JsonObject { ["name"] = $"Poll item {id} edit {poll}" });
                }

                await Task.Delay(TimeSpan.FromSeconds(30), clock, cancellationToken);
                var pointsBefore = client.Statistics.PointsRead;
                var result = await sync.PollAsync(cancellationToken);
                points += client.Statistics.PointsRead - pointsBefore;
                requests += result.Requests;
                changesSeen += result.Changes;
            }

            var budget = options.RateLimits.ComplexityPerMinute;
            var pointsPerPoll = (double)points / polls;
            return new SyncPollReport(itemCount, polls, perPoll * polls, changesSeen, Math.Max(0, (perPoll * polls) - changesSeen), pointsPerPoll, (double)requests / polls, budget, pointsPerPoll / budget);
        }
        finally
        {
            await stopDriving.CancelAsync();
            await driver;
        }
    }

    private sealed record SyncPollReport(
        int Items, int Polls, int EditsMade, int ChangesSeen, int MissedChanges, double PointsPerPoll, double RequestsPerPoll, int BudgetPerMinute, double BudgetShare);

    private static string? StoredKey(MondayItemSnapshot item) =>
        item.ColumnValues.TryGetValue(LedgerBoardSchema.KeyColumn, out var stored)
            ? JsonNode.Parse(stored) switch
            {
                JsonValue value when value.TryGetValue<string>(out var text) => text,
                JsonObject obj => (obj["text"] ?? obj["value"])?.GetValue<string>(),
                _ => null,
            }
            : null;

    private sealed record BurstReport(
        int Writes,
        int BudgetPerMinute,
        bool VirtualClock,
        int ItemsCreated,
        int Lost,
        int Duplicated,
        int Rejected,
        long RateLimitedAfterFirstReading,
        long EmulatorRateLimited,
        long StormRateLimited,
        long RequestsBeforeHint,
        long WriteRequests,
        double WritesPerRequest,
        int Windows,
        double BudgetUsedPerWindow,
        double MinWindowUse,
        long PointsWritten,
        long PointsRead,
        int Polls,
        int PollsDeferred,
        long PacingWaits,
        TimeSpan ClockElapsed,
        TimeSpan WallElapsed);

    /// <summary>
    /// Counts requests in flight (the virtual clock only jumps when none is) and write requests, and adds up the points
    /// monday charged per budget window (a new window: a reading whose <c>before</c> is above the last <c>after</c>).
    /// </summary>
    private sealed class InFlightTransport(IMondayTransport inner) : IMondayTransport
    {
        private readonly List<long> _windows = [];
        private long _inFlight;
        private long _writes;
        private long _lastAfter = -1;

        public long InFlight => Interlocked.Read(ref _inFlight);

        public long Writes => Interlocked.Read(ref _writes);

        public int WindowCount
        {
            get
            {
                lock (_windows)
                {
                    return _windows.Count;
                }
            }
        }

        /// <summary>Points spent in each window from the <paramref name="from"/>th on (the window running then included).</summary>
        public List<long> WindowsSince(int from)
        {
            lock (_windows)
            {
                return [.. _windows.Skip(Math.Max(0, from - 1))];
            }
        }

        private void Record(MondayRawResponse raw)
        {
            if (MondayResponse.Parse(raw) is not { Complexity: { } reading, Replayed: false })
            {
                return;
            }

            lock (_windows)
            {
                if (_windows.Count == 0 || reading.Before > _lastAfter)
                {
                    _windows.Add(0);
                }

                _windows[^1] += reading.Query;
                _lastAfter = reading.After;
            }
        }

        public async Task<MondayRawResponse> SendAsync(MondayRequest request, CancellationToken cancellationToken)
        {
            if (request.IdempotencyKey is not null)
            {
                Interlocked.Increment(ref _writes);
            }

            Interlocked.Increment(ref _inFlight);
            try
            {
                var raw = await inner.SendAsync(request, cancellationToken);
                Record(raw);
                return raw;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
