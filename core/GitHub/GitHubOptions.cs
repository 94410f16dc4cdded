using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.GitHub;

/// <summary>Section "GitHub": where the REST and GraphQL APIs are, the token, how long a rate limit may be waited out, and who owns a thread.</summary>
public sealed class GitHubOptions
{
    public const string SectionName = "GitHub";

    /// <summary>REST base URL: https://api.github.com/ for github.com, https://HOST/api/v3/ for GitHub Enterprise Server.</summary>
    public Uri ApiUrl { get; set; } = new("https://api.github.com/");

    /// <summary>GraphQL endpoint (review threads); empty: derived from <see cref="ApiUrl"/> (…/graphql, or …/api/graphql for /api/v3/).</summary>
    public Uri? GraphQLUrl { get; set; }

    /// <summary>A fine-grained personal access token or a GitHub App installation token; empty: the GitHub readouts are off.</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>The longest rate-limit wait a readout sits out; a longer one is reported to the caller with its reset time instead.</summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many rate-limited answers one request may be retried after.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>GitHub login → ledger owner (e.g. a Discord mention) for threads on that author's PRs; unmapped: the login.</summary>
    public Dictionary<string, string> Owners { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public bool Enabled => !string.IsNullOrWhiteSpace(Token);

    public Uri ResolvedGraphQLUrl()
    {
        if (GraphQLUrl is not null)
        {
            return GraphQLUrl;
        }

        var text = ApiUrl.ToString();
        return text.EndsWith("/api/v3/", StringComparison.OrdinalIgnoreCase)
            ? new Uri(text[..^"v3/".Length] + "graphql")
            : new Uri(ApiUrl, "graphql");
    }
}

internal sealed class GitHubOptionsValidator : IValidateOptions<GitHubOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubOptions options)
    {
        var failures = new List<string>();
        if (!options.ApiUrl.IsAbsoluteUri || options.ApiUrl.Scheme is not ("https" or "http") || !options.ApiUrl.AbsolutePath.EndsWith('/'))
        {
            failures.Add($"GitHub:ApiUrl must be an absolute http(s) URL ending in '/', got '{options.ApiUrl}' (env GitHub__ApiUrl).");
        }

        if (options.GraphQLUrl is { IsAbsoluteUri: false })
        {
            failures.Add($"GitHub:GraphQLUrl must be an absolute URL, got '{options.GraphQLUrl}' (env GitHub__GraphQLUrl).");
        }

        if (options.MaxRateLimitWait < TimeSpan.Zero || options.MaxRateLimitWait > TimeSpan.FromHours(1))
        {
            failures.Add("GitHub:MaxRateLimitWait must be between 00:00:00 and 01:00:00 (env GitHub__MaxRateLimitWait).");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"GitHub:MaxRetries must be between 0 and 10, got {options.MaxRetries} (env GitHub__MaxRetries).");
        }

        if (options.Token.Any(char.IsWhiteSpace))
        {
            failures.Add("GitHub:Token must not contain whitespace (env GitHub__Token).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
