using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Bot.Tests.Api;
using DiscordLedgerBot.Bot.Tests.Hosting;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Hosting;
using DiscordLedgerBot.Sandbox;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace DiscordLedgerBot.Bot.Tests.Mcp;

/// <summary>An MCP client from the official SDK, over streamable HTTP (/mcp) and over stdio (`bot mcp`), against the composed bot and the emulators.</summary>
public sealed class McpServerTests
{
    private static readonly string[] AllTools =
    [
        "aws.cloudwatch_get_metric", "aws.triage_incident", "discord.message", "github.get_check_runs", "github.list_pull_requests", "github.track_review_threads",
        "ledger.assign", "ledger.create", "ledger.followup", "ledger.query", "ledger.set_status",
        "monday.board_summary", "monday.create_update", "monday.update_item", "registry.rank", "registry.select",
    ];

    [Fact]
    public async Task Over_http_the_client_lists_every_tool_and_calls_each_one_end_to_end()
    {
        await using var bot = await ApiTestKit.StartAsync();
        await using var client = await HttpClientAsync(bot, ApiTestKit.Full);

        await ExerciseEveryToolAsync(bot, client);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Over_stdio_the_client_lists_every_tool_and_calls_each_one_end_to_end()
    {
        await using var bot = await ApiTestKit.StartAsync();
        await using var client = await StdioClientAsync(bot);

        await ExerciseEveryToolAsync(bot, client);
    }

    [Fact]
    public async Task A_bad_argument_or_a_missing_scope_is_a_tool_error_and_the_session_goes_on()
    {
        await using var bot = await ApiTestKit.StartAsync();
        await using var client = await HttpClientAsync(bot, ApiTestKit.Full);
        await using var reader = await HttpClientAsync(bot, ApiTestKit.ReadOnly);

        var wrongType = await client.CallToolAsync("ledger.create", new Dictionary<string, object?> { ["title"] = 5 });
        var unknown = await client.CallToolAsync("ledger.create", new Dictionary<string, object?> { ["title"] = "ok", ["colour"] = "red" });
        var badStatus = await client.CallToolAsync("ledger.set_status", new Dictionary<string, object?> { ["key"] = "k", ["status"] = "open" });
        var missingEntry = await client.CallToolAsync("ledger.followup", new Dictionary<string, object?> { ["key"] = "mcp:nobody", ["title"] = "x" });
        var noScope = await reader.CallToolAsync("ledger.create", new Dictionary<string, object?> { ["title"] = "Not allowed" });
        var stillWorks = await client.CallToolAsync("monday.board_summary", new Dictionary<string, object?>());

        Assert.True(wrongType.IsError);
        Assert.Contains("title", Text(wrongType), StringComparison.Ordinal);
        Assert.True(unknown.IsError);
        Assert.Contains("colour", Text(unknown), StringComparison.Ordinal);
        Assert.True(badStatus.IsError);
        Assert.Contains("status", Text(badStatus), StringComparison.Ordinal);
        Assert.True(missingEntry.IsError);
        Assert.Contains("'key'", Text(missingEntry), StringComparison.Ordinal);
        Assert.True(noScope.IsError);
        Assert.Contains("ledger:write", Text(noScope), StringComparison.Ordinal);
        Assert.NotEqual(true, stillWorks.IsError);
        Assert.DoesNotContain(bot.Environment.Monday.Items(), i => i.Name == "Not allowed");
    }

    [Fact]
    public async Task Over_http_a_token_lists_only_the_tools_its_scopes_allow()
    {
        await using var bot = await ApiTestKit.StartAsync();
        await using var reader = await HttpClientAsync(bot, ApiTestKit.ReadOnly);
        await using var registryReader = await HttpClientAsync(bot, ApiTestKit.RegistryReader);
        await using var full = await HttpClientAsync(bot, ApiTestKit.Full);

        var readable = (await reader.ListToolsAsync()).Select(t => t.Name).ToList();
        var registryTools = (await registryReader.ListToolsAsync()).Select(t => t.Name).ToList();
        var everything = (await full.ListToolsAsync()).Select(t => t.Name).ToList();

        Assert.Contains("ledger.query", readable);
        Assert.DoesNotContain("ledger.create", readable);
        Assert.DoesNotContain("ledger.query", registryTools);
        Assert.All(readable, name => Assert.Contains(name, everything));
        Assert.True(readable.Count < everything.Count);
        Assert.Equal(AllTools, everything.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_a_token_mcp_answers_401()
    {
        await using var bot = await ApiTestKit.StartAsync();
        using var http = bot.Http();

        using var response = await http.PostAsync(new Uri("/mcp", UriKind.Relative), ApiTestKit.Json("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}"""));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Read_only_and_exclude_lists_decide_which_tools_are_exposed_and_hints_are_set()
    {
        await using var bot = await ApiTestKit.StartAsync();
        await using var readOnly = await StdioClientAsync(bot, "--read-only", "--exclude", "registry.rank");

        var tools = await readOnly.ListToolsAsync();

        Assert.Equal(["aws.cloudwatch_get_metric", "github.get_check_runs", "github.list_pull_requests", "ledger.query", "monday.board_summary"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.True(t.ProtocolTool.Annotations!.ReadOnlyHint));
    }

    private static async Task ExerciseEveryToolAsync(ComposedBot bot, McpClient client)
    {
        var tools = await client.ListToolsAsync();
        Assert.Equal(AllTools, tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.False(t.ProtocolTool.InputSchema.GetProperty("additionalProperties").GetBoolean()));
        Assert.True(tools.Single(t => t.Name == "ledger.set_status").ProtocolTool.Annotations!.DestructiveHint);
        Assert.True(tools.Single(t => t.Name == "ledger.query").ProtocolTool.Annotations!.ReadOnlyHint);

        var created = await CallAsync(client, "ledger.create", new() { ["title"] = "Agent-made entry", ["owner"] = "dana", ["waitSeconds"] = 30 });
        Assert.Equal("confirmed", created.GetProperty("state").GetString());
        var key = created.GetProperty("key").GetString()!;
        Assert.StartsWith("mcp:", key, StringComparison.Ordinal);
        var itemId = long.Parse(created.GetProperty("mondayItemId").GetString()!, CultureInfo.InvariantCulture);
        Assert.Contains(bot.Environment.Monday.Items(), i => i.Id == itemId && i.Name == "Agent-made entry");

        Assert.Equal("confirmed", (await CallAsync(client, "ledger.set_status", new() { ["key"] = key, ["status"] = "in_progress", ["waitSeconds"] = 30 })).GetProperty("state").GetString());
        Assert.Equal("confirmed", (await CallAsync(client, "ledger.assign", new() { ["key"] = key, ["owner"] = "erin", ["waitSeconds"] = 30 })).GetProperty("state").GetString());
        Assert.Equal("confirmed", (await CallAsync(client, "ledger.followup", new() { ["key"] = key, ["title"] = "Agent follow-up", ["waitSeconds"] = 30 })).GetProperty("state").GetString());
        Assert.Equal("confirmed", (await CallAsync(client, "monday.create_update", new() { ["key"] = key, ["body"] = "Progress from the agent", ["waitSeconds"] = 30 })).GetProperty("state").GetString());
        Assert.Equal("confirmed", (await CallAsync(client, "monday.update_item", new() { ["key"] = key, ["title"] = "Agent-made entry (renamed)", ["status"] = "done", ["waitSeconds"] = 30 })).GetProperty("state").GetString());

        var query = await CallAsync(client, "ledger.query", new() { ["status"] = "done", ["fields"] = new[] { "key", "owner" } });
        var row = Assert.Single(query.GetProperty("items").EnumerateArray(), i => i.GetProperty("key").GetString() == key);
        Assert.Equal("erin", row.GetProperty("owner").GetString());
        Assert.False(row.TryGetProperty("title", out _));

        var summary = await CallAsync(client, "monday.board_summary", new());
        Assert.True(summary.GetProperty("total").GetInt32() >= 1);
        Assert.Equal(1, summary.GetProperty("byStatus").GetProperty("done").GetInt32());

        var posted = await CallAsync(client, "discord.message", new() { ["channelId"] = EmulatedGuild.Ids.General, ["content"] = "Hello from the ledger agent" });
        Assert.False(string.IsNullOrEmpty(posted.GetProperty("messageId").GetString()));
        Assert.Contains(bot.Environment.Discord.MessagesIn(EmulatedGuild.Ids.General), m => m.Message["content"]!.GetValue<string>() == "Hello from the ledger agent");

        var pulls = await CallAsync(client, "github.list_pull_requests", new() { ["repo"] = SandboxEnvironment.SandboxRepository, ["limit"] = 2 });
        Assert.Equal(2, pulls.GetProperty("count").GetInt32());
        Assert.True(pulls.GetProperty("truncated").GetBoolean());

        var ranking = await CallAsync(client, "registry.rank", new() { ["workflow"] = "code-edit" });
        Assert.NotEmpty(ranking.GetProperty("tools").EnumerateArray());
        var selection = await CallAsync(client, "registry.select", new() { ["workflow"] = "code-edit", ["ledgerKey"] = key });
        Assert.False(string.IsNullOrEmpty(selection.GetProperty("rationale").GetString()));

        var item = bot.Environment.Monday.Items().Single(i => i.Id == itemId);
        Assert.Equal("Agent-made entry (renamed)", item.Name);
        Assert.Contains(bot.Environment.Monday.Items(), i => i.Name == "Agent follow-up");
        Assert.Contains(bot.Environment.Monday.Updates(itemId), u => u.Body.Contains("Progress from the agent", StringComparison.Ordinal));
    }

    private static async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        Assert.True(result.IsError != true, $"{tool}: {Text(result)}");
        return result.StructuredContent!.Value;
    }

    private static string Text(CallToolResult result) => string.Join(" ", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    private static Task<McpClient> HttpClientAsync(ComposedBot bot, string token) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(bot.BotUrl, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
        }));

    /// <summary>`bot mcp` as its own process with the sandbox's configuration, as an IDE would start it.</summary>
    private static Task<McpClient> StdioClientAsync(ComposedBot bot, params string[] verbArgs)
    {
        var botDll = typeof(BotHost).Assembly.Location;
        var settings = SandboxHost.PublishedConfiguration(bot.DataDirectory).Select(p => $"--{p.Key}={p.Value}");
        return McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "bot-mcp",
            Command = "dotnet",
            Arguments = [botDll, "mcp", .. verbArgs, .. settings],
            WorkingDirectory = Path.GetDirectoryName(botDll),
        }));
    }
}
