using DiscordLedgerBot.Core.Registry;

namespace DiscordLedgerBot.Registry.Tests;

public sealed class RankingTests
{
    [Fact]
    public async Task Healthy_fast_tool_is_preferred_over_a_slower_one()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("slow"), RegistryTestKit.Tool("fast"));
        h.Results("slow", 2, true, latencyMs: 300);
        h.Results("fast", 2, true, latencyMs: 30);

        var ranking = h.Registry.Rank("code-edit");

        Assert.Equal(["fast", "slow"], ranking.Tools.Select(t => t.ToolId));
        Assert.All(ranking.Tools, t => Assert.Equal(HealthStatus.Passing, t.Health.Status));
        Assert.Contains("ewma 30 ms", ranking.Tools[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passing_tool_ranks_before_warning_and_unknown_ones_whatever_their_priority()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("never-checked", priority: 1), RegistryTestKit.Tool("sluggish", priority: 2), RegistryTestKit.Tool("healthy", priority: 3));
        h.Results("sluggish", 2, true, latencyMs: 900);
        h.Results("healthy", 2, true, latencyMs: 40);

        Assert.Equal(["healthy", "sluggish", "never-checked"], h.Order("code-edit"));
        Assert.Equal(HealthStatus.Warning, h.Registry.FindTool("sluggish")!.Health.Status);
    }

    [Fact]
    public async Task Critical_tool_is_skipped_with_its_reason()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("broken", priority: 1), RegistryTestKit.Tool("backup", priority: 50));
        h.Results("broken", 2, true);
        h.Results("backup", 2, true);
        h.Results("broken", 3, false);

        var ranking = h.Registry.Rank("code-edit");

        Assert.Equal("backup", ranking.Best?.ToolId);
        var skipped = ranking.Tools.Single(t => t.ToolId == "broken");
        Assert.Equal(RankVerdict.Critical, skipped.Verdict);
        Assert.Contains("critical since", skipped.Reason, StringComparison.Ordinal);
        Assert.Contains("3 consecutive failed checks: HTTP 500", skipped.Reason, StringComparison.Ordinal);
        var change = Assert.Single(h.Events.OfType<ToolHealthChanged>(), e => e.ToolId == "broken" && e.Current == HealthStatus.Critical);
        Assert.Equal(HealthStatus.Passing, change.Previous);
    }

    [Fact]
    public async Task Flapping_check_is_damped_in_both_directions()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("flappy"));
        h.Results("flappy", 2, true);
        for (var i = 0; i < 10; i++)
        {
            h.Results("flappy", 1, false);
            h.Results("flappy", 1, true);
        }

        Assert.Equal(HealthStatus.Passing, h.Registry.FindTool("flappy")!.Health.Status);

        h.Results("flappy", 3, false);
        for (var i = 0; i < 10; i++)
        {
            h.Results("flappy", 1, true);
            h.Results("flappy", 1, false);
        }

        Assert.Equal(HealthStatus.Critical, h.Registry.FindTool("flappy")!.Health.Status);
        Assert.Equal(2, h.Events.OfType<ToolHealthChanged>().Count);
    }

    [Fact]
    public async Task Forced_override_wins_and_expires_on_time()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("best", priority: 1), RegistryTestKit.Tool("chosen", lifecycle: "experimental", priority: 90));
        h.Results("best", 2, true, 10);
        h.Results("chosen", 2, true, 400);
        Assert.Equal("best", h.Registry.Rank("code-edit").Best?.ToolId);

        var expires = h.Time.GetUtcNow().AddMinutes(30);
        await h.Registry.SetOverrideAsync(new OverrideRequest("chosen", null, OverrideAction.ForcePrefer, "alice", "incident 42: cursor degraded", expires), "idem-1", CancellationToken.None);

        var forced = h.Registry.Rank("code-edit").Best!.Value;
        Assert.Equal("chosen", forced.ToolId);
        Assert.Contains("force-preferred for all workflows by alice (incident 42: cursor degraded)", forced.Reason, StringComparison.Ordinal);

        h.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal("chosen", h.Registry.Rank("code-edit").Best?.ToolId);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("best", h.Registry.Rank("code-edit").Best?.ToolId);

        await h.Registry.SweepAsync(CancellationToken.None);
        Assert.Empty(h.Registry.Overrides);
        Assert.Contains(h.Events.OfType<OverrideChanged>(), e => e.Change == OverrideChangeKind.Expired && e.Override.ToolId == "chosen");
        Assert.Contains(h.Registry.Audit, a => a.Action == "override-expired");
    }

    [Fact]
    public async Task Deprecated_tool_is_only_a_last_resort_and_experimental_follows_production()
    {
        var h = await RegistryTestKit.StartAsync(
            RegistryTestKit.Tool("old", lifecycle: "deprecated", priority: 0),
            RegistryTestKit.Tool("new", lifecycle: "experimental", priority: 0),
            RegistryTestKit.Tool("main", priority: 100));
        h.Results("old", 2, true, 5);
        h.Results("new", 2, true, 5);
        h.Results("main", 2, true, 800);

        Assert.Equal(["main", "new", "old"], h.Order("code-edit"));

        h.Results("main", 3, false);
        h.Results("new", 3, false);
        var ranking = h.Registry.Rank("code-edit");
        Assert.Equal("old", ranking.Best?.ToolId);
        Assert.Contains("deprecated (last resort)", ranking.Best!.Value.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_without_a_required_affordance_or_disabled_are_skipped_and_a_workflow_enable_lifts_a_global_disable()
    {
        var h = await RegistryTestKit.StartAsync(
            RegistryTestKit.Tool("editor", affordances: ["multi-file-edit"]),
            RegistryTestKit.Tool("runner", affordances: ["multi-file-edit", "run-tests"], workflows: ["code-edit", "test-run"]));

        var ranking = h.Registry.Rank("code-edit", ["run-tests"]);
        Assert.Equal("runner", ranking.Best?.ToolId);
        Assert.Equal("lacks required affordance 'run-tests'", ranking.Tools.Single(t => t.ToolId == "editor").Reason);

        await h.Registry.SetOverrideAsync(new OverrideRequest("runner", null, OverrideAction.Disable, "bob", "flaky", null), null, CancellationToken.None);
        Assert.Null(h.Registry.Rank("code-edit", ["run-tests"]).Best);
        Assert.Null(h.Registry.Rank("test-run").Best);

        await h.Registry.SetOverrideAsync(new OverrideRequest("runner", "test-run", OverrideAction.Enable, "bob", "tests are fine", null), null, CancellationToken.None);
        Assert.Equal("runner", h.Registry.Rank("test-run").Best?.ToolId);
        Assert.Null(h.Registry.Rank("code-edit", ["run-tests"]).Best);
    }

    [Fact]
    public async Task Select_records_the_rationale_with_skipped_tools_once_per_idempotency_key()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("cursor", priority: 1), RegistryTestKit.Tool("local", priority: 50), RegistryTestKit.Tool("zed", priority: 20));
        h.Results("cursor", 3, false);
        h.Results("local", 2, true);
        await h.Registry.SetOverrideAsync(new OverrideRequest("zed", "code-edit", OverrideAction.Disable, "carol", "licence expired", null), null, CancellationToken.None);

        var selection = await h.Registry.SelectAsync("code-edit", "WF-123", "interaction-9", null, CancellationToken.None);
        await h.Registry.SelectAsync("code-edit", "WF-123", "interaction-9", null, CancellationToken.None);

        Assert.Equal("local", selection.Chosen?.ToolId);
        Assert.StartsWith("Workflow code-edit → local (Tool local): production, passing", selection.Rationale, StringComparison.Ordinal);
        Assert.Contains("cursor — critical since", selection.Rationale, StringComparison.Ordinal);
        Assert.Contains("zed — disabled for code-edit by carol (licence expired)", selection.Rationale, StringComparison.Ordinal);
        var recorded = Assert.Single(h.Recorder.Decisions, d => d.LedgerKey == "WF-123");
        Assert.Equal(selection.Rationale, recorded.Body);
        Assert.Equal("interaction-9", recorded.IdempotencyKey);
        Assert.Contains(h.Events.OfType<ToolSelected>(), e => e.ToolId == "local");
    }

    [Fact]
    public async Task Select_without_any_eligible_tool_says_so()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("only"));
        h.Results("only", 3, false);

        var selection = await h.Registry.SelectAsync("code-edit", "WF-1", "k-1", null, CancellationToken.None);

        Assert.Null(selection.Chosen);
        Assert.StartsWith("Workflow code-edit → no eligible tool. Skipped: only — critical", selection.Rationale, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rank_rejects_an_undeclared_workflow()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("a"));
        var error = Assert.Throws<RegistryValidationException>(() => h.Registry.Rank("deploy"));
        Assert.Contains("Workflow 'deploy' is not declared", error.Message, StringComparison.Ordinal);
    }
}
