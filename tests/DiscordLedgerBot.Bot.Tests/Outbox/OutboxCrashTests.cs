using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Emulators.Monday;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Outbox;

/// <summary>
/// The must-show: 1,000 commands through real `bot ingest` processes that are SIGKILLed mid-drain several times while
/// monday (the emulator, a real HTTP server) throttles and fails 10 % of requests. After restart and drain the board
/// must hold exactly one item per command and the outbox must have confirmed every command — on the file store and
/// on Redis alike.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class OutboxCrashTests(ITestOutputHelper output)
{
    private const int Commands = 1_000;
    private const int Kills = 4;
    private const string Prefix = "crash";
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Kill9DuringDrainNeverDuplicatesOrLosesACommandOnFileAndRedis()
    {
        var file = await RunScenarioAsync("file", redis: null, seed: 1701);
        RedisServer redis = await RedisServer.StartAsync();
        CrashOutcome onRedis;
        await using (redis)
        {
            onRedis = await RunScenarioAsync("redis", redis, seed: 4242);
        }

        output.WriteLine($"parity: {file.Summary} | {onRedis.Summary}");
        foreach (var outcome in new[] { file, onRedis })
        {
            Assert.Equal(Commands, outcome.ItemsOnBoard);
            Assert.Equal(0, outcome.Duplicates);
            Assert.Equal(Commands, outcome.DistinctKeys);
            Assert.Equal(Commands, outcome.Confirmed);
            Assert.Equal(0, outcome.Unfinished);
            Assert.True(outcome.KillsLanded >= Kills - 1, $"{outcome.Backend}: only {outcome.KillsLanded} kills hit a running drain");
            Assert.True(outcome.Reconciled > 0, $"{outcome.Backend}: no kill fell between monday executing a create and the outbox confirming it");
            Assert.True(outcome.Throttled > 0, $"{outcome.Backend}: monday never throttled");
            Assert.True(outcome.FaultsInjected > 0, $"{outcome.Backend}: no failure was injected");
        }

        Assert.Equal(file.Summary.Replace("file", string.Empty, StringComparison.Ordinal), onRedis.Summary.Replace("redis", string.Empty, StringComparison.Ordinal));
    }

    private async Task<CrashOutcome> RunScenarioAsync(string backend, RedisServer? redis, int seed)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        var workDirectory = Directory.CreateTempSubdirectory($"dlb-crash-{backend}-").FullName;
        await using var emulator = await MondayEmulator.StartAsync(new MondayEmulatorOptions
        {
            Port = 0,
            // Throttling: a short window whose complexity budget is far below what 1,000 creates need (the client must wait
            // for resets) and whose request cap is low enough that bursts (lookups + mutations) are rejected with 429.
            RateLimits = { Window = TimeSpan.FromSeconds(2), ComplexityPerMinute = 600_000, RequestsPerMinute = 3 },
        });
        try
        {
            var boardId = await ProvisionAsync(emulator);
            emulator.Faults.SetRandomFailureRatio(0.10, seed);
            var environment = Environment(backend, redis, emulator, boardId, workDirectory);

            using (var submit = await BotProcess.RunAsync(workDirectory, environment, ProcessTimeout, "ingest", "submit", "--count", Commands.ToString(CultureInfo.InvariantCulture), "--prefix", Prefix))
            {
                Assert.True(submit.ExitCode == 0, $"submit failed: {submit.Output}");
                Assert.Contains("recorded 1000 commands (1000 new", submit.Output, StringComparison.Ordinal);
            }

            // Kill points: seeded item counts spread over the run, so each kill lands while a drain is mid-flight.
            var killAt = Enumerable.Range(0, Kills).Select(i => (Commands * (i + 1) / (Kills + 1)) + random.Next(-60, 60)).ToList();
            var killsLanded = 0;
            var reconciled = 0;
            foreach (var threshold in killAt)
            {
                using var drain = BotProcess.Start(workDirectory, environment, "ingest", "drain");
                var reached = await WaitForItemsAsync(emulator, boardId, threshold, drain);
                drain.Kill();
                await drain.WaitForExitAsync(ProcessTimeout);
                killsLanded += reached ? 1 : 0;
                reconciled += ReconciledIn(drain.Output);
                output.WriteLine($"{backend}: kill -9 at {ItemsOnBoard(emulator, boardId)} items (target {threshold}, landed {reached}) after {clock.Elapsed.TotalSeconds:F1}s");
            }

            using (var final = await BotProcess.RunAsync(workDirectory, environment, ProcessTimeout, "ingest", "drain"))
            {
                Assert.True(final.ExitCode == 0, $"final drain failed ({final.ExitCode}): {final.Output}");
                reconciled += ReconciledIn(final.Output);
                output.WriteLine($"{backend}: {final.Output.Split('\n').Single(line => line.StartsWith("drained:", StringComparison.Ordinal)).Trim()}");
            }

            using var status = await BotProcess.RunAsync(workDirectory, environment, ProcessTimeout, "ingest", "status", "--json");
            Assert.True(status.ExitCode == 0, $"status failed: {status.Output}");
            var counts = JsonNode.Parse(status.Output[status.Output.IndexOf('{', StringComparison.Ordinal)..])!.AsObject();

            var keys = emulator.Items(long.Parse(boardId, CultureInfo.InvariantCulture)).Where(i => i.State == "active").Select(LedgerKeyOf).ToList();
            var distinct = keys.Where(k => k is not null).Distinct(StringComparer.Ordinal).Count();
            output.WriteLine($"{backend}: {reconciled} creates found on the board by ledger key after a kill and confirmed without a re-send");
            output.WriteLine($"{backend}: emulator requests {emulator.Stats.GraphQLRequests}, faults {emulator.Stats.FaultsInjected}, rate-limited {emulator.Stats.RateLimited}, items created {emulator.Stats.ItemsCreated}, in {clock.Elapsed.TotalSeconds:F1}s");
            return new CrashOutcome(
                backend,
                ItemsOnBoard: keys.Count,
                DistinctKeys: distinct,
                Duplicates: keys.Count - distinct,
                Confirmed: counts["confirmed"]!.GetValue<long>(),
                Unfinished: counts["pending"]!.GetValue<long>() + counts["sent"]!.GetValue<long>() + counts["failed"]!.GetValue<long>(),
                KillsLanded: killsLanded,
                Reconciled: reconciled,
                Throttled: emulator.Stats.RateLimited,
                FaultsInjected: emulator.Stats.FaultsInjected);
        }
        finally
        {
            try
            {
                Directory.Delete(workDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory left behind is harmless.
            }
        }
    }

    private static Dictionary<string, string> Environment(string backend, RedisServer? redis, MondayEmulator emulator, string boardId, string workDirectory)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Storage__Backend"] = backend,
            ["Storage__DataDirectory"] = Path.Combine(workDirectory, "data"),
            ["Monday__ApiUrl"] = emulator.ApiUrl.ToString(),
            ["Monday__Token"] = "crash-test-token",
            ["Monday__BoardId"] = boardId,
            ["Monday__RetryBaseDelay"] = "00:00:00.100",
            ["Monday__MaxRetryDelay"] = "00:00:03",
            ["Monday__AttemptTimeout"] = "00:00:20",
            ["Outbox__BatchSize"] = "100",
            ["Outbox__FlushInterval"] = "00:00:00.100",
            ["Outbox__ClaimDuration"] = "00:00:03",
            ["Outbox__ReconcileInterval"] = "00:00:02",
            ["Outbox__RetryBaseDelay"] = "00:00:00.200",
            ["Outbox__RetryMaxDelay"] = "00:00:02",
            ["Logging__LogLevel__Default"] = "Warning",
            // The flusher's and reconciler's per-pass lines show how many creates were confirmed by lookup instead of re-sent.
            ["Logging__LogLevel__DiscordLedgerBot.Core.Outbox.OutboxFlusher"] = "Debug",
            ["Logging__LogLevel__DiscordLedgerBot.Core.Outbox.OutboxReconciler"] = "Information",
        };
        if (redis is not null)
        {
            environment["Redis__ConnectionString"] = redis.ConnectionString;
        }

        return environment;
    }

    private static async Task<string> ProvisionAsync(MondayEmulator emulator)
    {
        var options = new MondayOptions { ApiUrl = emulator.ApiUrl, Token = "crash-test-token" };
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var client = new MondayClient(new HttpMondayTransport(http, wrapped), wrapped, TimeProvider.System, NullLogger<MondayClient>.Instance);
        var provisioned = await new LedgerBoardProvisioner(client).CreateAsync("Crash ledger", Guid.NewGuid().ToString("N"), CancellationToken.None);
        Assert.Empty(provisioned.RemainingDrift);
        return provisioned.BoardId;
    }

    /// <summary>Bounded polling of the emulator while the child makes progress; false if the drain ended first.</summary>
    private static async Task<bool> WaitForItemsAsync(MondayEmulator emulator, string boardId, int threshold, BotProcess drain)
    {
        await Eventually.TrueAsync(
            () => drain.HasExited || ItemsOnBoard(emulator, boardId) >= threshold,
            $"the drain reaches {threshold} items on the board (or ends)",
            ProcessTimeout);
        return !drain.HasExited;
    }

    private static int ItemsOnBoard(MondayEmulator emulator, string boardId) =>
        emulator.Items(long.Parse(boardId, CultureInfo.InvariantCulture)).Count(i => i.State == "active");

    private static string? LedgerKeyOf(MondayItemSnapshot item) =>
        item.ColumnValues.TryGetValue(LedgerBoardSchema.KeyColumn, out var stored) && LedgerKeyPattern().Match(stored) is { Success: true } match ? match.Value : null;

    /// <summary>Creates confirmed by ledger-key lookup, from the flusher's and reconciler's log lines of one drain process.</summary>
    private static int ReconciledIn(string drainOutput) =>
        FlushReconciledPattern().Matches(drainOutput).Concat(PassReconciledPattern().Matches(drainOutput))
            .Sum(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"Flushed: .*?reconciled (\d+),")]
    private static partial Regex FlushReconciledPattern();

    [GeneratedRegex(@"; (\d+) were already on the board")]
    private static partial Regex PassReconciledPattern();

    [GeneratedRegex(@"cli:crash-\d{6}")]
    private static partial Regex LedgerKeyPattern();

    private sealed record CrashOutcome(string Backend, int ItemsOnBoard, int DistinctKeys, int Duplicates, long Confirmed, long Unfinished, int KillsLanded, int Reconciled, long Throttled, long FaultsInjected)
    {
        public string Summary => $"{Backend} {Confirmed}/{Commands} confirmed, {ItemsOnBoard} items, {Duplicates} dup";
    }
}
