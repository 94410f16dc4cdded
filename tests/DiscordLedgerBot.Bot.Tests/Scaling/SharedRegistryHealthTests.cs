using System.Net;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Api;
using DiscordLedgerBot.Bot.Tests.Hosting;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Scaling;

/// <summary>
/// Registry:Store=redis: two composed bots (production composition, real Kestrel) on one private redis-server share
/// what their health checks observe. A check run on bot A changes the ranking bot B answers over HTTP, and a heartbeat
/// bot B received lets bot A's TTL check pass. The TTL tool's own scheduled checks run every 30 s on each bot, far
/// slower than what is asserted here, so B's answers can only come from A's checks.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SharedRegistryHealthTests
{
    private const string Tool = "legacy-runner";
    private const string AgentToken = "agent-heartbeat-token-0123456789";

    [Fact]
    public async Task A_check_on_one_bot_changes_the_ranking_on_the_other()
    {
        await using var redis = await RedisServer.StartAsync();
        string[] settings = ["--Registry:Store=redis", $"--Redis:ConnectionString={redis.ConnectionString}", $"--Registry:AgentToken={AgentToken}"];
        await using var a = await ApiTestKit.StartAsync(settings);
        await using var b = await ApiTestKit.StartAsync(settings);
        var monitorA = a.Services.GetRequiredService<RegistryHealthMonitor>();
        Assert.True(a.Services.GetRequiredService<CapabilityRegistry>().SharesHealth);

        // No heartbeat yet: A's checks fail until the tool is critical; B ranks it critical without checking it.
        for (var i = 0; i < 3; i++)
        {
            await monitorA.CheckToolAsync(Tool, CancellationToken.None);
        }

        Assert.Equal("critical", await HealthOnAsync(a));
        await Eventually.TrueAsync(async () => await HealthOnAsync(b) == "critical", "B ranks the tool critical from A's checks", TimeSpan.FromSeconds(10));
        var rankedOnB = await RankedAsync(b);
        Assert.False(rankedOnB["eligible"]!.GetValue<bool>());

        // The agent's heartbeat reaches B; A's TTL check sees it and passes (2 successes), and B ranks it passing.
        using (var agent = b.Http(AgentToken))
        {
            using var heartbeat = await agent.PostAsync($"/registry/tools/{Tool}/heartbeat", content: null);
            Assert.Equal(HttpStatusCode.NoContent, heartbeat.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            var result = await monitorA.CheckToolAsync(Tool, CancellationToken.None);
            Assert.True(result!.Succeeded, result.Detail);
        }

        Assert.Equal("passing", await HealthOnAsync(a));
        await Eventually.TrueAsync(async () => await HealthOnAsync(b) == "passing", "B ranks the tool passing from A's checks", TimeSpan.FromSeconds(10));
        Assert.True((await RankedAsync(b))["eligible"]!.GetValue<bool>());
        var shared = b.Services.GetRequiredService<CapabilityRegistry>().FindTool(Tool)!.Health;
        Assert.True(shared.ConsecutiveSuccesses >= 2, $"{shared.ConsecutiveSuccesses} consecutive successes on B");
        Assert.NotNull(shared.LastHeartbeatAt);
    }

    private static async Task<string> HealthOnAsync(ComposedBot bot) => (await RankedAsync(bot))["health"]!.GetValue<string>();

    private static async Task<JsonNode> RankedAsync(ComposedBot bot)
    {
        using var http = bot.Http(ApiTestKit.Full);
        var ranking = await http.GetJsonNodeAsync("/api/v1/registry/rank?workflow=test-run");
        return ranking!["tools"]!.AsArray().Single(t => t!["toolId"]!.GetValue<string>() == Tool)!;
    }
}
