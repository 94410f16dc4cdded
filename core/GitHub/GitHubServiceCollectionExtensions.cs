using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.GitHub;

public static class GitHubServiceCollectionExtensions
{
    /// <summary>
    /// The GitHub readouts and review-thread tracking, with <see cref="GitHubOptions"/> bound from "GitHub" and validated
    /// at start. Without a token they stay registered and answer "not configured".
    /// </summary>
    public static IServiceCollection AddGitHubReadouts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GitHubOptions>().Bind(configuration.GetSection(GitHubOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitHubOptions>, GitHubOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GitHubRateLimitGate>();
        services.TryAddTransient<GitHubRateLimitHandler>();
        services.AddHttpClient(GitHubReadouts.HttpClientName, http => http.Timeout = TimeSpan.FromMinutes(5))
            .AddHttpMessageHandler<GitHubRateLimitHandler>();
        services.TryAddSingleton<GitHubReadouts>();
        services.TryAddSingleton<ReviewThreadLedger>();
        return services;
    }
}
