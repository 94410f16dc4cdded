using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Sandbox.Replay;

namespace DiscordLedgerBot.Sandbox;

/// <summary><c>bot replay</c>: golden scenarios on the file and the Redis runtime, with a parity report.</summary>
public sealed class ReplayCommand : ICliCommand
{
    public string Verb => "replay";

    public string Summary => "Replay golden scenarios on the file and Redis runtimes and report any difference";

    public string Usage => """
        usage: bot replay SCENARIO|DIR... [--report DIR] [--redis HOST:PORT]
          Runs each scenario (JSON, format in docs/operations/replay.md) against the composed bot with fresh emulators,
          once on the file runtime (Storage:Backend=file, Registry:Store=file) and once on the Redis runtime
          (Storage:Backend=redis, Registry:Store=redis), and compares the board, the event stream, the Discord
          messages and the replies line by line. Writes parity.md and parity.json to --report (default
          TestResults/replay). Redis: the server at --redis (emptied before each run!), else a private redis-server.
          Exit 0: no difference and every expectation held; 1: a difference or a failed expectation.
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = CliArguments.Parse(args, ["report", "redis"], []);
        if (options.Positionals.Count == 0)
        {
            throw new CliUsageException("Give at least one scenario file or directory (the golden ones are in tests/replay).");
        }

        IReadOnlyList<ReplayScenario> scenarios;
        try
        {
            scenarios = ReplayScenario.Load(options.Positionals);
        }
        catch (ReplayScenarioException invalid)
        {
            throw new CliUsageException(invalid.Message);
        }

        var reportDirectory = Path.GetFullPath(options.Value("report") ?? Path.Combine("TestResults", "replay"));
        var catalog = Runtimes.CatalogBeside(scenarios[0]);
        await using var redis = await ReplayRedis.StartAsync(options.Value("redis"), cancellationToken);
        IReadOnlyList<ReplayRuntime> runtimes = [Runtimes.File(catalog), Runtimes.Redis(redis.Endpoint, catalog)];
        var results = await ReplayHarness.RunAsync(scenarios, runtimes, (_, _) => redis.FlushAsync(), cancellationToken);
        await ParityReport.WriteAsync(reportDirectory, results, cancellationToken);

        foreach (var result in results)
        {
            var verdict = result.HasFailures ? "FAILED" : result.HasDifferences ? "DIFFERS" : "same";
            await context.Output.WriteLineAsync($"{verdict,-8} {result.Scenario} ({result.Differences.Values.Sum(d => d.Count)} differences)");
        }

        await context.Output.WriteLineAsync($"replay: {results.Count} scenarios on {string.Join(" and ", runtimes.Select(r => r.Name))}; "
            + $"{results.Count(r => r.HasDifferences)} with differences, {results.Count(r => r.HasFailures)} with failed expectations; report: {Path.Combine(reportDirectory, "parity.md")}");
        return results.Any(r => r.HasDifferences || r.HasFailures) ? CliApplication.Rejected : 0;
    }

    /// <summary>The two runtimes the product ships: the file store (the embedded default) and Redis.</summary>
    public static class Runtimes
    {
        public static ReplayRuntime File(string? catalog) => new("file", ["--Storage:Backend=file", "--Registry:Store=file", .. Common(catalog)]);

        public static ReplayRuntime Redis(string endpoint, string? catalog) =>
            new("redis", ["--Storage:Backend=redis", $"--Redis:ConnectionString={endpoint}", "--Registry:Store=redis", .. Common(catalog)]);

        /// <summary>
        /// <c>registry/tools.json</c> beside the scenarios, if there is one: a catalog whose health only scenarios change,
        /// because real probes (a URL, a port, a command) answer differently from one run to the next.
        /// </summary>
        public static string? CatalogBeside(ReplayScenario scenario)
        {
            ArgumentNullException.ThrowIfNull(scenario);
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(scenario.Path) ?? ".", "registry", "tools.json"));
            return System.IO.File.Exists(path) ? path : null;
        }

        // monday is polled when a scenario edits the board (and as scheduled while it advances the clock), never at a
        // moment real time picks, which would land a change in a different step on each runtime.
        private static string[] Common(string? catalog) =>
            ["--Sync:PollInterval=1.00:00:00", .. catalog is null ? Array.Empty<string>() : [$"--Registry:CatalogPath={catalog}"]];
    }
}
