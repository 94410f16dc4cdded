using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DiscordLedgerBot.Bot.Tests.Outbox;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Monday;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Scaling;

/// <summary>
/// The scale-out must-show with real processes: three `bot run` processes on one Redis (outbox, ledger cache,
/// registry) and one PostgreSQL (clustered schedule) against the monday and Discord emulators. A 1,000-command burst
/// goes round-robin through their HTTP APIs; one process is SIGKILLed mid-burst and its unanswered requests are retried
/// on the others with the same Idempotency-Key. Afterwards the board holds exactly one item per command, the outbox has
/// confirmed all of them, and no firing of any periodic job ran twice across the processes. The outbox runs as shipped
/// (batches of 100, leases renewed while a batch is sent) with a short lease, so the killed process's records come back
/// quickly. Some of the burst's items are already overdue: each of their escalation levels is posted once in Discord and
/// written once to the board, though levels fire during the burst and across the kill. The registry's health checks
/// run every 2 s: each firing runs once and none is missing from the burst's start to the end.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class ClusterBurstTests(ITestOutputHelper output)
{
    private const int Commands = 1_000;
    private const int Processes = 3;
    private const string ApiToken = "cluster-burst-token-0123456789abcdef";
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(180);

    // Every 100th command (n = 50, 150, … 950) creates an item that is overdue from the start: ten items whose levels
    // fire while the burst runs and while the killed process's work is taken over.
    private const int OverdueEvery = 100;
    private const int OverdueLevels = 3;
    private static readonly TimeSpan LevelDelay = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(2);

    // The clustered scheduler's recovery of a dead process's firings: CheckinInterval + CheckinMisfireThreshold below.
    private static readonly TimeSpan RecoveryWindow = TimeSpan.FromSeconds(4);

    // Scheduler:MisfireThreshold (its default): a firing later than this would be skipped, so it bounds any lateness.
    private static readonly TimeSpan MisfireThreshold = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_burst_through_three_processes_with_one_killed_loses_and_duplicates_nothing()
    {
        var clock = Stopwatch.StartNew();
        await using var redis = await RedisServer.StartAsync();
        await using var postgres = await PostgresServer.StartAsync();
        await using var monday = await MondayEmulator.StartAsync(new MondayEmulatorOptions { Port = 0 });
        await using var discord = await DiscordEmulator.StartAsync(new DiscordEmulatorOptions());
        var boardId = await ProvisionAsync(monday);
        var work = Directory.CreateTempSubdirectory("dlb-cluster-").FullName;
        var catalog = WriteFastHealthCatalog(work);
        var bots = new List<(BotProcess Process, Uri Url)>();
        try
        {
            for (var i = 0; i < Processes; i++)
            {
                var url = new Uri($"http://127.0.0.1:{FreeTcpPort.Next()}/");
                var directory = Path.Combine(work, $"bot{i}");
                Directory.CreateDirectory(directory);
                var environment = Environment(redis, postgres, monday, discord, boardId, directory);
                foreach (var (key, value) in EscalationAndHealthEnvironment(catalog).Concat(LeaseEnvironment()))
                {
                    environment[key] = value;
                }

                bots.Add((BotProcess.Start(directory, environment, "run", $"--urls={url.ToString().TrimEnd('/')}"), url));
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
            foreach (var (process, url) in bots)
            {
                await Eventually.TrueAsync(
                    async () => process.HasExited ? throw new InvalidOperationException($"bot at {url} exited {process.ExitCode}:\n{process.Output}") : await IsAliveAsync(http, url),
                    $"bot at {url} is up",
                    ProcessTimeout);
            }

            output.WriteLine($"{Processes} bots up after {clock.Elapsed.TotalSeconds:F1}s; outbox lease {LeaseEnvironment()["Outbox__ClaimDuration"]}, renewed: {LeaseEnvironment()["Outbox__RenewLeases"]}");

            // The burst: round-robin over the live bots; the victim dies once a third of the commands were recorded.
            var burstStart = DateTimeOffset.UtcNow;
            var victim = bots[0];
            var recorded = 0;
            var retried = 0;
            using var gate = new SemaphoreSlim(16);
            var sends = Enumerable.Range(0, Commands).Select(async n =>
            {
                await gate.WaitAsync();
                try
                {
                    for (var attempt = 0; ; attempt++)
                    {
                        var live = bots.Where(b => !b.Process.HasExited).ToList();
                        var target = live[(n + attempt) % live.Count];
                        if (await TryCreateAsync(http, target.Url, n))
                        {
                            if (Interlocked.Increment(ref recorded) == Commands / 3)
                            {
                                victim.Process.Kill();
                            }

                            return;
                        }

                        Interlocked.Increment(ref retried);
                        Assert.True(attempt < 20, $"command {n} could not be recorded by any bot");
                    }
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            await Task.WhenAll(sends);
            Assert.True(victim.Process.HasExited, "the victim was never killed");
            output.WriteLine($"burst recorded in {clock.Elapsed.TotalSeconds:F1}s; {retried} request(s) retried on another bot after the kill");

            // Drain: the survivors confirm everything, including what the victim had claimed when it died.
            using var connection = await ConnectionMultiplexer.ConnectAsync(new RedisOptions { ConnectionString = redis.ConnectionString }.ToConfigurationOptions());
            var store = new RedisStorage(connection.GetDatabase(), TimeProvider.System);
            // The outbox also carries the escalations' board writes (two per level), so the drain waits for all of them.
            string escalations;
            try
            {
                escalations = await AssertEveryEscalationLevelFiredOnceAsync(monday, discord, boardId, store);
            }
            catch
            {
                output.WriteLine($"outbox {await store.CountAsync()}; {DescribeBoard(BurstKeysOnBoard(monday, boardId))}");
                await DescribeWhatIsStuckAsync(store, bots.Select(b => b.Process));
                throw;
            }

            var counts = await store.CountAsync();
            var keys = BurstKeysOnBoard(monday, boardId);
            output.WriteLine($"outbox {counts}; {DescribeBoard(keys)}; {clock.Elapsed.TotalSeconds:F1}s");
            Assert.Equal(Commands, keys.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(Commands, keys.Count);
            Assert.Equal(Commands + (Overdue().Count() * OverdueLevels * 2), counts.Confirmed);
            Assert.Equal(0, counts.Pending + counts.Sent + counts.Failed);

            // Jobs: one run per firing across all processes, and the survivors carried the schedule on after the kill.
            var runs = bots.SelectMany(b => JobRunPattern().Matches(b.Process.Output).Select(m => (Job: m.Groups["job"].Value, Fire: long.Parse(m.Groups["fire"].Value, CultureInfo.InvariantCulture), Bot: b.Url))).ToList();
            var doubled = runs.GroupBy(r => (r.Job, r.Fire)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Job}@{g.Key.Fire}").ToList();
            foreach (var job in runs.GroupBy(r => r.Job))
            {
                output.WriteLine($"{job.Key}: {job.Count()} runs over {job.Select(r => r.Bot).Distinct().Count()} process(es)");
            }

            Assert.True(doubled.Count == 0, "firings ran twice: " + string.Join(", ", doubled));
            Assert.Contains(runs, r => r.Job == "escalation.escalation" && r.Bot != victim.Url);
            AssertHealthChecksRanOncePerInterval(bots.Select(b => b.Process.Output), burstStart, escalations);
        }
        finally
        {
            foreach (var (process, _) in bots)
            {
                process.Dispose();
            }

            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory left behind is harmless.
            }
        }
    }

    private static async Task<bool> IsAliveAsync(HttpClient http, Uri url)
    {
        try
        {
            return (await http.GetAsync(new Uri(url, "alive"))).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<bool> TryCreateAsync(HttpClient http, Uri url, int n)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, "api/v1/items"))
        {
            Content = JsonContent.Create(new { title = $"Burst item {n}" }),
        };
        request.Headers.Add("Idempotency-Key", $"burst-{n:D4}");
        if (n % OverdueEvery == OverdueEvery / 2)
        {
            request.Content = JsonContent.Create(new { title = OverdueTitle(n), dueDate = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1) });
        }

        try
        {
            using var response = await http.SendAsync(request);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> Environment(RedisServer redis, PostgresServer postgres, MondayEmulator monday, DiscordEmulator discord, string boardId, string directory) => new(StringComparer.Ordinal)
    {
        ["Monday__ApiUrl"] = monday.ApiUrl.ToString(),
        ["Monday__Token"] = "cluster-test-token",
        ["Monday__BoardId"] = boardId,
        ["Discord__Token"] = discord.Options.BotToken,
        ["Discord__ApplicationId"] = discord.Options.ApplicationId,
        ["Discord__ApiBaseUrl"] = discord.RestBaseUrl.ToString(),
        ["Storage__Backend"] = "redis",
        ["Storage__DataDirectory"] = Path.Combine(directory, "data"),
        ["Redis__ConnectionString"] = redis.ConnectionString,
        ["Registry__Store"] = "redis",
        ["Registry__SweepIntervalSeconds"] = "1",
        ["Scheduler__Store"] = "Postgres",
        ["Scheduler__ConnectionString"] = postgres.ConnectionString,
        ["Scheduler__CheckinInterval"] = "00:00:01",
        ["Scheduler__CheckinMisfireThreshold"] = "00:00:03",
        ["Escalation__Interval"] = "00:00:01",
        ["Sync__PollInterval"] = "00:00:01",
        ["Outbox__FlushInterval"] = "00:00:00.100",
        ["Outbox__ReconcileInterval"] = "00:00:02",
        ["Api__Tokens__0__Name"] = "burst",
        ["Api__Tokens__0__Token"] = ApiToken,
        ["Api__Tokens__0__Scopes"] = "ledger:read ledger:write",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__DiscordLedgerBot.Scaling.JobRunLog"] = "Debug",
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
    };

    private static List<string> BurstKeysOnBoard(MondayEmulator monday, string boardId) =>
        [.. monday.Items(long.Parse(boardId, CultureInfo.InvariantCulture)).Where(i => i.State == "active")
            .Select(i => i.ColumnValues.TryGetValue(LedgerBoardSchema.KeyColumn, out var v) && BurstKey().Match(v) is { Success: true } m ? m.Value : null)
            .OfType<string>()];

    private static string DescribeBoard(List<string> keys) =>
        $"board {keys.Count} items, {keys.Distinct(StringComparer.Ordinal).Count()} distinct, {keys.Count - keys.Distinct(StringComparer.Ordinal).Count()} duplicates";

    private static string OverdueTitle(int n) => $"Overdue item {n}";

    private static IEnumerable<int> Overdue() => Enumerable.Range(0, Commands).Where(n => n % OverdueEvery == OverdueEvery / 2);

    /// <summary>
    /// The outbox as shipped (batches of 100, renewed leases) with a lease short enough for the killed process's records
    /// to come back within seconds. For the A/B in docs/operations/scaling.md the same burst runs with
    /// DLB_CLUSTER_BURST_RENEW_LEASES=false (and DLB_CLUSTER_BURST_CLAIM_DURATION=00:00:03 for a shorter lease).
    /// </summary>
    private static Dictionary<string, string> LeaseEnvironment() => new(StringComparer.Ordinal)
    {
        ["Outbox__ClaimDuration"] = System.Environment.GetEnvironmentVariable("DLB_CLUSTER_BURST_CLAIM_DURATION") ?? "00:00:06",
        ["Outbox__RenewLeases"] = System.Environment.GetEnvironmentVariable("DLB_CLUSTER_BURST_RENEW_LEASES") ?? "true",
    };

    /// <summary>
    /// The default overdue policy at test speed: three levels <see cref="LevelDelay"/> apart, at any hour, posted in the
    /// moderator channel (the burst's items have no card); and the registry's tools checked every <see cref="HealthInterval"/>.
    /// </summary>
    private static Dictionary<string, string> EscalationAndHealthEnvironment(string catalog)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Escalation__ModeratorChannelId"] = EmulatedGuild.Ids.General,
            ["Escalation__Policies__due-date-passed__Urgency"] = "High",
            ["Escalation__Policies__due-date-passed__DailyReminder"] = "false",
            ["Registry__CatalogPath"] = catalog,
        };
        for (var level = 0; level < OverdueLevels; level++)
        {
            environment[$"Escalation__Policies__due-date-passed__Levels__{level}__Delay"] = (level == 0 ? TimeSpan.Zero : LevelDelay).ToString("c", CultureInfo.InvariantCulture);
            environment[$"Escalation__Policies__due-date-passed__Levels__{level}__Targets__0"] = "ModeratorChannel";
        }

        return environment;
    }

    /// <summary>The shipped seed catalog with every tool checked every <see cref="HealthInterval"/> (a timeout must be shorter).</summary>
    private static string WriteFastHealthCatalog(string work)
    {
        var catalog = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "assets", "registry", "tools.json")))!;
        foreach (var tool in catalog["tools"]!.AsArray())
        {
            tool!["healthCheck"]!["intervalSeconds"] = (int)HealthInterval.TotalSeconds;
            tool["healthCheck"]!["timeoutMs"] = (int)(HealthInterval / 2).TotalMilliseconds;
        }

        var path = Path.Combine(work, "tools.json");
        File.WriteAllText(path, catalog.ToJsonString());
        return path;
    }

    /// <summary>
    /// Waits until every overdue item reached its last level and the outbox is drained, then counts: one notice per level
    /// in Discord, one update per level on the board, the board's level column at the last level; nothing else escalated.
    /// </summary>
    private async Task<string> AssertEveryEscalationLevelFiredOnceAsync(MondayEmulator monday, DiscordEmulator discord, string boardId, RedisStorage store)
    {
        List<string> Notices() => [.. discord.MessagesIn(EmulatedGuild.Ids.General)
            .Select(m => m.Message["embeds"] is JsonArray { Count: > 0 } embeds ? embeds[0]!["title"]?.GetValue<string>() : null)
            .OfType<string>().Where(t => t.StartsWith("Escalation level ", StringComparison.Ordinal))];
        var expected = Overdue().SelectMany(n => Enumerable.Range(1, OverdueLevels).Select(level => $"Escalation level {level}: {OverdueTitle(n)}")).ToList();
        await Eventually.TrueAsync(
            async () => expected.All(Notices().Contains) && (await store.CountAsync()) is { Pending: 0, Sent: 0 },
            "every level of every overdue item announced and its board writes confirmed",
            ProcessTimeout);

        var notices = Notices();
        var items = monday.Items(long.Parse(boardId, CultureInfo.InvariantCulture)).Where(i => i.State == "active" && i.ParentItemId is null).ToList();
        var overdueItems = items.Where(i => i.Name.StartsWith("Overdue item ", StringComparison.Ordinal)).ToList();
        var updates = overdueItems.ToDictionary(i => i.Id, i => monday.Updates(i.Id).Select(u => u.Body).ToList());
        var summary = $"{notices.Count} notices for {overdueItems.Count} overdue items × {OverdueLevels} levels; board updates per level " +
            string.Join(", ", Enumerable.Range(1, OverdueLevels).Select(level => $"L{level}={updates.Values.Sum(u => u.Count(b => b.Contains($"Escalation level {level} (", StringComparison.Ordinal)))}"));
        output.WriteLine(summary);

        Assert.Equal(Overdue().Count(), overdueItems.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), notices.Order(StringComparer.Ordinal));
        foreach (var item in overdueItems)
        {
            for (var level = 1; level <= OverdueLevels; level++)
            {
                Assert.Single(updates[item.Id], b => b.Contains($"Escalation level {level} (due-date-passed", StringComparison.Ordinal));
            }

            Assert.Equal($"\"{OverdueLevels}\"", item.ColumnValues.GetValueOrDefault("escalation_level"));
        }

        Assert.All(items.Where(i => !overdueItems.Contains(i)), i => Assert.DoesNotContain(monday.Updates(i.Id), u => u.Body.Contains("Escalation level", StringComparison.Ordinal)));
        return summary;
    }

    /// <summary>On a failure: the records still in flight and each process's warnings, to tell a stuck flusher from a lost one.</summary>
    private async Task DescribeWhatIsStuckAsync(RedisStorage store, IEnumerable<BotProcess> processes)
    {
        output.WriteLine($"now {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
        foreach (var state in new[] { OutboxState.Pending, OutboxState.Sent, OutboxState.Failed })
        {
            foreach (var record in await store.ListAsync(state, 50))
            {
                output.WriteLine($"{record} lease/retry {record.NextAttemptAt:HH:mm:ss.fff} updated {record.UpdatedAt:HH:mm:ss.fff} version {record.Version}");
            }
        }

        foreach (var process in processes)
        {
            output.WriteLine($"--- process (exited: {process.HasExited})");
            foreach (var line in process.Output.Split('\n').Where(l => !l.Contains("ran for firing", StringComparison.Ordinal)).TakeLast(60))
            {
                output.WriteLine(line);
            }
        }
    }

    /// <summary>
    /// Each registry health job, from the burst's start on: consecutive firings exactly one interval apart (none missing,
    /// none twice — doubles are refused above for every job). A firing the killed process held is recovered by another
    /// process within <see cref="RecoveryWindow"/>; it then runs late but keeps its slot, and it must run before
    /// <see cref="MisfireThreshold"/>, after which the scheduler would skip it.
    /// </summary>
    private void AssertHealthChecksRanOncePerInterval(IEnumerable<string> outputs, DateTimeOffset burstStart, string escalations)
    {
        var interval = (long)HealthInterval.TotalMilliseconds;
        var runs = outputs.SelectMany(o => TimedJobRunPattern().Matches(o)).Select(m => (
            Job: m.Groups["job"].Value,
            Fire: long.Parse(m.Groups["fire"].Value, CultureInfo.InvariantCulture),
            At: TimeOnly.ParseExact(m.Groups["at"].Value, "HH:mm:ss.fff", CultureInfo.InvariantCulture)))
            .Where(r => r.Job.StartsWith("capability-registry.health-", StringComparison.Ordinal) && r.Fire >= burstStart.ToUnixTimeMilliseconds())
            .ToList();
        Assert.NotEmpty(runs);
        var lateness = runs.Select(r => (r.At - TimeOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(r.Fire).UtcDateTime)) is var late && late > TimeSpan.FromHours(12) ? late - TimeSpan.FromDays(1) : late).ToList();
        foreach (var job in runs.GroupBy(r => r.Job))
        {
            var fires = job.Select(r => r.Fire).Order().ToList();
            var steps = fires.Zip(fires.Skip(1), (a, b) => b - a).ToList();
            output.WriteLine($"{job.Key}: {fires.Count} firings since the burst began, steps {string.Join("/", steps.Distinct().Order())} ms");
            Assert.True(steps.All(step => step == interval), $"{job.Key} missed or repeated a firing: steps {string.Join(",", steps)} ms");
        }

        output.WriteLine($"health firings ran at most {lateness.Max().TotalSeconds:F1}s after their scheduled time (recovery window {RecoveryWindow.TotalSeconds:F0}s); {escalations}");
        Assert.True(lateness.Max() < MisfireThreshold, $"a health firing ran {lateness.Max()} late");
    }

    private static async Task<string> ProvisionAsync(MondayEmulator emulator)
    {
        var options = new MondayOptions { ApiUrl = emulator.ApiUrl, Token = "cluster-test-token" };
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var client = new MondayClient(new HttpMondayTransport(http, wrapped), wrapped, TimeProvider.System, NullLogger<MondayClient>.Instance);
        var provisioned = await new LedgerBoardProvisioner(client).CreateAsync("Cluster ledger", Guid.NewGuid().ToString("N"), CancellationToken.None);
        Assert.Empty(provisioned.RemainingDrift);
        return provisioned.BoardId;
    }

    [GeneratedRegex(@"api:burst-\d{4}")]
    private static partial Regex BurstKey();

    [GeneratedRegex(@"Job (?<job>\S+) ran for firing (?<fire>\d+) on scheduler instance")]
    private static partial Regex JobRunPattern();

    [GeneratedRegex(@"^(?<at>\d{2}:\d{2}:\d{2}\.\d{3}) .*Job (?<job>\S+) ran for firing (?<fire>\d+) on scheduler instance", RegexOptions.Multiline)]
    private static partial Regex TimedJobRunPattern();
}
