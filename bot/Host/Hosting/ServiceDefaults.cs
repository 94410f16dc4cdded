using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DiscordLedgerBot.Hosting;

/// <summary>
/// One place that wires what every deployment needs (after eShop's ServiceDefaults): the clock, problem+json
/// errors, health endpoints and OpenTelemetry. OpenTelemetry.Extensions.Hosting is not obtainable here, so the
/// providers are built with the SDK directly and disposed with the host.
/// </summary>
public static class ServiceDefaults
{
    public const string TelemetryName = "DiscordLedgerBot";

    public static readonly ActivitySource ActivitySource = new(TelemetryName);

    public static readonly Meter Meter = new(TelemetryName);

    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton<TelemetryProviders>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TelemetryProviders>());
        return builder;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Liveness: the process answers; no checks run and nothing is disclosed (what an orchestrator restarts on).
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteStatusOnlyAsync });
        // Readiness: every check; the per-check details only to an admin (bearer Registry:AdminToken) or in the sandbox.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteHealthAsync });
        return app;
    }

    private static Task WriteStatusOnlyAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(new JsonObject { ["status"] = report.Status.ToString() }.ToJsonString());
    }

    // Operators need to see which part is unhealthy (and which store is active), not just one word.
    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        if (!MayReadDetails(context))
        {
            return WriteStatusOnlyAsync(context, report);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new JsonObject
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = new JsonObject(report.Entries.Select(entry => KeyValuePair.Create<string, JsonNode?>(entry.Key, new JsonObject
            {
                ["status"] = entry.Value.Status.ToString(),
                ["description"] = entry.Value.Description,
                ["data"] = new JsonObject(entry.Value.Data.Select(d => KeyValuePair.Create<string, JsonNode?>(d.Key, JsonValue.Create(d.Value?.ToString())))),
            }))),
        };
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private static bool MayReadDetails(HttpContext context)
    {
        var configuration = context.RequestServices.GetRequiredService<IConfiguration>();
        if (configuration.GetValue<bool>("Sandbox:Enabled"))
        {
            return true;
        }

        var token = configuration["Registry:AdminToken"];
        var header = context.Request.Headers.Authorization.ToString();
        return !string.IsNullOrEmpty(token) && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(header), System.Text.Encoding.UTF8.GetBytes("Bearer " + token));
    }

    /// <summary>Owns the tracer and meter providers for the host's lifetime; exports over OTLP only when an endpoint is configured.</summary>
    private sealed class TelemetryProviders(IConfiguration configuration) : IHostedService, IDisposable
    {
        private TracerProvider? _tracerProvider;
        private MeterProvider? _meterProvider;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            var endpoint = configuration["Telemetry:OtlpEndpoint"];
            var resource = ResourceBuilder.CreateDefault().AddService(configuration["Telemetry:ServiceName"] ?? "discord-ledger-bot");
            var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(TelemetryName);
            var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(TelemetryName);
            if (!string.IsNullOrWhiteSpace(endpoint))
            {
                tracing.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
                metrics.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
            }

            _tracerProvider = tracing.Build();
            _meterProvider = metrics.Build();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _tracerProvider?.ForceFlush();
            _meterProvider?.ForceFlush();
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            _tracerProvider?.Dispose();
            _meterProvider?.Dispose();
        }
    }
}
