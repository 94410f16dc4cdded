using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Monday;

/// <summary>Settings of the monday client, bound from the <c>Monday</c> configuration section.</summary>
public sealed class MondayOptions
{
    public const string SectionName = "Monday";

    /// <summary>Personal or OAuth token, sent as the Authorization header. Never logged.</summary>
    public string Token { get; set; } = string.Empty;

    public Uri ApiUrl { get; set; } = new("https://api.monday.com/v2");

    /// <summary>The ledger board; empty until <c>bot provision</c> created it.</summary>
    public string BoardId { get; set; } = string.Empty;

    /// <summary>Sent as <c>API-Version</c>; the schema we validate against is this version's.</summary>
    public string ApiVersion { get; set; } = "2026-10";

    /// <summary>Per attempt. monday itself gives up after 60 s, so its own TIMEOUT answer normally arrives first.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(65);

    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>First back-off step when monday gave no wait hint; doubles per attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of any single wait (a daily-limit hint can ask for hours).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most aliased mutations in one request.</summary>
    public int MaxMutationsPerRequest { get; set; } = 200;

    /// <summary>monday's single-query complexity cap.</summary>
    public long MaxQueryComplexity { get; set; } = 5_000_000;

    /// <summary>Cost assumed for a mutation until monday reported real costs (monday documents ~10,000 for create_item).</summary>
    public long InitialMutationCostEstimate { get; set; } = 30_000;

    /// <summary>Cost assumed for a read until monday reported real costs.</summary>
    public long InitialQueryCostEstimate { get; set; } = 50_000;

    /// <summary>Never shows the token, so options can be logged safely.</summary>
    public override string ToString() =>
        $"Monday {{ ApiUrl = {ApiUrl}, BoardId = {BoardId}, ApiVersion = {ApiVersion}, Token = {(string.IsNullOrEmpty(Token) ? "(missing)" : "(redacted)")} }}";
}

/// <summary>Start-up validation; every message names the full key and its environment variable.</summary>
public sealed class MondayOptionsValidator : IValidateOptions<MondayOptions>
{
    public ValidateOptionsResult Validate(string? name, MondayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Token))
        {
            failures.Add("Monday:Token is required (env Monday__Token).");
        }

        if (options.ApiUrl is null || !options.ApiUrl.IsAbsoluteUri || options.ApiUrl.Scheme is not ("https" or "http"))
        {
            failures.Add("Monday:ApiUrl must be an absolute http(s) URL (env Monday__ApiUrl).");
        }

        if (!string.IsNullOrEmpty(options.BoardId) && !options.BoardId.All(char.IsAsciiDigit))
        {
            failures.Add($"Monday:BoardId must be digits only, got '{options.BoardId}' (env Monday__BoardId).");
        }

        if (!IsVersion(options.ApiVersion))
        {
            failures.Add($"Monday:ApiVersion must look like YYYY-MM, got '{options.ApiVersion}' (env Monday__ApiVersion).");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero || options.AttemptTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add("Monday:AttemptTimeout must be between 0 and 10 minutes (env Monday__AttemptTimeout).");
        }

        if (options.MaxRetryAttempts is < 1 or > 20)
        {
            failures.Add("Monday:MaxRetryAttempts must be 1..20 (env Monday__MaxRetryAttempts).");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryBaseDelay)
        {
            failures.Add("Monday:RetryBaseDelay must be positive and not above Monday:MaxRetryDelay (env Monday__RetryBaseDelay, Monday__MaxRetryDelay).");
        }

        if (options.MaxMutationsPerRequest is < 1 or > 1000)
        {
            failures.Add("Monday:MaxMutationsPerRequest must be 1..1000 (env Monday__MaxMutationsPerRequest).");
        }

        if (options.MaxQueryComplexity < 1)
        {
            failures.Add("Monday:MaxQueryComplexity must be positive (env Monday__MaxQueryComplexity).");
        }

        if (options.InitialMutationCostEstimate < 1 || options.InitialQueryCostEstimate < 1)
        {
            failures.Add("Monday:InitialMutationCostEstimate and Monday:InitialQueryCostEstimate must be positive (env Monday__InitialMutationCostEstimate, Monday__InitialQueryCostEstimate).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsVersion(string? value) =>
        value is { Length: 7 } && value[4] == '-' && value[..4].All(char.IsAsciiDigit) && value[5..].All(char.IsAsciiDigit);
}
