using System.Text.Json.Serialization;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>
/// The declarative JSON shape of a tool (assets/registry/tools.json, the admin API body, the persisted store).
/// Everything is nullable so validation can name each missing field instead of failing on the first.
/// </summary>
public sealed record ToolDocument
{
    /// <summary>Free text for humans (the onboarding template uses it); not persisted.</summary>
    [JsonPropertyName("$comment")]
    public string? Comment { get; init; }

    public string? Id { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>cursor | mcp | local | other</summary>
    public string? Surface { get; init; }

    public string? Owner { get; init; }

    /// <summary>experimental | production | deprecated</summary>
    public string? Lifecycle { get; init; }

    public IReadOnlyList<string>? Workflows { get; init; }

    public IReadOnlyList<string>? Affordances { get; init; }

    public IReadOnlyDictionary<string, bool>? Flags { get; init; }

    public HealthCheckDocument? HealthCheck { get; init; }

    public DampingDocument? Damping { get; init; }

    public int? FallbackPriority { get; init; }

    public StalenessDocument? Staleness { get; init; }
}

public sealed record HealthCheckDocument
{
    /// <summary>http | tcp | command | ttl</summary>
    public string? Kind { get; init; }

    public int? IntervalSeconds { get; init; }

    public int? TimeoutMs { get; init; }

    public string? Url { get; init; }

    public int? ExpectedStatus { get; init; }

    public string? Host { get; init; }

    public int? Port { get; init; }

    public string? Executable { get; init; }

    public IReadOnlyList<string>? Arguments { get; init; }

    public int? ExpectedExitCode { get; init; }

    public int? MaxAgeSeconds { get; init; }
}

public sealed record DampingDocument
{
    public int? SuccessesToPass { get; init; }

    public int? FailuresToCritical { get; init; }

    public int? WarningLatencyMs { get; init; }
}

public sealed record StalenessDocument
{
    public int? StaleAfterSeconds { get; init; }

    public int? PruneAfterSeconds { get; init; }
}

/// <summary>The whole declarative registry file: the declared workflow vocabulary and the tools.</summary>
public sealed record RegistryCatalogDocument
{
    /// <summary>Editor hint pointing at tools.schema.json; ignored by the parser.</summary>
    [JsonPropertyName("$schema")]
    public string? Schema { get; init; }

    [JsonPropertyName("$comment")]
    public string? Comment { get; init; }

    public IReadOnlyList<string>? Workflows { get; init; }

    public IReadOnlyList<ToolDocument>? Tools { get; init; }
}
