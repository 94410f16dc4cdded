using DiscordLedgerBot.Core.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DiscordLedgerBot.Telemetry;

/// <summary>
/// OpenTelemetry for the host: ASP.NET Core, HttpClient and runtime instrumentation plus our own sources and meters
/// (outbox, monday, Discord, registry, API). Exports over OTLP when <c>Telemetry:OtlpEndpoint</c> is set and serves
/// Prometheus text on <c>/metrics</c> (bot role).
/// </summary>
public static class LedgerBotTelemetry
{
    public const string MeterName = "DiscordLedgerBot";

    /// <summary>Every activity source and meter the product owns.</summary>
    public static IReadOnlyList<string> Sources { get; } = [MeterName, CoreTelemetry.Name, Discord.DiscordTelemetry.Name];

    public static IServiceCollection AddLedgerBotTelemetry(this IServiceCollection services, IConfiguration configuration, bool prometheus)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var endpoint = configuration["Telemetry:OtlpEndpoint"];
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["Telemetry:ServiceName"] ?? "discord-ledger-bot"))
            .WithTracing(tracing =>
            {
                tracing.AddSource([.. Sources])
                    .AddAspNetCoreInstrumentation(o =>
                    {
                        o.Filter = http => !IsScrapeOrProbe(http.Request.Path);
                        // The monday webhook's path token is its secret: spans carry the route template instead.
                        o.EnrichWithHttpRequest = (activity, request) =>
                        {
                            if (request.Path.StartsWithSegments("/webhooks/monday", StringComparison.Ordinal))
                            {
                                activity.SetTag("url.path", Sync.MondayWebhookEndpoint.Route);
                            }
                        };
                    })
                    .AddHttpClientInstrumentation();
                if (!string.IsNullOrWhiteSpace(endpoint))
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([.. Sources])
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (!string.IsNullOrWhiteSpace(endpoint))
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
                }
            });
        return services;
    }

    /// <summary>
    /// Prometheus text on <c>GET /metrics</c> for a bearer token with the <c>metrics:read</c> scope; metric labels name
    /// tools, channels and error kinds, so they are not for anyone who can reach the port. <c>Telemetry:AnonymousMetrics</c>
    /// opens it for a scraper on a network the operator already trusts.
    /// </summary>
    public static IEndpointConventionBuilder MapLedgerBotMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        Action<IApplicationBuilder>? requireScope = app.Configuration.GetValue<bool>("Telemetry:AnonymousMetrics")
            ? null
            : branch => branch.Use(async (http, next) =>
            {
                if (Api.ApiAuthorization.Refuse(http, Api.ApiScopes.MetricsRead) is { } refusal)
                {
                    await refusal.ExecuteAsync(http);
                    return;
                }

                await next(http);
            });
        return app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: requireScope, optionsName: null);
    }

    private static bool IsScrapeOrProbe(PathString path) =>
        path.StartsWithSegments("/metrics", StringComparison.Ordinal) || path.StartsWithSegments("/alive", StringComparison.Ordinal) || path.StartsWithSegments("/healthz", StringComparison.Ordinal);
}
