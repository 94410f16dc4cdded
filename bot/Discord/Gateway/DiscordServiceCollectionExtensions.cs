using System.Net;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace DiscordLedgerBot.Discord;

public static class DiscordServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DiscordOptions"/> (section <c>Discord</c>, validated at start), <see cref="IDiscordRest"/>
    /// and <see cref="IDiscordGateway"/>. Add <see cref="AddDiscordGatewayHostedService"/> to keep the gateway running,
    /// and register responders as <c>IGatewayEventHandler&lt;TEvent&gt;</c>.
    /// </summary>
    public static IServiceCollection AddDiscordClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DiscordOptions>().Bind(configuration.GetSection(DiscordOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscordOptions>, DiscordOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(DiscordRestClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)

            // Microsoft's standard handler, reduced to a circuit breaker (as for monday in AddMondayLedger). Its retry is
            // off and no hedging:
            // DiscordRestClient retries itself because only it knows which requests are safe to repeat (a POST only
            // when marked RetrySafe; hedging would duplicate messages), and a 429's retry_after must feed the route's
            // bucket or the global limiter, not a generic backoff. 429 does not count as a failure for the breaker.
            // Its timeouts sit above Discord:RestRequestTimeout (measured on the injected TimeProvider) as a backstop.
            .AddStandardResilienceHandler()
            .Configure(resilience =>
            {
                resilience.Retry.ShouldHandle = static _ => PredicateResult.False();

                // Read from configuration, not IOptions: resolving the options here would report a validation failure
                // of the Discord section a second time, through the resilience options.
                var requestTimeout = configuration.GetSection(DiscordOptions.SectionName).Get<DiscordOptions>()?.RestRequestTimeout ?? new DiscordOptions().RestRequestTimeout;
                var backstop = requestTimeout + TimeSpan.FromSeconds(5);
                resilience.AttemptTimeout.Timeout = backstop;
                resilience.TotalRequestTimeout.Timeout = backstop;

                // The standard options require a sampling window of at least twice the attempt timeout.
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(resilience.CircuitBreaker.SamplingDuration.Ticks, 2 * backstop.Ticks));
                resilience.CircuitBreaker.ShouldHandle = static args => ValueTask.FromResult(
                    args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(args.Outcome));
            });
        services.TryAddSingleton<DiscordRestClient>();
        services.TryAddSingleton<IDiscordRest>(provider => provider.GetRequiredService<DiscordRestClient>());
        services.TryAddSingleton<GatewayEventDispatcher>();
        services.TryAddSingleton(provider => new IdentifyGate(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<DiscordGatewayClient>();
        services.TryAddSingleton<DiscordShardManager>();
        services.TryAddSingleton<IDiscordGateway>(provider => string.IsNullOrWhiteSpace(provider.GetRequiredService<IOptions<DiscordOptions>>().Value.Shards)
            ? provider.GetRequiredService<DiscordGatewayClient>()
            : provider.GetRequiredService<DiscordShardManager>());
        return services;
    }

    public static IServiceCollection AddDiscordGatewayHostedService(this IServiceCollection services)
    {
        services.AddHostedService<DiscordGatewayHostedService>();
        return services;
    }
}
