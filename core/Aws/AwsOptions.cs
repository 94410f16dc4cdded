using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Aws;

/// <summary>Section "Aws": the region and endpoint of CloudWatch, the client-side request rate, and optional explicit credentials.</summary>
public sealed class AwsOptions
{
    public const string SectionName = "Aws";

    /// <summary>Default region for a request that names none (a channel's scope may name another); empty: AWS readouts are off.</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>CloudWatch endpoint override (the emulator, a VPC endpoint); empty: https://monitoring.{region}.amazonaws.com/.</summary>
    public Uri? MonitoringUrl { get; set; }

    /// <summary>Requests per second this process sends to CloudWatch at most (GetMetricData's quota is 50 per account and region).</summary>
    public double MaxRequestsPerSecond { get; set; } = 5;

    /// <summary>Pages of GetMetricData (NextToken) one snapshot reads at most.</summary>
    public int MaxPages { get; set; } = 10;

    /// <summary>
    /// Explicit credentials, for the sandbox and tests. Leave empty in production: the standard chain then applies
    /// (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, the shared credentials file and AWS_PROFILE, …).
    /// </summary>
    public string AccessKeyId { get; set; } = string.Empty;

    public string SecretAccessKey { get; set; } = string.Empty;

    public bool Enabled => !string.IsNullOrWhiteSpace(Region);

    public Uri EndpointFor(string region) => MonitoringUrl ?? new Uri($"https://monitoring.{region}.amazonaws.com/");
}

internal sealed class AwsOptionsValidator : IValidateOptions<AwsOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsOptions options)
    {
        var failures = new List<string>();
        if (options.Region.Length > 0 && !CloudWatchMetrics.IsRegion(options.Region))
        {
            failures.Add($"Aws:Region must be a region name such as eu-west-1, got '{options.Region}' (env Aws__Region).");
        }

        if (options.MonitoringUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http")))
        {
            failures.Add($"Aws:MonitoringUrl must be an absolute http(s) URL, got '{url}' (env Aws__MonitoringUrl).");
        }

        if (options.MaxRequestsPerSecond is <= 0 or > 50)
        {
            failures.Add($"Aws:MaxRequestsPerSecond must be above 0 and at most 50 (GetMetricData's quota), got {options.MaxRequestsPerSecond} (env Aws__MaxRequestsPerSecond).");
        }

        if (options.MaxPages is < 1 or > 100)
        {
            failures.Add($"Aws:MaxPages must be between 1 and 100, got {options.MaxPages} (env Aws__MaxPages).");
        }

        if (string.IsNullOrEmpty(options.AccessKeyId) != string.IsNullOrEmpty(options.SecretAccessKey))
        {
            failures.Add("Aws:AccessKeyId and Aws:SecretAccessKey go together (env Aws__AccessKeyId, Aws__SecretAccessKey); leave both empty to use the standard credential chain.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
