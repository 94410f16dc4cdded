using System.Net;
using DiscordLedgerBot.Core.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace DiscordLedgerBot.Core.Monday;

public static class MondayServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ILedger"/> on monday: options from the <c>Monday</c> section (validated at start),
    /// <see cref="IMondayTransport"/> over a named HttpClient, <see cref="MondayClient"/> and <see cref="MondayLedger"/>.
    /// Uses the registered <see cref="TimeProvider"/> (System when none).
    /// </summary>
    public static IServiceCollection AddMondayLedger(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MondayOptions>().Bind(configuration.GetSection(MondayOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MondayOptions>, MondayOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // Like every product service, a transport registered earlier (a test double, a recording wrapper) is kept.
        if (!services.Any(d => d.ServiceType == typeof(IMondayTransport)))
        {
            services.AddHttpClient<IMondayTransport, HttpMondayTransport>(http =>
                    // Attempt timeouts are Polly's job (with the injected clock); HttpClient's own would race it.
                    http.Timeout = Timeout.InfiniteTimeSpan)
                // The singleton MondayClient keeps its transport for the process lifetime, so the handler is never
                // rotated by the factory; recycling pooled connections keeps DNS changes visible instead.
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan)

                // Microsoft's standard handler, reduced to what MondayClient does not do itself: a circuit breaker, so a
                // monday outage fails fast instead of tying up the outbox worker. Its retry is off and no hedging handler is
                // used: MondayClient retries on monday's own hints (body retry_in_seconds, Retry-After, RateLimit t=), paces
                // by the complexity budget and must resend a mutation with the same Idempotency-Key, none of which the
                // standard retry can express, and a second retry layer would multiply attempts. 429 is monday's budget,
                // waited out by MondayClient, not a failure for the breaker. Its timeouts sit above Monday:AttemptTimeout
                // (which runs on the injected TimeProvider) as a backstop only.
                .AddStandardResilienceHandler()
                .Configure(resilience =>
                {
                    resilience.Retry.ShouldHandle = static _ => PredicateResult.False();

                    // Read from configuration, not IOptions: resolving the options here would report a validation failure
                    // of the Monday section a second time, through the resilience options.
                    var attemptTimeout = configuration.GetSection(MondayOptions.SectionName).Get<MondayOptions>()?.AttemptTimeout ?? new MondayOptions().AttemptTimeout;
                    var backstop = attemptTimeout + TimeSpan.FromSeconds(5);
                    resilience.AttemptTimeout.Timeout = backstop;
                    resilience.TotalRequestTimeout.Timeout = backstop;

                    // The standard options require a sampling window of at least twice the attempt timeout.
                    resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(resilience.CircuitBreaker.SamplingDuration.Ticks, 2 * backstop.Ticks));
                    resilience.CircuitBreaker.ShouldHandle = static args => ValueTask.FromResult(
                        args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(args.Outcome));
                });
        }

        services.TryAddSingleton<MondayClient>();
        services.TryAddSingleton<MondayLedger>();
        services.TryAddSingleton<ILedger>(provider => provider.GetRequiredService<MondayLedger>());
        return services;
    }
}
