using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Registry.Tests;

public sealed class CircuitBreakerTests
{
    private static readonly CircuitBreakerOptions Options = new()
    {
        FailureRatio = 0.5,
        SlowCallRatio = 0.6,
        SlowCallDuration = TimeSpan.FromSeconds(2),
        SamplingDuration = TimeSpan.FromSeconds(30),
        MinimumThroughput = 4,
        BreakDuration = TimeSpan.FromSeconds(20),
    };

    private static async Task<RegistryHarness> StartAsync()
    {
        var h = new RegistryHarness(new MemoryRegistryStore(), new FakeTimeProvider(TestTime.Start), Options);
        await h.Registry.InitializeAsync(RegistryTestKit.Catalog(RegistryTestKit.Tool("primary", priority: 1), RegistryTestKit.Tool("spare", priority: 2)), CancellationToken.None);
        h.Results("primary", 2, true);
        h.Results("spare", 2, true);
        return h;
    }

    private static void Calls(RegistryHarness h, int count, bool succeeded, double seconds = 0.1)
    {
        for (var i = 0; i < count; i++)
        {
            h.Registry.RecordCallOutcome("primary", succeeded, TimeSpan.FromSeconds(seconds));
        }
    }

    [Fact]
    public async Task Opens_on_failure_ratio_only_after_minimum_throughput()
    {
        var h = await StartAsync();
        Calls(h, 3, false);
        Assert.Equal("primary", h.Registry.Rank("code-edit").Best?.ToolId);

        Calls(h, 1, true);

        var ranking = h.Registry.Rank("code-edit");
        Assert.Equal("spare", ranking.Best?.ToolId);
        var open = ranking.Tools.Single(t => t.ToolId == "primary");
        Assert.Equal(RankVerdict.CircuitOpen, open.Verdict);
        Assert.Contains("circuit open until 2026-11-21 09:00:20Z", open.Reason, StringComparison.Ordinal);
        var changed = Assert.Single(h.Events.OfType<CircuitStateChanged>());
        Assert.Contains("failure ratio 75", changed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opens_on_slow_calls_even_when_they_succeed()
    {
        var h = await StartAsync();
        Calls(h, 2, true, seconds: 0.1);
        Calls(h, 3, true, seconds: 2.5);

        Assert.Equal(CircuitState.Open, h.Registry.FindTool("primary")!.Circuit);
        Assert.Contains("slow-call ratio 60", h.Events.OfType<CircuitStateChanged>().Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Old_outcomes_leave_the_sampling_window()
    {
        var h = await StartAsync();
        Calls(h, 3, false);
        h.Time.Advance(TimeSpan.FromSeconds(31));
        Calls(h, 3, true);

        Assert.Equal(CircuitState.Closed, h.Registry.FindTool("primary")!.Circuit);
    }

    [Fact]
    public async Task Half_opens_after_the_break_allows_one_probe_and_closes_on_a_fast_success()
    {
        var h = await StartAsync();
        Calls(h, 4, false);
        h.Time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(CircuitState.Open, h.Registry.FindTool("primary")!.Circuit);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CircuitState.HalfOpen, h.Registry.FindTool("primary")!.Circuit);

        // The healthy closed spare ranks first; the half-open tool still is a fallback, and is the probe when chosen.
        Assert.Equal(["spare", "primary"], h.Order("code-edit"));
        await h.Registry.SetOverrideAsync(new OverrideRequest("spare", null, OverrideAction.Disable, "ops", "maintenance", null), null, CancellationToken.None);
        var probe = await h.Registry.SelectAsync("code-edit", "WF-1", "probe-1", null, CancellationToken.None);
        Assert.Equal("primary", probe.Chosen?.ToolId);
        Assert.Contains("circuit half-open (probe call)", probe.Rationale, StringComparison.Ordinal);

        var second = await h.Registry.SelectAsync("code-edit", "WF-2", "probe-2", null, CancellationToken.None);
        Assert.Null(second.Chosen);
        Assert.Contains("single probe call is already in flight", second.Rationale, StringComparison.Ordinal);

        Calls(h, 1, true, seconds: 0.2);
        Assert.Equal(CircuitState.Closed, h.Registry.FindTool("primary")!.Circuit);
        Assert.Equal(
            [CircuitState.Open, CircuitState.Closed],
            h.Events.OfType<CircuitStateChanged>().Select(e => e.Current));
    }

    [Fact]
    public async Task A_failed_or_slow_probe_opens_the_circuit_again()
    {
        var h = await StartAsync();
        Calls(h, 4, false);
        h.Time.Advance(TimeSpan.FromSeconds(20));
        Calls(h, 1, true, seconds: 3);

        Assert.Equal(CircuitState.Open, h.Registry.FindTool("primary")!.Circuit);
        Assert.Contains("half-open probe was slow", h.Events.OfType<CircuitStateChanged>().Last().Reason, StringComparison.Ordinal);
        h.Time.Advance(TimeSpan.FromSeconds(20));
        Calls(h, 1, false);
        Assert.Equal("half-open probe failed", h.Events.OfType<CircuitStateChanged>().Last().Reason);
    }

    [Fact]
    public async Task Breaker_state_is_per_process_and_not_persisted()
    {
        var h = await StartAsync();
        Calls(h, 4, false);
        Assert.Equal(CircuitState.Open, h.Registry.FindTool("primary")!.Circuit);

        var restarted = new RegistryHarness(h.Store, h.Time, Options);
        await restarted.Registry.InitializeAsync(null, CancellationToken.None);

        Assert.Equal(CircuitState.Closed, restarted.Registry.FindTool("primary")!.Circuit);
    }
}
