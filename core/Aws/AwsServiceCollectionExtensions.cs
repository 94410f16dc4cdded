using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Aws;

public static class AwsServiceCollectionExtensions
{
    /// <summary>CloudWatch latency snapshots, with <see cref="AwsOptions"/> bound from "Aws" and validated at start; without a region they answer "not configured".</summary>
    public static IServiceCollection AddAwsReadouts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AwsOptions>().Bind(configuration.GetSection(AwsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsOptions>, AwsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(CloudWatchMetrics.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddSingleton<AwsCredentialSource>();
        services.TryAddSingleton<CloudWatchMetrics>();
        services.TryAddSingleton<IncidentTriage>();
        return services;
    }
}
