using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DiscordLedgerBot.Hosting;

/// <summary>
/// One place that wires what every deployment needs (after eShop's ServiceDefaults): the clock, problem+json
/// errors and health endpoints. OpenTelemetry is composed by AddLedgerBot (see LedgerBotTelemetry).
/// </summary>
public static class ServiceDefaults
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
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
}
