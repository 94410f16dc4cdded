using System.Net;
using System.Net.Sockets;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Registry.Tests;

/// <summary>Checkers against real loopback servers that degrade on command; time is real here because sockets are.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task Http_check_transitions_within_damping_and_records_latency()
    {
        await using var server = new DegradableHttpServer();
        var (h, monitor) = await StartAsync(new HealthCheckDocument { Kind = "http", IntervalSeconds = 10, TimeoutMs = 2000, Url = server.Url, ExpectedStatus = 200 });

        await monitor.CheckToolAsync("probe", CancellationToken.None);
        Assert.Equal(HealthStatus.Unknown, Health(h).Status);
        var ok = await monitor.CheckToolAsync("probe", CancellationToken.None);
        Assert.True(ok!.Succeeded);
        Assert.Equal("HTTP 200", ok.Detail);
        Assert.Equal(HealthStatus.Passing, Health(h).Status);

        server.Mode = ServerMode.Error;
        var failed = await monitor.CheckToolAsync("probe", CancellationToken.None);
        Assert.Equal("HTTP 500 (expected 200)", failed!.Detail);
        Assert.Equal(HealthStatus.Passing, Health(h).Status);
        await monitor.CheckToolAsync("probe", CancellationToken.None);
        Assert.Equal(HealthStatus.Critical, Health(h).Status);

        var health = Health(h);
        Assert.Equal(4, health.Samples);
        Assert.True(health.EwmaLatencyMs > 0);
        Assert.True(health.P95LatencyMs >= health.EwmaLatencyMs * 0.5);
        Assert.Equal([HealthStatus.Passing, HealthStatus.Critical], h.Events.OfType<ToolHealthChanged>().Select(e => e.Current));
    }

    [Fact]
    public async Task Slow_but_successful_answers_turn_the_tool_warning()
    {
        await using var server = new DegradableHttpServer { Mode = ServerMode.Slow };
        var (h, monitor) = await StartAsync(
            new HealthCheckDocument { Kind = "http", IntervalSeconds = 10, TimeoutMs = 5000, Url = server.Url },
            new DampingDocument { SuccessesToPass = 1, FailuresToCritical = 1, WarningLatencyMs = 20 });

        var slow = await monitor.CheckToolAsync("probe", CancellationToken.None);

        Assert.Equal("HTTP 200", slow!.Detail);
        Assert.True(slow.Latency >= TimeSpan.FromMilliseconds(40));
        Assert.Equal(HealthStatus.Warning, Health(h).Status);
    }

    [Fact]
    public async Task Http_check_times_out_on_a_hung_server()
    {
        await using var server = new DegradableHttpServer { Mode = ServerMode.Hang };
        var (h, monitor) = await StartAsync(
            new HealthCheckDocument { Kind = "http", IntervalSeconds = 10, TimeoutMs = 500, Url = server.Url },
            new DampingDocument { SuccessesToPass = 1, FailuresToCritical = 1, WarningLatencyMs = 20 });

        var hung = await monitor.CheckToolAsync("probe", CancellationToken.None);

        Assert.Equal("no response within 500 ms", hung!.Detail);
        // The timeout is a timer; it may fire a scheduler tick before the stopwatch reads 500 ms, never much earlier.
        Assert.InRange(hung.Latency, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(30));
        Assert.Equal(HealthStatus.Critical, Health(h).Status);
    }

    [Fact]
    public async Task Http_check_reports_a_refused_connection()
    {
        var server = new DegradableHttpServer();
        var url = server.Url;
        await server.DisposeAsync();
        var (_, monitor) = await StartAsync(new HealthCheckDocument { Kind = "http", IntervalSeconds = 10, TimeoutMs = 2000, Url = url });

        var refused = await monitor.CheckToolAsync("probe", CancellationToken.None);

        Assert.False(refused!.Succeeded);
        Assert.StartsWith("request failed: ConnectionError", refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_check_passes_while_listening_and_fails_when_refused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var (h, monitor) = await StartAsync(
            // Pass/fail is what this test is about: a loaded CI machine's real connect time must not read as "slow".
            new HealthCheckDocument { Kind = "tcp", IntervalSeconds = 30, TimeoutMs = 20_000, Host = "127.0.0.1", Port = port },
            new DampingDocument { SuccessesToPass = 1, FailuresToCritical = 2, WarningLatencyMs = 15_000 });
        try
        {
            var ok = await monitor.CheckToolAsync("probe", CancellationToken.None);
            Assert.Equal($"connected to 127.0.0.1:{port}", ok!.Detail);
            Assert.Equal(HealthStatus.Passing, Health(h).Status);
        }
        finally
        {
            listener.Stop();
        }

        var refused = await monitor.CheckToolAsync("probe", CancellationToken.None);
        Assert.Equal($"connect to 127.0.0.1:{port} failed: ConnectionRefused", refused!.Detail);
        await monitor.CheckToolAsync("probe", CancellationToken.None);
        Assert.Equal(HealthStatus.Critical, Health(h).Status);
    }

    [Fact]
    public async Task Command_check_compares_the_exit_code_and_kills_a_hung_command()
    {
        var (_, exits3) = await StartAsync(new HealthCheckDocument { Kind = "command", IntervalSeconds = 10, TimeoutMs = 5000, Executable = "sh", Arguments = ["-c", "echo broken >&2; exit 3"] });
        var failed = await exits3.CheckToolAsync("probe", CancellationToken.None);
        Assert.Equal("exit 3 (expected 0): broken", failed!.Detail);

        var (_, passes) = await StartAsync(new HealthCheckDocument { Kind = "command", IntervalSeconds = 10, TimeoutMs = 5000, Executable = "sh", Arguments = ["-c", "exit 3"], ExpectedExitCode = 3 });
        Assert.True((await passes.CheckToolAsync("probe", CancellationToken.None))!.Succeeded);

        var (_, hangs) = await StartAsync(new HealthCheckDocument { Kind = "command", IntervalSeconds = 10, TimeoutMs = 300, Executable = "sleep", Arguments = ["30"] });
        var killed = await hangs.CheckToolAsync("probe", CancellationToken.None);
        Assert.Equal("'sleep' did not exit within 300 ms and was killed", killed!.Detail);

        var (_, missing) = await StartAsync(new HealthCheckDocument { Kind = "command", IntervalSeconds = 10, TimeoutMs = 300, Executable = "/nonexistent/tool-check" });
        Assert.StartsWith("cannot start '/nonexistent/tool-check'", (await missing.CheckToolAsync("probe", CancellationToken.None))!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ttl_check_follows_heartbeats_on_the_fake_clock()
    {
        var h = new RegistryHarness(new MemoryRegistryStore(), new FakeTimeProvider(TestTime.Start));
        await h.Registry.InitializeAsync(
            RegistryTestKit.Catalog(RegistryTestKit.Tool("agent", check: new HealthCheckDocument { Kind = "ttl", IntervalSeconds = 10, TimeoutMs = 1000, MaxAgeSeconds = 60 }, damping: new DampingDocument { SuccessesToPass = 1, FailuresToCritical = 1 })),
            CancellationToken.None);
        var monitor = new RegistryHealthMonitor(h.Registry, [new TtlHealthChecker(h.Time)]);

        Assert.Equal("no heartbeat received yet", (await monitor.CheckToolAsync("agent", CancellationToken.None))!.Detail);
        Assert.Equal(HeartbeatOutcome.Accepted, h.Registry.RecordHeartbeat("agent"));
        h.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("heartbeat 30 s old", (await monitor.CheckToolAsync("agent", CancellationToken.None))!.Detail);
        Assert.Equal(HealthStatus.Passing, h.Registry.FindTool("agent")!.Health.Status);
        h.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("last heartbeat 61 s old (max 60 s)", (await monitor.CheckToolAsync("agent", CancellationToken.None))!.Detail);
        Assert.Equal(HealthStatus.Critical, h.Registry.FindTool("agent")!.Health.Status);
        Assert.Equal(HeartbeatOutcome.UnknownTool, h.Registry.RecordHeartbeat("ghost"));
    }

    private static ToolHealthSnapshot Health(RegistryHarness h) => h.Registry.FindTool("probe")!.Health;

    private static async Task<(RegistryHarness Harness, RegistryHealthMonitor Monitor)> StartAsync(HealthCheckDocument check, DampingDocument? damping = null)
    {
        // Probes measure real sockets, so the registry runs on the real clock in these tests.
        var h = new RegistryHarness(new MemoryRegistryStore(), TimeProvider.System);
        await h.Registry.InitializeAsync(
            RegistryTestKit.Catalog(RegistryTestKit.Tool("probe", check: check, damping: damping ?? new DampingDocument { SuccessesToPass = 2, FailuresToCritical = 2, WarningLatencyMs = 1000 })),
            CancellationToken.None);
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var monitor = new RegistryHealthMonitor(h.Registry, [new HttpHealthChecker(http, TimeProvider.System), new TcpHealthChecker(TimeProvider.System), new CommandHealthChecker(TimeProvider.System)]);
        return (h, monitor);
    }
}
