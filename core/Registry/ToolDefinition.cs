namespace DiscordLedgerBot.Core.Registry;

/// <summary>Which kind of execution surface a tool is; informs operators, never ranking.</summary>
public enum SurfaceKind
{
    Cursor,
    Mcp,
    Local,
    Other,
}

/// <summary>Where a tool is in its life: experimental tools rank after production ones, deprecated ones only as a last resort.</summary>
public enum ToolLifecycle
{
    Experimental,
    Production,
    Deprecated,
}

public enum HealthCheckKind
{
    Http,
    Tcp,
    Command,
    Ttl,
}

/// <summary>Damped health of a tool. <see cref="Unknown"/> until the damping thresholds have been met once.</summary>
public enum HealthStatus
{
    Unknown,
    Passing,
    Warning,
    Critical,
}

/// <summary>How a tool's health is probed. Only the fields of its <see cref="Kind"/> are meaningful.</summary>
public sealed record HealthCheckDefinition
{
    public required HealthCheckKind Kind { get; init; }

    public required TimeSpan Interval { get; init; }

    public required TimeSpan Timeout { get; init; }

    public Uri? Url { get; init; }

    public int ExpectedStatus { get; init; } = 200;

    public string? Host { get; init; }

    public int Port { get; init; }

    public string? Executable { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    public int ExpectedExitCode { get; init; }

    /// <summary>TTL checks: the longest a pushed heartbeat stays valid.</summary>
    public TimeSpan MaxHeartbeatAge { get; init; }
}

/// <summary>
/// Consul-style damping: a tool changes between passing and critical only after that many consecutive results,
/// so a flapping probe does not flap the routing. A passing tool whose latency average exceeds
/// <see cref="WarningLatency"/> is reported as warning.
/// </summary>
public sealed record DampingPolicy
{
    public int SuccessesToPass { get; init; } = 2;

    public int FailuresToCritical { get; init; } = 3;

    public TimeSpan WarningLatency { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>When a tool with no fresh evidence (check result, or heartbeat for TTL tools) is stale, and when it is pruned.</summary>
public sealed record StalenessPolicy
{
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time spent stale before the tool is removed from the registry; null never prunes.</summary>
    public TimeSpan? PruneAfter { get; init; }
}

/// <summary>One execution surface the orchestrator can route development actions to.</summary>
public sealed record ToolDefinition
{
    public required string Id { get; init; }

    public required string DisplayName { get; init; }

    public required SurfaceKind Surface { get; init; }

    public required string Owner { get; init; }

    public required ToolLifecycle Lifecycle { get; init; }

    public required IReadOnlyList<string> Workflows { get; init; }

    public IReadOnlyList<string> Affordances { get; init; } = [];

    public IReadOnlyDictionary<string, bool> Flags { get; init; } = new Dictionary<string, bool>();

    public required HealthCheckDefinition HealthCheck { get; init; }

    public DampingPolicy Damping { get; init; } = new();

    /// <summary>Fallback order hint among tools of equal lifecycle and health: lower comes first.</summary>
    public int FallbackPriority { get; init; } = 100;

    public StalenessPolicy Staleness { get; init; } = new();
}
