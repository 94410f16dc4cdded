using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;
using StackExchange.Redis;

namespace DiscordLedgerBot.Registry.Tests;

/// <summary>The Redis store against a private real redis-server, with the same script as the file store.</summary>
public sealed class RedisPersistenceTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dlb-registry-redis-" + Guid.NewGuid().ToString("N"));
    private RedisServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync(new RedisServerSettings { AppendOnly = true });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Redis_survives_a_restart_and_matches_the_file_store_byte_for_byte()
    {
        var redisTime = new FakeTimeProvider(TestTime.Start);
        var fileTime = new FakeTimeProvider(TestTime.Start);
        await using (var connection = await ConnectAsync())
        {
            var viaRedis = new RegistryHarness(new RedisRegistryStore(connection.GetDatabase()), redisTime);
            var viaFile = new RegistryHarness(new FileRegistryStore(Path.Combine(_directory, "registry.json")), fileTime);
            foreach (var (harness, time) in new[] { (viaRedis, redisTime), (viaFile, fileTime) })
            {
                await harness.Registry.InitializeAsync(RegistryTestKit.Catalog(RegistryTestKit.Tool("cursor"), RegistryTestKit.Tool("zed")), CancellationToken.None);
                await harness.Registry.SetOverrideAsync(new OverrideRequest("cursor", null, OverrideAction.Disable, "alice", "incident 7", null), "k1", CancellationToken.None);
                await harness.Registry.SetOverrideAsync(new OverrideRequest("zed", "code-edit", OverrideAction.ForcePrefer, "alice", "try zed", time.GetUtcNow().AddHours(2)), "k2", CancellationToken.None);
                await harness.Registry.UpsertToolAsync(RegistryTestKit.Tool("local", workflows: ["code-edit", "git-flow"]), "ops", CancellationToken.None);
            }

            var fromRedis = await viaRedis.Store.LoadAsync(CancellationToken.None);
            var fromFile = await viaFile.Store.LoadAsync(CancellationToken.None);
            Assert.Equal(RegistrySnapshotSerializer.Serialize(fromFile!), RegistrySnapshotSerializer.Serialize(fromRedis!));
        }

        await _server.KillAsync();
        await _server.RestartAsync();

        await using var reconnected = await ConnectAsync();
        var restarted = new RegistryHarness(new RedisRegistryStore(reconnected.GetDatabase()), redisTime);
        await restarted.Registry.InitializeAsync(null, CancellationToken.None);
        Assert.Equal(4, restarted.Registry.Revision);
        Assert.Equal(["cursor", "local", "zed"], restarted.Registry.ListTools().Select(t => t.Definition.Id));
        Assert.Equal(2, restarted.Registry.Overrides.Count);
        Assert.Equal("zed", restarted.Registry.Rank("code-edit").Best?.ToolId);
    }

    private Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync(new RedisOptions { ConnectionString = _server.ConnectionString }.ToConfigurationOptions());
}
