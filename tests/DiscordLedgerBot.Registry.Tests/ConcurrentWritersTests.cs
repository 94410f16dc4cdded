using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;
using StackExchange.Redis;

namespace DiscordLedgerBot.Registry.Tests;

/// <summary>
/// Two registries, each with its own store object over one file or one Redis key (as two bot processes have), change
/// the registry at the same time. Saves compare revisions, so the loser re-applies its change on the winner's registry:
/// no override and no tool is lost, and the revision counts every change once.
/// </summary>
public sealed class ConcurrentWritersTests : IAsyncLifetime
{
    private const int ChangesPerWriter = 20;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dlb-registry-occ-" + Guid.NewGuid().ToString("N"));
    private RedisServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Concurrent_overrides_from_two_writers_on_one_file_are_all_kept()
    {
        var path = Path.Combine(_directory, "registry.json");
        await AssertNoneLostAsync(() => new FileRegistryStore(path));
    }

    [Fact]
    public async Task Concurrent_overrides_from_two_writers_on_one_redis_key_are_all_kept()
    {
        await using var first = await ConnectAsync();
        await using var second = await ConnectAsync();
        var opened = 0;
        await AssertNoneLostAsync(() => new RedisRegistryStore((opened++ % 2 == 0 ? first : second).GetDatabase()));
    }

    [Fact]
    public async Task A_save_against_a_stale_revision_writes_nothing()
    {
        await using var connection = await ConnectAsync();
        IRegistryStore[] stores = [new MemoryRegistryStore(), new FileRegistryStore(Path.Combine(_directory, "stale.json")), new RedisRegistryStore(connection.GetDatabase(), "dlb:test:stale")];
        foreach (var store in stores)
        {
            Assert.True(await store.SaveAsync(new RegistrySnapshot { Revision = 1, Workflows = ["code-edit"] }, 0, CancellationToken.None));
            Assert.False(await store.SaveAsync(new RegistrySnapshot { Revision = 2, Workflows = ["lost"] }, 0, CancellationToken.None));
            Assert.True(await store.SaveAsync(new RegistrySnapshot { Revision = 2, Workflows = ["test-run"] }, 1, CancellationToken.None));
            var stored = await store.LoadAsync(CancellationToken.None);
            Assert.Equal(2, stored!.Revision);
            Assert.Equal(["test-run"], stored.Workflows);
        }
    }

    private static async Task AssertNoneLostAsync(Func<IRegistryStore> openStore)
    {
        // The real clock: a writer that lost a race pauses a few random milliseconds before it re-applies its change.
        var time = TimeProvider.System;
        var a = new RegistryHarness(openStore(), time);
        var b = new RegistryHarness(openStore(), time);
        var catalog = RegistryTestKit.Catalog(RegistryTestKit.Tool("cursor"), RegistryTestKit.Tool("zed"));

        // Both start on an empty store: one seeds it, the other adopts that seed.
        await Task.WhenAll(a.Registry.InitializeAsync(catalog, CancellationToken.None), b.Registry.InitializeAsync(catalog, CancellationToken.None));

        await Task.WhenAll(WriteAsync(a.Registry, "a"), WriteAsync(b.Registry, "b"));

        var fresh = new RegistryHarness(openStore(), time);
        await fresh.Registry.InitializeAsync(seed: null, CancellationToken.None);
        var tools = fresh.Registry.ListTools().Select(t => t.Definition.Id).ToHashSet(StringComparer.Ordinal);
        var expected = Enumerable.Range(0, ChangesPerWriter).SelectMany(i => new[] { $"a{i}", $"b{i}" }).ToList();
        Assert.All(expected, id => Assert.Contains(id, tools));
        var overrides = fresh.Registry.Overrides.Select(o => o.ToolId).ToHashSet(StringComparer.Ordinal);
        Assert.All(expected, id => Assert.Contains(id, overrides));

        // Seed (1) + per writer: one tool upsert and one override per change.
        Assert.Equal(1 + (2 * 2 * ChangesPerWriter), fresh.Registry.Revision);
    }

    private static async Task WriteAsync(CapabilityRegistry registry, string writer)
    {
        for (var i = 0; i < ChangesPerWriter; i++)
        {
            var id = $"{writer}{i}";
            await registry.UpsertToolAsync(RegistryTestKit.Tool(id), writer, CancellationToken.None);
            await registry.SetOverrideAsync(new OverrideRequest(id, null, OverrideAction.Disable, writer, $"change {i}", null), $"{id}-override", CancellationToken.None);
        }
    }

    private Task<ConnectionMultiplexer> ConnectAsync() =>
        ConnectionMultiplexer.ConnectAsync(new RedisOptions { ConnectionString = _server.ConnectionString }.ToConfigurationOptions());
}
