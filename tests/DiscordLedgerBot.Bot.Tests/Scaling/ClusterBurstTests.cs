using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
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
/// confirmed all of them, and no firing of any periodic job ran twice across the processes.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class ClusterBurstTests(ITestOutputHelper output)
{
    private const int Commands = 1_000;
    private const int Processes = 3;
    private const string ApiToken = "cluster-burst-token-0123456789abcdef";
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(180);

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
        var bots = new List<(BotProcess Process, Uri Url)>();
        try
        {
            for (var i = 0; i < Processes; i++)
            {
                var url = new Uri($"http://127.0.0.1:{FreeTcpPort.Next()}/");
                var directory = Path.Combine(work, $"bot{i}");
                Directory.CreateDirectory(directory);
                bots.Add((BotProcess.Start(directory, Environment(redis, postgres, monday, discord, boardId, directory), "run", $"--urls={url.ToString().TrimEnd('/')}"), url));
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

            output.WriteLine($"{Processes} bots up after {clock.Elapsed.TotalSeconds:F1}s");

            // The burst: round-robin over the live bots; the victim dies once a third of the commands were recorded.
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
            await Eventually.TrueAsync(async () => (await store.CountAsync()).Confirmed >= Commands, "every command confirmed", ProcessTimeout);
            var counts = await store.CountAsync();
            var keys = monday.Items(long.Parse(boardId, CultureInfo.InvariantCulture)).Where(i => i.State == "active")
                .Select(i => i.ColumnValues.TryGetValue(LedgerBoardSchema.KeyColumn, out var v) && BurstKey().Match(v) is { Success: true } m ? m.Value : null)
                .Where(k => k is not null).ToList();
            output.WriteLine($"outbox {counts}; board {keys.Count} items, {keys.Distinct(StringComparer.Ordinal).Count()} distinct; {clock.Elapsed.TotalSeconds:F1}s");
            Assert.Equal(Commands, keys.Count);
            Assert.Equal(Commands, keys.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(Commands, counts.Confirmed);
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
        // A lease must only lapse when its holder is gone, so it must outlast the slowest batch (leases are not renewed).
        // Measured: 3 s leases with 50-record batches duplicated 45 creates in 1,000, and 20 s leases still 37 on a machine
        // at load 10 — small batches keep each claim short while the lease stays short enough for the killed process's
        // records to come back within the test (docs/operations/scaling.md).
        ["Outbox__BatchSize"] = "10",
        ["Outbox__FlushInterval"] = "00:00:00.100",
        ["Outbox__ClaimDuration"] = "00:00:30",
        ["Outbox__ReconcileInterval"] = "00:00:02",
        ["Api__Tokens__0__Name"] = "burst",
        ["Api__Tokens__0__Token"] = ApiToken,
        ["Api__Tokens__0__Scopes"] = "ledger:read ledger:write",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__DiscordLedgerBot.Scaling.JobRunLog"] = "Debug",
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__Console__FormatterOptions__SingleLine"] = "true",
    };

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
}
