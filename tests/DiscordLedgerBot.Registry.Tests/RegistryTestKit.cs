using System.Collections.Concurrent;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Registry.Tests;

/// <summary>Builds registries over a fake clock with in-memory collaborators, and tool documents with sane defaults.</summary>
internal static class RegistryTestKit
{
    public static readonly string[] Workflows = ["code-edit", "test-run", "git-flow", "batch-refactor", "quick-edit", "ledger-update"];

    public static ToolDocument Tool(
        string id,
        string lifecycle = "production",
        int priority = 100,
        string[]? workflows = null,
        string[]? affordances = null,
        HealthCheckDocument? check = null,
        DampingDocument? damping = null,
        StalenessDocument? staleness = null) => new()
    {
        Id = id,
        DisplayName = $"Tool {id}",
        Surface = "mcp",
        Owner = "team",
        Lifecycle = lifecycle,
        Workflows = workflows ?? ["code-edit"],
        Affordances = affordances ?? ["multi-file-edit"],
        HealthCheck = check ?? new HealthCheckDocument { Kind = "tcp", IntervalSeconds = 10, TimeoutMs = 1000, Host = "127.0.0.1", Port = 1 },
        Damping = damping ?? new DampingDocument { SuccessesToPass = 2, FailuresToCritical = 3, WarningLatencyMs = 500 },
        FallbackPriority = priority,
        Staleness = staleness,
    };

    public static RegistryCatalog Catalog(params ToolDocument[] tools) =>
        RegistryCatalogParser.Validate(new RegistryCatalogDocument { Workflows = Workflows, Tools = tools });

    public static async Task<RegistryHarness> StartAsync(params ToolDocument[] tools)
    {
        var harness = new RegistryHarness(new MemoryRegistryStore(), new FakeTimeProvider(TestTime.Start));
        await harness.Registry.InitializeAsync(Catalog(tools), CancellationToken.None);
        return harness;
    }
}

internal sealed class RecordingEventSink : IRegistryEventSink
{
    private readonly ConcurrentQueue<RegistryEvent> _events = new();

    public IReadOnlyList<RegistryEvent> Events => [.. _events];

    public void Publish(RegistryEvent registryEvent) => _events.Enqueue(registryEvent);

    public IReadOnlyList<T> OfType<T>()
        where T : RegistryEvent => [.. _events.OfType<T>()];
}

internal sealed class RegistryHarness
{
    private readonly TimeProvider _clock;

    public RegistryHarness(IRegistryStore store, TimeProvider clock, CircuitBreakerOptions? breaker = null)
    {
        Store = store;
        _clock = clock;
        var time = clock;
        Registry = new CapabilityRegistry(store, Recorder, Events, time, new CapabilityRegistryOptions { Breaker = breaker ?? new CircuitBreakerOptions() });
    }

    public IRegistryStore Store { get; }

    public FakeTimeProvider Time => _clock as FakeTimeProvider ?? throw new InvalidOperationException("This harness runs on the real clock.");

    public InMemoryDecisionRecorder Recorder { get; } = new();

    public RecordingEventSink Events { get; } = new();

    public CapabilityRegistry Registry { get; }

    /// <summary>Feeds fake probe results straight into the damping state machine.</summary>
    public void Results(string toolId, int count, bool succeeded, double latencyMs = 20)
    {
        for (var i = 0; i < count; i++)
        {
            Registry.RecordCheckResult(toolId, new HealthCheckResult(succeeded, TimeSpan.FromMilliseconds(latencyMs), succeeded ? "ok" : "HTTP 500 (expected 200)"));
        }
    }

    public string[] Order(string workflow, params string[] affordances) =>
        [.. Registry.Rank(workflow, affordances).Tools.Select(t => t.ToolId)];
}
