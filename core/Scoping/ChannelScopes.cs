using DiscordLedgerBot.Core.Aws;
using DiscordLedgerBot.Core.GitHub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Scoping;

/// <summary>What a Discord channel is about: its repository, AWS account and region (section <c>Scoping:Channels:&lt;channelId&gt;</c>).</summary>
public sealed class ChannelScope
{
    /// <summary>owner/name the channel's GitHub requests use when they name none.</summary>
    public string? Repository { get; set; }

    /// <summary>The region the channel's AWS requests use when they name none.</summary>
    public string? AwsRegion { get; set; }

    /// <summary>The 12-digit account the channel's AWS readouts are about; shown on snapshots (the credentials decide the account actually read).</summary>
    public string? AwsAccountId { get; set; }
}

/// <summary>Section "Scoping": channel id → <see cref="ChannelScope"/>.</summary>
public sealed class ScopingOptions
{
    public const string SectionName = "Scoping";

    public Dictionary<string, ChannelScope> Channels { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Resolves a request's target: the one it names, else its channel's, else a specific error saying what to set.</summary>
public sealed class ChannelScopes(IOptionsMonitor<ScopingOptions> options)
{
    public ChannelScope? Of(string? channelId) =>
        channelId is not null && options.CurrentValue.Channels.TryGetValue(channelId, out var scope) ? scope : null;

    public GitHubRepository RepositoryFor(string? explicitRepository, string? channelId)
    {
        var text = explicitRepository ?? Of(channelId)?.Repository
            ?? throw new ArgumentException(channelId is null
                ? "Name a repository as owner/name."
                : $"Name a repository as owner/name: channel {channelId} has none mapped (Scoping:Channels:{channelId}:Repository).");
        return GitHubRepository.TryParse(text, out var repository, out var error) ? repository : throw new ArgumentException(error);
    }

    /// <summary>The explicit region, else the channel's, else null (the Aws:Region default applies).</summary>
    public string? RegionFor(string? explicitRegion, string? channelId) => explicitRegion ?? Of(channelId)?.AwsRegion;
}

internal sealed class ScopingOptionsValidator : IValidateOptions<ScopingOptions>
{
    public ValidateOptionsResult Validate(string? name, ScopingOptions options)
    {
        var failures = new List<string>();
        foreach (var (channel, scope) in options.Channels)
        {
            var env = $"env Scoping__Channels__{channel}__";
            if (channel.Length is < 15 or > 20 || !channel.All(char.IsAsciiDigit))
            {
                failures.Add($"Scoping:Channels:{channel} must be keyed by a Discord channel id (15–20 digits).");
            }

            if (scope.Repository is { } repository && !GitHubRepository.TryParse(repository, out _, out var error))
            {
                failures.Add($"Scoping:Channels:{channel}:Repository: {error} ({env}Repository)");
            }

            if (scope.AwsRegion is { } region && !CloudWatchMetrics.IsRegion(region))
            {
                failures.Add($"Scoping:Channels:{channel}:AwsRegion must be a region name such as eu-west-1, got '{region}' ({env}AwsRegion).");
            }

            if (scope.AwsAccountId is { } account && (account.Length != 12 || !account.All(char.IsAsciiDigit)))
            {
                failures.Add($"Scoping:Channels:{channel}:AwsAccountId must be 12 digits, got '{account}' ({env}AwsAccountId).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class ScopingServiceCollectionExtensions
{
    public static IServiceCollection AddChannelScoping(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ScopingOptions>().Bind(configuration.GetSection(ScopingOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScopingOptions>, ScopingOptionsValidator>());
        services.TryAddSingleton<ChannelScopes>();
        return services;
    }
}
