using DiscordLedgerBot.Core.Registry;

namespace DiscordLedgerBot.Registry.Tests;

public sealed class OverrideTests
{
    [Fact]
    public async Task Every_override_is_audited_evented_and_recorded_on_the_audit_ledger_item()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("cursor"));

        await h.Registry.SetOverrideAsync(new OverrideRequest("cursor", "code-edit", OverrideAction.Disable, "alice", "incident 9", h.Time.GetUtcNow().AddHours(1)), "req-1", CancellationToken.None);
        await h.Registry.ClearOverrideAsync("cursor", "code-edit", "alice", "resolved", "req-2", CancellationToken.None);

        Assert.Equal(["override-disable", "override-cleared"], h.Registry.Audit.Select(a => a.Action));
        Assert.Equal([OverrideChangeKind.Set, OverrideChangeKind.Cleared], h.Events.OfType<OverrideChanged>().Select(e => e.Change));
        Assert.Equal(
            [
                "Registry override: tool cursor disabled for code-edit by alice (incident 9) until 2026-11-21 10:00:00Z.",
                "Registry override cleared: tool cursor for code-edit by alice (resolved); was disabled for code-edit by alice (incident 9) until 2026-11-21 10:00:00Z.",
            ],
            h.Recorder.Decisions.Select(d => d.Body));
        Assert.All(h.Recorder.Decisions, d => Assert.Equal("registry-audit", d.LedgerKey));
        Assert.Equal(["req-1", "req-2"], h.Recorder.Decisions.Select(d => d.IdempotencyKey));
    }

    [Theory]
    [InlineData("ghost", null, null, "Tool 'ghost' is not registered")]
    [InlineData("cursor", "deploy", null, "workflow 'deploy' is not declared")]
    [InlineData("cursor", "git-flow", null, "tool 'cursor' does not serve workflow 'git-flow'")]
    [InlineData("cursor", null, -5, "is not in the future")]
    public async Task Bad_override_requests_are_rejected_and_change_nothing(string tool, string? workflow, int? expiresInMinutes, string message)
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("cursor"));
        var expires = expiresInMinutes is { } minutes ? h.Time.GetUtcNow().AddMinutes(minutes) : (DateTimeOffset?)null;

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            h.Registry.SetOverrideAsync(new OverrideRequest(tool, workflow, OverrideAction.Disable, "ops", "why", expires), null, CancellationToken.None));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Registry.Overrides);
        Assert.Empty(h.Registry.Audit);
        Assert.Equal(1, h.Registry.Revision);
        Assert.Empty(h.Events.Events);
    }

    [Fact]
    public async Task Actor_and_reason_are_required()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("cursor"));

        var error = await Assert.ThrowsAsync<RegistryValidationException>(() =>
            h.Registry.SetOverrideAsync(new OverrideRequest("cursor", null, OverrideAction.Disable, " ", "why", null), null, CancellationToken.None));

        Assert.Equal("actor is required (1-100 characters).", error.Message);
    }

    [Fact]
    public async Task Updating_a_tool_keeps_health_unless_its_probe_changes()
    {
        var h = await RegistryTestKit.StartAsync(RegistryTestKit.Tool("cursor"));
        h.Results("cursor", 2, true);

        await h.Registry.UpsertToolAsync(RegistryTestKit.Tool("cursor", priority: 5), "ops", CancellationToken.None);
        Assert.Equal(HealthStatus.Passing, h.Registry.FindTool("cursor")!.Health.Status);

        await h.Registry.UpsertToolAsync(RegistryTestKit.Tool("cursor", check: new HealthCheckDocument { Kind = "tcp", IntervalSeconds = 10, TimeoutMs = 1000, Host = "127.0.0.1", Port = 2 }), "ops", CancellationToken.None);
        Assert.Equal(HealthStatus.Unknown, h.Registry.FindTool("cursor")!.Health.Status);
        Assert.Equal([false, true, true], h.Events.OfType<ToolRegistered>().Select(e => e.Replaced).Prepend(false).Take(3));
    }
}
