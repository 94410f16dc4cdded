using System.Globalization;
using DiscordLedgerBot.Bot.Tests.Hosting;
using DiscordLedgerBot.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Scaling;

/// <summary>
/// Scheduler:Store=Postgres: several composed bots (the production composition, real Kestrel, emulators on sockets) on
/// one private PostgreSQL share one clustered Quartz schedule. Every firing of every periodic job runs on exactly one
/// of them; a bot that stops leaves the schedule to the others without a gap.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ClusteredSchedulerTests(ITestOutputHelper output)
{
    private const string EscalationJob = "escalation.escalation";
    private const string RegistrySweepJob = "capability-registry.sweep";

    [Fact]
    public async Task TwoThenThreeBotsOnOnePostgresRunEachFiringExactlyOnce()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var bots = new List<ComposedBot>();
        try
        {
            bots.Add(await StartBotAsync(postgres));
            bots.Add(await StartBotAsync(postgres));
            await WaitForFiringsAsync(bots, EscalationJob, 6);
            bots.Add(await StartBotAsync(postgres));
            await WaitForFiringsAsync(bots, EscalationJob, 12);

            // The first bot leaves; the other two carry on with the same schedule.
            await bots[0].DisposeAsync();
            var stoppedRuns = JobRuns(bots[0]);
            var stoppedAt = stoppedRuns.Where(r => r.Job == EscalationJob).Select(r => r.FireMs).DefaultIfEmpty(0).Max();
            bots.RemoveAt(0);
            await WaitForFiringsAsync(bots, EscalationJob, 6, after: stoppedAt);

            var runs = stoppedRuns.Concat(bots.SelectMany(JobRuns)).ToList();
            foreach (var job in runs.GroupBy(r => r.Job))
            {
                output.WriteLine($"{job.Key}: {job.Count()} runs on {job.Select(r => r.Instance).Distinct().Count()} instance(s)");
            }

            var doubled = runs.GroupBy(r => (r.Job, r.FireMs)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Job}@{g.Key.FireMs} ×{g.Count()}").ToList();
            Assert.True(doubled.Count == 0, "firings ran more than once: " + string.Join(", ", doubled));

            // One escalation firing per interval, never a hole and never an extra one: a joining bot keeps the cluster's
            // stored trigger rather than replacing it, so the schedule keeps its phase while bots come and go.
            var escalation = runs.Where(r => r.Job == EscalationJob).Select(r => r.FireMs).Order().ToList();
            var steps = escalation.Zip(escalation.Skip(1), (a, b) => b - a).ToList();
            output.WriteLine($"escalation steps (ms): {string.Join(", ", steps)}");
            Assert.All(steps, step => Assert.Equal(1000, step));

            // The registry plans its own triggers (sweep, health checks); a joining bot keeps those too.
            var sweeps = runs.Where(r => r.Job == RegistrySweepJob).Select(r => r.FireMs).Order().ToList();
            var sweepSteps = sweeps.Zip(sweeps.Skip(1), (a, b) => b - a).ToList();
            output.WriteLine($"registry sweep steps (ms): {string.Join(", ", sweepSteps)}");
            Assert.All(sweepSteps, step => Assert.Equal(1000, step));
            Assert.True(runs.Select(r => r.Instance).Distinct().Count() >= 2, "only one bot ever ran a job");
            Assert.Contains(runs, r => r.Job == "sync.monday-poll");
            Assert.Contains(runs, r => r.Job == RegistrySweepJob);

            await using var connection = new NpgsqlConnection(postgres.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select count(*) from qrtz_scheduler_state", connection);
            var members = (long)(await command.ExecuteScalarAsync())!;
            Assert.True(members >= 2, $"{members} scheduler instances checked in");
        }
        finally
        {
            foreach (var bot in bots)
            {
                await bot.DisposeAsync();
            }
        }
    }

    internal static Task<ComposedBot> StartBotAsync(PostgresServer postgres, params string[] more) =>
        ComposedBot.StartAsync(
            new Dictionary<string, string?> { ["Sync:PollInterval"] = "00:00:01" },
            [
                "--Scheduler:Store=Postgres",
                $"--Scheduler:ConnectionString={postgres.ConnectionString}",
                "--Scheduler:CheckinInterval=00:00:01",
                "--Scheduler:CheckinMisfireThreshold=00:00:03",
                "--Escalation:Interval=00:00:01",
                "--Registry:SweepIntervalSeconds=1",
                "--Logging:LogLevel:DiscordLedgerBot.Scaling.JobRunLog=Debug",
                .. more,
            ]);

    internal static IReadOnlyList<JobRun> JobRuns(ComposedBot bot) =>
        [.. bot.Logs.Entries.Where(e => e.EventId.Id == 9300).Select(e => JobRun.Parse(e.Message))];

    private static Task WaitForFiringsAsync(IReadOnlyList<ComposedBot> bots, string job, int count, long after = 0) =>
        Eventually.TrueAsync(
            () => bots.SelectMany(JobRuns).Count(r => r.Job == job && r.FireMs > after) >= count,
            $"{count} firings of {job}",
            TimeSpan.FromSeconds(60));
}

internal sealed record JobRun(string Job, long FireMs, string Instance)
{
    // "Job {Job} ran for firing {ScheduledFireMs} on scheduler instance {Instance} (recovering …)"
    public static JobRun Parse(string message)
    {
        var words = message.Split(' ');
        return new JobRun(words[1], long.Parse(words[5], CultureInfo.InvariantCulture), words[9]);
    }
}
