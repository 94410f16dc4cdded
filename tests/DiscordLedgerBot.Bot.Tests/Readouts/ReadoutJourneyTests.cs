using System.Text.Json;
using DiscordLedgerBot.Bot.Tests.Hosting;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Sandbox;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace DiscordLedgerBot.Bot.Tests.Readouts;

/// <summary>
/// The GitHub and AWS journeys end to end: the composed bot with the sandbox's GitHub, CloudWatch, monday and Discord
/// emulators over loopback sockets, driven by the official MCP client over /mcp with the sandbox's token.
/// </summary>
public sealed class ReadoutJourneyTests
{
    private const string Repository = SandboxEnvironment.SandboxRepository;

    [Fact]
    public async Task A_pr_with_two_unresolved_threads_yields_exactly_two_ledger_items_also_when_the_job_runs_twice()
    {
        await using var bot = await ComposedBot.StartAsync();
        await using var client = await McpAsync(bot);

        var first = await CallAsync(client, "github.track_review_threads", new() { ["repo"] = Repository, ["pr"] = 1, ["fields"] = new[] { "*" } });
        await Eventually.TrueAsync(() => ThreadItems(bot).Count == 2 && ThreadItems(bot).All(i => bot.Environment.Monday.Updates(i.Id).Count == 1), "two thread items on the board, each with its link update");
        var second = await CallAsync(client, "github.track_review_threads", new() { ["repo"] = Repository, ["pr"] = 1, ["fields"] = new[] { "*" } });
        var third = await bot.Services.GetRequiredService<Core.GitHub.ReviewThreadLedger>().TrackAsync(Core.GitHub.GitHubRepository.Parse(Repository), 1, null, CancellationToken.None);

        Assert.Equal(3, first.GetProperty("threads").GetInt32());
        Assert.Equal(2, first.GetProperty("unresolved").GetInt32());
        Assert.Equal(2, first.GetProperty("recorded").GetArrayLength());
        Assert.Equal(0, second.GetProperty("recorded").GetArrayLength());
        Assert.Equal(2, second.GetProperty("alreadyTracked").GetArrayLength());
        Assert.Empty(third.Recorded);
        await Eventually.TrueAsync(() => bot.Services.GetRequiredService<Core.Outbox.OutboxWorker>().IsSettledAsync(CancellationToken.None), "the outbox settled");
        var items = ThreadItems(bot);
        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.Contains("octo-dev", item.ColumnValues[LedgerBoardSchema.OwnerColumn], StringComparison.Ordinal));
        Assert.All(items, item => Assert.Contains("github", item.ColumnValues[LedgerBoardSchema.SourceColumn], StringComparison.Ordinal));
        Assert.All(items, item => Assert.Contains("https://github.com/ledger-hq/discord-ledger-bot/pull/1", Assert.Single(bot.Environment.Monday.Updates(item.Id)).Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_mcp_client_reads_prs_checks_and_a_latency_snapshot_with_the_channels_scope()
    {
        await using var bot = await ComposedBot.StartAsync();
        await using var client = await McpAsync(bot);

        var tools = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        var pulls = await CallAsync(client, "github.list_pull_requests", new() { ["channelId"] = EmulatedGuild.Ids.General });
        var checks = await CallAsync(client, "github.get_check_runs", new() { ["channelId"] = EmulatedGuild.Ids.General, ["pr"] = 1 });
        var latency = await CallAsync(client, "aws.cloudwatch_get_metric", new()
        {
            ["channelId"] = EmulatedGuild.Ids.General,
            ["namespace"] = "AWS/ApplicationELB",
            ["metricName"] = "TargetResponseTime",
            ["dimensions"] = new Dictionary<string, string> { ["LoadBalancer"] = "app/ledger/0123" },
            ["statistic"] = "p99",
            ["minutes"] = 60,
            ["threshold"] = 0.5,
        });
        var unscoped = await client.CallToolAsync("github.list_pull_requests", new Dictionary<string, object?>());

        Assert.Contains("aws.cloudwatch_get_metric", tools);
        Assert.Equal(Repository, pulls.GetProperty("repository").GetString());
        Assert.Equal(3, pulls.GetProperty("count").GetInt32());
        Assert.Equal(1, checks.GetProperty("failed").GetInt32());
        var failing = checks.GetProperty("checkRuns").EnumerateArray().Single(r => r.TryGetProperty("failure", out var f) && f.ValueKind == JsonValueKind.Object).GetProperty("failure");
        Assert.Equal("Run tests", failing.GetProperty("failedStep").GetString());
        Assert.EndsWith("#step:3:1", failing.GetProperty("logUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal(SandboxEnvironment.SandboxRegion, latency.GetProperty("region").GetString());
        // A real-time window not aligned to the minute reads 60 or 61 one-minute points (the start rounds down).
        Assert.InRange(latency.GetProperty("count").GetInt32(), 60, 61);
        Assert.InRange(latency.GetProperty("incident").GetProperty("breachingPoints").GetInt32(), 14, 16);
        Assert.All(bot.Environment.CloudWatch.Requests.Snapshot(), r => Assert.True(r.Accepted, r.ErrorType));
        Assert.True(unscoped.IsError);
        Assert.Contains("owner/name", Text(unscoped), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_incident_triage_session_mirrors_into_the_ledger_with_a_timeline_and_one_validation_follow_up()
    {
        await using var bot = await ComposedBot.StartAsync();
        await using var client = await McpAsync(bot);
        Dictionary<string, object?> Step(double threshold, string? note = null)
        {
            var step = new Dictionary<string, object?>
            {
                ["channelId"] = EmulatedGuild.Ids.General,
                ["namespace"] = "AWS/ApplicationELB",
                ["metricName"] = "TargetResponseTime",
                ["dimensions"] = new Dictionary<string, string> { ["LoadBalancer"] = "app/ledger/0123" },
                ["statistic"] = "p99",
                ["threshold"] = threshold,
                ["owner"] = "@on-call",
                ["fields"] = new[] { "*" },
            };
            if (note is not null)
            {
                step["note"] = note;
            }

            return step;
        }

        var opened = await CallAsync(client, "aws.triage_incident", Step(0.5));
        var key = opened.GetProperty("incidentKey").GetString()!;
        await Eventually.TrueAsync(() => Item(bot, key) is not null, "the incident item on the board");
        var update = await CallAsync(client, "aws.triage_incident", Step(0.5, "Rolled back release 42"));
        // The spike (0.85 s) is under a 1 s threshold: the session's next step finds the metric recovered.
        var recovered = await CallAsync(client, "aws.triage_incident", Step(1.0, "Latency back to normal"));
        var again = await CallAsync(client, "aws.triage_incident", Step(1.0));
        var validationKey = recovered.GetProperty("validationKey").GetString()!;
        await Eventually.TrueAsync(() => Item(bot, validationKey) is not null && bot.Environment.Monday.Updates(Item(bot, key)!.Id).Count == 4, "the validation item and four timeline updates");
        await Eventually.TrueAsync(() => bot.Services.GetRequiredService<Core.Outbox.OutboxWorker>().IsSettledAsync(CancellationToken.None), "the outbox settled");

        Assert.Equal("open", opened.GetProperty("state").GetString());
        Assert.True(opened.GetProperty("created").GetBoolean());
        Assert.Equal("open", update.GetProperty("state").GetString());
        Assert.False(update.GetProperty("created").GetBoolean());
        Assert.Equal("recovered", recovered.GetProperty("state").GetString());
        Assert.Equal(key, recovered.GetProperty("incidentKey").GetString());
        Assert.Equal(validationKey, again.GetProperty("validationKey").GetString());
        var incident = Item(bot, key)!;
        Assert.StartsWith("Incident: TargetResponseTime p99 above 0.5 in eu-west-1", incident.Name, StringComparison.Ordinal);
        Assert.Contains("@on-call", incident.ColumnValues[LedgerBoardSchema.OwnerColumn], StringComparison.Ordinal);
        var timeline = bot.Environment.Monday.Updates(incident.Id).OrderBy(u => u.Id).Select(u => u.Body).ToList();
        Assert.Equal(4, timeline.Count);
        Assert.Contains("Rolled back release 42", timeline[1], StringComparison.Ordinal);
        Assert.StartsWith("[recovered]", timeline[2], StringComparison.Ordinal);
        Assert.Single(bot.Environment.Monday.Items(), i => i.Name.StartsWith("Validate recovery: TargetResponseTime p99 in eu-west-1", StringComparison.Ordinal));
        var due = recovered.GetProperty("validationDue").GetString()!;
        Assert.Contains(due, Item(bot, validationKey)!.ColumnValues[LedgerBoardSchema.DueColumn], StringComparison.Ordinal);
    }

    private static Emulators.Monday.MondayItemSnapshot? Item(ComposedBot bot, string ledgerKey) =>
        bot.Environment.Monday.Items().FirstOrDefault(i => i.ColumnValues.TryGetValue(LedgerBoardSchema.KeyColumn, out var value) && value.Contains($"\"{ledgerKey}\"", StringComparison.Ordinal));

    private static List<Emulators.Monday.MondayItemSnapshot> ThreadItems(ComposedBot bot) =>
        [.. bot.Environment.Monday.Items().Where(i => i.Name.StartsWith($"Resolve review thread on {Repository}#1", StringComparison.Ordinal))];

    private static async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        Assert.True(result.IsError != true, $"{tool}: {Text(result)}");
        return result.StructuredContent!.Value;
    }

    private static string Text(CallToolResult result) => string.Join(" ", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    private static Task<McpClient> McpAsync(ComposedBot bot) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(bot.BotUrl, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {bot.Environment.ApiToken}" },
        }));
}
