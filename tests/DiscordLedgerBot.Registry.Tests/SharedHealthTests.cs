using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DiscordLedgerBot.Registry.Tests;

/// <summary>
/// Two registries ("processes": each its own Redis connection, clock and health trackers) on one private redis-server
/// share tool health through <see cref="RedisToolHealthStore"/>: a result on one builds on the other's, a heartbeat
/// received by one counts on the other, and an observation older than the stored one never replaces it.
/// </summary>
public sealed class SharedHealthTests : IAsyncLifetime
{
    private static readonly HealthCheckResult Refused = HealthCheckResult.Failure(TimeSpan.FromMilliseconds(5), "refused");
    private readonly List<ConnectionMultiplexer> _connections = [];
    private RedisServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_result_on_one_process_builds_on_the_other_and_is_adopted_there()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var a = await StartAsync(time);
        var b = await StartAsync(time);

        Assert.True(await a.RecordCheckResultAsync("cursor", Refused, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await a.RecordCheckResultAsync("cursor", Refused, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(10));

        // B's first result continues A's run of failures: the third one makes the tool critical.
        Assert.True(await b.RecordCheckResultAsync("cursor", Refused, CancellationToken.None));
        Assert.Equal(HealthStatus.Critical, b.FindTool("cursor")!.Health.Status);
        Assert.Equal(3, b.FindTool("cursor")!.Health.ConsecutiveFailures);

        await a.AdoptSharedAsync("cursor", CancellationToken.None);
        Assert.Equal(HealthStatus.Critical, a.FindTool("cursor")!.Health.Status);
        Assert.Equal(3, a.FindTool("cursor")!.Health.Samples);
        Assert.Equal(RankVerdict.Critical, a.Rank("code-edit").Tools.Single(t => t.ToolId == "cursor").Verdict);
    }

    [Fact]
    public async Task An_observation_older_than_the_stored_one_never_replaces_it()
    {
        var aheadClock = new FakeTimeProvider(TestTime.Start.AddSeconds(30));
        var behindClock = new FakeTimeProvider(TestTime.Start);
        var ahead = await StartAsync(aheadClock);
        var behind = await StartAsync(behindClock);
        for (var i = 0; i < 3; i++)
        {
            await ahead.RecordCheckResultAsync("cursor", Refused, CancellationToken.None);
        }

        // Observed at an earlier time than the stored verdict: the store keeps the newer one, and so does the writer once it looks again.
        await behind.RecordCheckResultAsync("cursor", HealthCheckResult.Success(TimeSpan.FromMilliseconds(5), "ok"), CancellationToken.None);
        await ahead.AdoptSharedAsync("cursor", CancellationToken.None);
        Assert.Equal(HealthStatus.Critical, ahead.FindTool("cursor")!.Health.Status);
        Assert.Equal(3, ahead.FindTool("cursor")!.Health.Samples);

        behindClock.Advance(TimeSpan.FromSeconds(31));
        await behind.RecordCheckResultAsync("cursor", HealthCheckResult.Success(TimeSpan.FromMilliseconds(5), "ok"), CancellationToken.None);
        await ahead.AdoptSharedAsync("cursor", CancellationToken.None);
        Assert.Equal(0, ahead.FindTool("cursor")!.Health.ConsecutiveFailures);
        Assert.Equal(1, ahead.FindTool("cursor")!.Health.ConsecutiveSuccesses);
    }

    [Fact]
    public async Task A_circuit_opened_by_calls_on_one_process_is_open_on_the_other()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var a = await StartAsync(time);
        var b = await StartAsync(time);
        await b.FollowSharedHealthAsync(CancellationToken.None);

        for (var i = 0; i < new CircuitBreakerOptions().MinimumThroughput; i++)
        {
            a.RecordCallOutcome("cursor", succeeded: false, TimeSpan.FromMilliseconds(5));
        }

        Assert.Equal(CircuitState.Open, a.FindTool("cursor")!.Circuit);
        await Eventually.TrueAsync(() => b.FindTool("cursor")!.Circuit == CircuitState.Open, "B adopts the open circuit");
        Assert.Equal(RankVerdict.CircuitOpen, b.Rank("code-edit").Tools.Single(t => t.ToolId == "cursor").Verdict);

        // The break ends on the shared schedule: half-open on B when it does on A.
        time.Advance(new CircuitBreakerOptions().BreakDuration);
        Assert.Equal(CircuitState.HalfOpen, b.FindTool("cursor")!.Circuit);
    }

    [Fact]
    public async Task A_heartbeat_on_one_process_reaches_the_others_view()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var a = await StartAsync(time, new HealthCheckDocument { Kind = "ttl", IntervalSeconds = 10, TimeoutMs = 1000, MaxAgeSeconds = 60 });
        var b = await StartAsync(time, new HealthCheckDocument { Kind = "ttl", IntervalSeconds = 10, TimeoutMs = 1000, MaxAgeSeconds = 60 });

        Assert.Equal(HeartbeatOutcome.Accepted, await b.RecordHeartbeatAsync("cursor", CancellationToken.None));
        await a.AdoptSharedAsync("cursor", CancellationToken.None);

        Assert.Equal(TestTime.Start, a.FindTool("cursor")!.Health.LastHeartbeatAt);
    }

    private async Task<CapabilityRegistry> StartAsync(TimeProvider time, HealthCheckDocument? check = null)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(new RedisOptions { ConnectionString = _server.ConnectionString }.ToConfigurationOptions());
        _connections.Add(connection);
        var registry = new CapabilityRegistry(
            new RedisRegistryStore(connection.GetDatabase()),
            new InMemoryDecisionRecorder(),
            new RecordingEventSink(),
            time,
            logger: null,
            sharedHealth: new RedisToolHealthStore(connection, RedisToolHealthStore.DefaultKeyPrefix, NullLogger<RedisToolHealthStore>.Instance));
        await registry.InitializeAsync(RegistryTestKit.Catalog(RegistryTestKit.Tool("cursor", check: check)), CancellationToken.None);
        return registry;
    }
}
