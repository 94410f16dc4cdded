using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Core.Aws;
using DiscordLedgerBot.Core.GitHub;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Slices.Readouts;

namespace DiscordLedgerBot.Bot.Tests.Readouts;

/// <summary>/github and /aws through the Discord emulator against the composed bot, and the cards' embed limits.</summary>
public sealed class ReadoutSlashCommandTests
{
    [Fact]
    public async Task Github_prs_github_checks_and_aws_metric_answer_with_cards_for_the_channels_scope()
    {
        var driver = await SurfaceDriver.StartAsync();
        await using var bot = driver.Bot;

        var (_, prs) = await driver.AskAsync(SurfaceDriver.Slash("github", "prs", new Dictionary<string, JsonNode?>()));
        var (_, checks) = await driver.AskAsync(SurfaceDriver.Slash("github", "checks", new Dictionary<string, JsonNode?> { ["pr"] = 1 }));
        var (_, metric) = await driver.AskAsync(SurfaceDriver.Slash("aws", "metric", new Dictionary<string, JsonNode?>
        {
            ["namespace"] = "AWS/ApplicationELB",
            ["metric"] = "TargetResponseTime",
            ["dimension"] = "LoadBalancer=app/ledger/0123",
            ["statistic"] = "p99",
            ["threshold"] = 0.5,
        }));
        var (_, noRepo) = await driver.AskAsync(SurfaceDriver.Slash("github", "prs", new Dictionary<string, JsonNode?>(), channelId: EmulatedGuild.Ids.Ledger));

        Assert.Equal($"Open pull requests in {Sandbox.SandboxEnvironment.SandboxRepository}", Embed(prs)["title"]!.GetValue<string>());
        Assert.Contains("Escalate overdue items", Embed(prs)["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Run tests", SurfaceDriver.Field(checks, "❌ test"), StringComparison.Ordinal);
        Assert.Contains("#step:3:1", SurfaceDriver.Field(checks, "❌ test"), StringComparison.Ordinal);
        Assert.StartsWith("Incident (medium)", Embed(metric)["fields"]!.AsArray().Last()!["name"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("eu-west-1", Embed(metric)["footer"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("has none mapped", noRepo["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(driver.SpecViolations());
    }

    [Fact]
    public void Every_card_stays_within_discords_embed_limits_however_large_the_readout()
    {
        var repository = new GitHubRepository("acme", new string('r', 100));
        var now = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);
        var title = new string('t', 255);
        var pulls = new PullRequestList(repository, "open", [.. Enumerable.Range(1, ReadoutCards.MaxListedPullRequests).Select(n => new PullRequestSummary(n, title, new string('a', 39), "open", n % 2 == 0, new string('f', 40), "b", "main", $"https://github.com/acme/r/pull/{n}", now))], Truncated: true);
        var failure = new CheckFailure(new string('s', 500), 3, new string('x', 5000), "https://github.com/acme/r/actions/runs/1/job/2#step:3:1");
        var checks = new CheckRunReport(repository, 7, new string('f', 40), "https://github.com/acme/r/pull/7", [.. Enumerable.Range(1, 250).Select(n => new CheckRunSummary(n, new string('n', 200) + n, "completed", "failure", null, now, failure))]);
        var points = Enumerable.Range(0, 1440).Select(i => new MetricPoint(now.AddMinutes(i - 1440), i % 17)).ToList();
        var query = new MetricQuery(new string('N', 255), new string('M', 255), [.. Enumerable.Range(0, 30).Select(i => KeyValuePair.Create(new string('d', 255), new string('v', 1024)))], "p99", 60, now.AddDays(-1), now) { ThresholdValue = 3 };
        var metric = new MetricSnapshot("eu-west-1", query, new string('L', 255), "Complete", points, new MetricIncident("high", new string('i', 3000), 1000, now, now, 16, 3));

        foreach (var card in new[] { ReadoutCards.PullRequests(pulls), ReadoutCards.CheckRuns(checks), ReadoutCards.Metric(metric, "123456789012") })
        {
            var embed = Assert.Single(card.Embeds!);
            Assert.InRange(embed.CountedLength, 1, DiscordLimits.EmbedTotalLength);
            Assert.InRange(embed.Fields?.Count ?? 0, 0, DiscordLimits.EmbedFields);
        }
    }

    private static JsonObject Embed(JsonObject reply) => reply["embeds"]![0]!.AsObject();
}
