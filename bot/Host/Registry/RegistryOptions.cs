using DiscordLedgerBot.Core.Registry;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Registry;

/// <summary>The Registry configuration section. Tokens are secrets: <see cref="ToString"/> redacts them.</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>Seed catalog used when the store is empty; relative paths resolve against the application directory.</summary>
    public string CatalogPath { get; set; } = "assets/registry/tools.json";

    /// <summary>file | memory | redis (uses the Redis section's connection)</summary>
    public string Store { get; set; } = "file";

    public string RedisKey { get; set; } = RedisRegistryStore.DefaultKey;

    /// <summary>With the redis store: prefix of the per-tool health hashes and of their change channel (<see cref="RedisToolHealthStore"/>).</summary>
    public string HealthKeyPrefix { get; set; } = RedisToolHealthStore.DefaultKeyPrefix;

    /// <summary>File store location; relative paths resolve against the working directory (shared by host and CLI).</summary>
    public string StorePath { get; set; } = "data/registry/registry.json";

    public bool AdminApiEnabled { get; set; }

    public string? AdminToken { get; set; }

    /// <summary>Optional token local agents use for TTL heartbeats only.</summary>
    public string? AgentToken { get; set; }

    public int SweepIntervalSeconds { get; set; } = 15;

    public bool HealthChecksEnabled { get; set; } = true;

    public string AuditLedgerKey { get; set; } = "registry-audit";

    public CircuitBreakerOptions Breaker { get; set; } = new();

    public string ResolveCatalogPath() =>
        Path.IsPathRooted(CatalogPath) ? CatalogPath : Path.Combine(AppContext.BaseDirectory, CatalogPath);

    public override string ToString() =>
        $"Registry(Store={Store}, StorePath={StorePath}, CatalogPath={CatalogPath}, AdminApiEnabled={AdminApiEnabled}, AdminToken={(string.IsNullOrEmpty(AdminToken) ? "unset" : "***")}, AgentToken={(string.IsNullOrEmpty(AgentToken) ? "unset" : "***")})";
}

/// <summary>Fails the start with messages naming the full key and its environment variable.</summary>
public sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    public const int MinimumTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        var errors = new List<string>();
        if (options.AdminApiEnabled && (options.AdminToken is null || options.AdminToken.Length < MinimumTokenLength))
        {
            errors.Add($"Registry:AdminToken is required (at least {MinimumTokenLength} characters) when Registry:AdminApiEnabled is true (env Registry__AdminToken).");
        }

        // An empty value (as in config.example.json and .env.sample) means "no agent token", not a too-short one.
        if (options.AgentToken is { Length: > 0 } agent && agent.Length < MinimumTokenLength)
        {
            errors.Add($"Registry:AgentToken must be at least {MinimumTokenLength} characters when set (env Registry__AgentToken).");
        }

        if (options.Store is not ("file" or "memory" or "redis"))
        {
            errors.Add($"Registry:Store must be 'file', 'memory' or 'redis', got '{options.Store}' (env Registry__Store).");
        }

        if (options.Store == "redis" && string.IsNullOrWhiteSpace(options.RedisKey))
        {
            errors.Add("Registry:RedisKey is required when Registry:Store is 'redis' (env Registry__RedisKey).");
        }

        if (options.Store == "redis" && string.IsNullOrWhiteSpace(options.HealthKeyPrefix))
        {
            errors.Add("Registry:HealthKeyPrefix is required when Registry:Store is 'redis' (env Registry__HealthKeyPrefix).");
        }

        if (options.Store == "file" && string.IsNullOrWhiteSpace(options.StorePath))
        {
            errors.Add("Registry:StorePath is required when Registry:Store is 'file' (env Registry__StorePath).");
        }

        if (string.IsNullOrWhiteSpace(options.CatalogPath))
        {
            errors.Add("Registry:CatalogPath is required (env Registry__CatalogPath).");
        }

        if (options.SweepIntervalSeconds is < 1 or > 3600)
        {
            errors.Add($"Registry:SweepIntervalSeconds must be between 1 and 3600, got {options.SweepIntervalSeconds}.");
        }

        if (string.IsNullOrWhiteSpace(options.AuditLedgerKey))
        {
            errors.Add("Registry:AuditLedgerKey is required (env Registry__AuditLedgerKey).");
        }

        errors.AddRange(options.Breaker.Validate());
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
