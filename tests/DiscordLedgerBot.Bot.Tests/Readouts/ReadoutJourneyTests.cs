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
