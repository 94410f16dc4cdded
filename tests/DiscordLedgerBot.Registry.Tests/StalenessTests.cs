using DiscordLedgerBot.Core.Registry;

namespace DiscordLedgerBot.Registry.Tests;

public sealed class StalenessTests
{
    [Fact]
    public async Task Silent_tool_turns_stale_then_is_pruned_with_visible_events()
    {
        var h = await RegistryTestKit.StartAsync(
            RegistryTestKit.Tool("agent", check: new HealthCheckDocument { Kind = "ttl", IntervalSeconds = 10, TimeoutMs = 1000, MaxAgeSeconds = 60 }, staleness: new StalenessDocument { StaleAfterSeconds = 120, PruneAfterSeconds = 600 }),
            RegistryTestKit.Tool("steady"));
        h.Registry.RecordHeartbeat("agent");
        await h.Registry.SetOverrideAsync(new OverrideRequest("agent", null, OverrideAction.ForcePrefer, "ops", "pilot", null), null, CancellationToken.None);

        h.Time.Advance(TimeSpan.FromSeconds(119));
        await h.Registry.SweepAsync(CancellationToken.None);
        Assert.Empty(h.Events.OfType<ToolStale>());

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Registry.SweepAsync(CancellationToken.None);
        await h.Registry.SweepAsync(CancellationToken.None);
        var stale = h.Events.OfType<ToolStale>().Where(e => e.ToolId == "agent").ToList();
        Assert.Single(stale);
        Assert.True(h.Registry.FindTool("agent")!.Health.Stale);
        Assert.Contains("stale (no fresh check result)", h.Registry.Rank("code-edit").Tools.Single(t => t.ToolId == "agent").Reason, StringComparison.Ordinal);

        h.Time.Advance(TimeSpan.FromSeconds(600));
        await h.Registry.SweepAsync(CancellationToken.None);

        Assert.Null(h.Registry.FindTool("agent"));
        Assert.Empty(h.Registry.Overrides);
        Assert.Single(h.Events.OfType<ToolPruned>(), e => e.ToolId == "agent");
        Assert.Contains(h.Registry.Audit, a => a.Action == "tool-pruned" && a.ToolId == "agent");
        Assert.Contains(h.Recorder.Decisions, d => d.LedgerKey == "registry-audit" && d.Body.StartsWith("Registry pruned tool agent", StringComparison.Ordinal));
        Assert.NotNull(h.Registry.FindTool("steady"));
    }

    [Fact]
    public async Task A_fresh_result_clears_staleness()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("cursor", staleness: new StalenessDocument { StaleAfterSeconds = 60 }));
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.Registry.SweepAsync(CancellationToken.None);
        Assert.True(h.Registry.FindTool("cursor")!.Health.Stale);

        h.Results("cursor", 1, true);

        Assert.False(h.Registry.FindTool("cursor")!.Health.Stale);
    }
}
