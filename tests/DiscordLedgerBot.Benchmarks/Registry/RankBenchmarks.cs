using BenchmarkDotNet.Attributes;
using DiscordLedgerBot.Core.Registry;

namespace DiscordLedgerBot.Benchmarks.Registry;

/// <summary>
/// Ranking 100 tools for one workflow (target: under 10 µs). The tools have mixed lifecycles, health, latency
/// and a few overrides so every comparison branch is exercised.
/// Run: dotnet run -c Release --project tests/DiscordLedgerBot.Benchmarks -- --filter '*RankBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class RankBenchmarks
{
    private static readonly string[] RequiredAffordances = ["multi-file-edit"];
    private CapabilityRegistry _registry = null!;

    [Params(100)]
    public int ToolCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string[] lifecycles = ["production", "experimental", "deprecated"];
        var tools = Enumerable.Range(0, ToolCount).Select(i => new ToolDocument
        {
            Id = $"tool-{i:D3}",
            DisplayName = $"Tool {i}",
            Surface = "mcp",
            Owner = "bench",
            Lifecycle = lifecycles[i % 3],
            Workflows = i % 10 == 0 ? ["test-run"] : ["code-edit", "test-run"],
            Affordances = i % 7 == 0 ? ["run-tests"] : ["multi-file-edit", "run-tests"],
            HealthCheck = new HealthCheckDocument { Kind = "tcp", IntervalSeconds = 30, TimeoutMs = 1000, Host = "127.0.0.1", Port = 1 },
            Damping = new DampingDocument { SuccessesToPass = 1, FailuresToCritical = 1, WarningLatencyMs = 500 },
            FallbackPriority = i % 17,
        }).ToList();
        var catalog = RegistryCatalogParser.Validate(new RegistryCatalogDocument { Workflows = ["code-edit", "test-run"], Tools = tools });
        _registry = new CapabilityRegistry(new MemoryRegistryStore(), new InMemoryDecisionRecorder(), new EventBusRegistrySink(new DiscordLedgerBot.Core.Events.EventBus()), TimeProvider.System);
        _registry.InitializeAsync(catalog, CancellationToken.None).GetAwaiter().GetResult();
        var random = new Random(42);
        foreach (var tool in tools)
        {
            var healthy = random.NextDouble() > 0.15;
            _registry.RecordCheckResult(tool.Id!, new HealthCheckResult(healthy, TimeSpan.FromMilliseconds(random.Next(5, 900)), "bench"));
        }

        _registry.SetOverrideAsync(new OverrideRequest("tool-011", null, OverrideAction.Disable, "bench", "bench", null), null, CancellationToken.None).GetAwaiter().GetResult();
        _registry.SetOverrideAsync(new OverrideRequest("tool-013", "code-edit", OverrideAction.ForcePrefer, "bench", "bench", null), null, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Benchmark]
    public RankedTool? RankWithAffordance() => _registry.Rank("code-edit", RequiredAffordances).Best;

    [Benchmark]
    public RankedTool? RankAnyAffordance() => _registry.Rank("code-edit").Best;
}
