using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Registry.Tests;

public sealed class PersistenceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dlb-registry-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Overrides_tools_and_audit_survive_a_restart_on_the_file_store_but_health_does_not()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var path = Path.Combine(_directory, "registry.json");
        var first = new RegistryHarness(new FileRegistryStore(path), time);
        await first.Registry.InitializeAsync(RegistryTestKit.Catalog(RegistryTestKit.Tool("cursor"), RegistryTestKit.Tool("zed")), CancellationToken.None);
        await ApplyScriptAsync(first.Registry, time);
        first.Results("cursor", 2, true);

        var second = new RegistryHarness(new FileRegistryStore(path), time);
        await second.Registry.InitializeAsync(seed: null, CancellationToken.None);

        Assert.Equal(first.Registry.Revision, second.Registry.Revision);
        Assert.Equal(["cursor", "local", "zed"], second.Registry.ListTools().Select(t => t.Definition.Id));
        Assert.Equal(first.Registry.Overrides, second.Registry.Overrides);
        Assert.Equal(first.Registry.Audit, second.Registry.Audit);
        Assert.Equal(HealthStatus.Unknown, second.Registry.FindTool("cursor")!.Health.Status);
        Assert.Equal("zed", second.Registry.Rank("code-edit").Best?.ToolId);
        // Besides the registry only the writers' lock file (compare-and-rename is done under an OS lock on it); no temp file is left.
        Assert.Equal(["registry.json", "registry.json.lock"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Memory_and_file_stores_persist_identical_snapshots()
    {
        var memoryTime = new FakeTimeProvider(TestTime.Start);
        var fileTime = new FakeTimeProvider(TestTime.Start);
        var memory = new RegistryHarness(new MemoryRegistryStore(), memoryTime);
        var file = new RegistryHarness(new FileRegistryStore(Path.Combine(_directory, "parity.json")), fileTime);
        foreach (var (harness, time) in new[] { (memory, memoryTime), (file, fileTime) })
        {
            await harness.Registry.InitializeAsync(RegistryTestKit.Catalog(RegistryTestKit.Tool("cursor"), RegistryTestKit.Tool("zed")), CancellationToken.None);
            await ApplyScriptAsync(harness.Registry, time);
        }

        var fromMemory = await memory.Store.LoadAsync(CancellationToken.None);
        var fromFile = await file.Store.LoadAsync(CancellationToken.None);

        Assert.Equal(RegistrySnapshotSerializer.Serialize(fromMemory!), RegistrySnapshotSerializer.Serialize(fromFile!));
        Assert.Equal(6, fromFile!.Revision);
    }

    [Fact]
    public async Task Store_wins_over_the_seed_catalog_after_the_first_start()
    {
        var store = new MemoryRegistryStore();
        var first = new RegistryHarness(store, new FakeTimeProvider(TestTime.Start));
        await first.Registry.InitializeAsync(RegistryTestKit.Catalog(RegistryTestKit.Tool("cursor")), CancellationToken.None);
        await first.Registry.RemoveToolAsync("cursor", "ops", "retired", CancellationToken.None);

        var second = new RegistryHarness(store, new FakeTimeProvider(TestTime.Start));
        await second.Registry.InitializeAsync(RegistryTestKit.Catalog(RegistryTestKit.Tool("cursor")), CancellationToken.None);

        Assert.Empty(second.Registry.ListTools());
    }

    [Fact]
    public async Task A_failed_save_changes_nothing()
    {
        var store = new FailingStore();
        var h = new RegistryHarness(store, new FakeTimeProvider(TestTime.Start));
        await h.Registry.InitializeAsync(RegistryTestKit.Catalog(RegistryTestKit.Tool("cursor")), CancellationToken.None);
        store.Fail = true;

        await Assert.ThrowsAsync<IOException>(() => h.Registry.SetOverrideAsync(new OverrideRequest("cursor", null, OverrideAction.Disable, "ops", "test", null), null, CancellationToken.None));

        Assert.Empty(h.Registry.Overrides);
        Assert.Empty(h.Registry.Audit);
        Assert.Empty(h.Events.OfType<OverrideChanged>());
        Assert.Empty(h.Recorder.Decisions);
        Assert.Equal(1, h.Registry.Revision);
    }

    [Fact]
    public async Task A_newer_revision_written_by_another_process_is_adopted_keeping_live_health()
    {
        var path = Path.Combine(_directory, "shared.json");
        var host = new RegistryHarness(new FileRegistryStore(path), new FakeTimeProvider(TestTime.Start));
        await host.Registry.InitializeAsync(RegistryTestKit.Catalog(RegistryTestKit.Tool("cursor"), RegistryTestKit.Tool("zed")), CancellationToken.None);
        host.Results("cursor", 2, true);
        var cli = new RegistryHarness(new FileRegistryStore(path), new FakeTimeProvider(TestTime.Start));
        await cli.Registry.InitializeAsync(null, CancellationToken.None);
        await cli.Registry.SetOverrideAsync(new OverrideRequest("cursor", null, OverrideAction.Disable, "ops", "from the CLI", null), null, CancellationToken.None);

        Assert.True(await host.Registry.ReloadIfChangedAsync(CancellationToken.None));
        Assert.False(await host.Registry.ReloadIfChangedAsync(CancellationToken.None));

        Assert.Single(host.Registry.Overrides);
        Assert.Equal(HealthStatus.Passing, host.Registry.FindTool("cursor")!.Health.Status);
        Assert.Single(host.Events.OfType<RegistryReloaded>());
    }

    /// <summary>The same sequence of changes for every store: add, override, expiring override, clear, remove.</summary>
    private static async Task ApplyScriptAsync(CapabilityRegistry registry, FakeTimeProvider time)
    {
        await registry.UpsertToolAsync(RegistryTestKit.Tool("local", workflows: ["code-edit", "git-flow"]), "ops", CancellationToken.None);
        await registry.SetOverrideAsync(new OverrideRequest("cursor", null, OverrideAction.Disable, "alice", "incident 7", null), "k1", CancellationToken.None);
        await registry.SetOverrideAsync(new OverrideRequest("zed", "code-edit", OverrideAction.ForcePrefer, "alice", "try zed", time.GetUtcNow().AddHours(2)), "k2", CancellationToken.None);
        await registry.SetOverrideAsync(new OverrideRequest("local", "git-flow", OverrideAction.Disable, "bob", "repo migration", null), "k3", CancellationToken.None);
        await registry.ClearOverrideAsync("local", "git-flow", "bob", "migration done", "k4", CancellationToken.None);
    }

    private sealed class FailingStore : IRegistryStore
    {
        private readonly MemoryRegistryStore _inner = new();

        public bool Fail { get; set; }

        public Task<RegistrySnapshot?> LoadAsync(CancellationToken cancellationToken) => _inner.LoadAsync(cancellationToken);

        public Task<bool> SaveAsync(RegistrySnapshot snapshot, long expectedRevision, CancellationToken cancellationToken) =>
            Fail ? throw new IOException("disk full") : _inner.SaveAsync(snapshot, expectedRevision, cancellationToken);
    }
}
