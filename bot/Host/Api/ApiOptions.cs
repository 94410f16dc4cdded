using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Api;

/// <summary>Section "Api": who may call the HTTP API (and /mcp) and how the event stream behaves.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Bearer tokens, each with the scopes it grants. No token: the API answers 401 to everything.</summary>
    public List<ApiTokenOptions> Tokens { get; set; } = [];

    public ApiEventStreamOptions Events { get; set; } = new();
}

/// <summary>One bearer token (<c>Api:Tokens:N:Token</c>) and its scopes (<c>Api:Tokens:N:Scopes</c>, space- or comma-separated).</summary>
public sealed class ApiTokenOptions
{
    /// <summary>Names the caller in logs and metrics; the token itself is never logged.</summary>
    public string Name { get; set; } = string.Empty;

    public string Token { get; set; } = string.Empty;

    /// <summary>One string so a token and its scopes fit one environment variable each, e.g. "ledger:read ledger:write".</summary>
    public string Scopes { get; set; } = string.Empty;

    public IReadOnlySet<string> ScopeSet() =>
        Scopes.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}

/// <summary>Section "Api:Events": the durable event log behind GET /api/v1/events.</summary>
public sealed class ApiEventStreamOptions
{
    /// <summary>How many events the log keeps (memory and file); a client resuming from an older id is told about the gap.</summary>
    public int Capacity { get; set; } = 100_000;

    /// <summary>The log file; empty: <c>events.log</c> in the storage data directory (memory-only for the memory store).</summary>
    public string? LogPath { get; set; }

    /// <summary>A comment line is sent this often on an idle stream so proxies keep it open and dead clients are noticed.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A client that has not taken a write within this long is disconnected (its buffer never grows past Kestrel's).</summary>
    public TimeSpan StalledClientTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The scopes a token can hold; each route needs one.</summary>
public static class ApiScopes
{
    public const string LedgerRead = "ledger:read";
    public const string LedgerWrite = "ledger:write";
    public const string RegistryRead = "registry:read";
    public const string RegistryAdmin = "registry:admin";

    /// <summary>Scrapes <c>GET /metrics</c>; a separate scope so a Prometheus server holds no ledger or registry rights.</summary>
    public const string MetricsRead = "metrics:read";

    /// <summary>Calls the GitHub readout tools (what the bot's GitHub token can read, on the caller's behalf).</summary>
    public const string GitHubRead = "github:read";

    /// <summary>Calls the AWS readout tools (CloudWatch metrics with the bot's AWS credentials).</summary>
    public const string AwsRead = "aws:read";

    public static IReadOnlyList<string> All { get; } = [LedgerRead, LedgerWrite, RegistryRead, RegistryAdmin, MetricsRead, GitHubRead, AwsRead];
}

/// <summary>Checked at start: every problem names its key and env variable.</summary>
internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public const int MinimumTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var token = options.Tokens[i];
            if (string.IsNullOrEmpty(token.Token))
            {
                // An entry left empty (as in config.example.json and .env.sample) configures nothing and admits nobody.
                continue;
            }

            if (string.IsNullOrWhiteSpace(token.Token) || token.Token.Length < MinimumTokenLength)
            {
                failures.Add($"Api:Tokens:{i}:Token must be at least {MinimumTokenLength} characters (env Api__Tokens__{i}__Token); generate one with `openssl rand -hex 32`.");
            }

            var scopes = token.ScopeSet();
            if (scopes.Count == 0)
            {
                failures.Add($"Api:Tokens:{i}:Scopes must name at least one of {string.Join(", ", ApiScopes.All)} (env Api__Tokens__{i}__Scopes).");
            }

            foreach (var unknown in scopes.Where(s => !ApiScopes.All.Contains(s)))
            {
                failures.Add($"Api:Tokens:{i}:Scopes has unknown scope '{unknown}' (env Api__Tokens__{i}__Scopes); known: {string.Join(", ", ApiScopes.All)}.");
            }
        }

        var duplicates = options.Tokens.Where(t => !string.IsNullOrEmpty(t.Token)).GroupBy(t => t.Token, StringComparer.Ordinal).Where(g => g.Count() > 1);
        if (duplicates.Any())
        {
            failures.Add("Api:Tokens lists the same token twice (env Api__Tokens__N__Token); give each caller its own.");
        }

        if (options.Events.Capacity is < 100 or > 10_000_000)
        {
            failures.Add($"Api:Events:Capacity must be between 100 and 10000000, got {options.Events.Capacity} (env Api__Events__Capacity).");
        }

        if (options.Events.HeartbeatInterval <= TimeSpan.Zero)
        {
            failures.Add("Api:Events:HeartbeatInterval must be positive (env Api__Events__HeartbeatInterval), e.g. 00:00:15.");
        }

        if (options.Events.StalledClientTimeout <= TimeSpan.Zero)
        {
            failures.Add("Api:Events:StalledClientTimeout must be positive (env Api__Events__StalledClientTimeout), e.g. 00:00:10.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
