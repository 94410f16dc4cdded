using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DiscordLedgerBot.Core.Registry;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Registry;

/// <summary>
/// The operator HTTP API of the registry (minimal APIs). Everything under /admin/registry needs
/// Registry:AdminApiEnabled and the bearer Registry:AdminToken; heartbeats accept the admin or the agent token.
/// Errors are problem+json; a rejected call changes nothing.
/// </summary>
public static class RegistryAdminEndpoints
{
    public const string AdminPrefix = "/admin/registry";

    public static IEndpointRouteBuilder MapRegistryAdmin(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup(AdminPrefix).AddEndpointFilter(RequireAdmin);
        admin.MapGet("/tools", (CapabilityRegistry registry) => Json(registry.ListTools().Select(ToolView.From)));
        admin.MapGet("/tools/{id}", (string id, CapabilityRegistry registry) =>
            registry.FindTool(id) is { } tool ? Json(ToolView.From(tool)) : UnknownTool(id));
        admin.MapPut("/tools/{id}", UpsertToolAsync);
        admin.MapDelete("/tools/{id}", RemoveToolAsync);
        admin.MapPost("/tools/{id}/overrides", SetOverrideAsync);
        admin.MapDelete("/tools/{id}/overrides", ClearOverrideAsync);
        admin.MapGet("/rank", Rank);
        admin.MapGet("/audit", (CapabilityRegistry registry) => Json(registry.Audit));
        endpoints.MapPost("/registry/tools/{id}/heartbeat", Heartbeat);
        return endpoints;
    }

    private static async ValueTask<object?> RequireAdmin(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<RegistryOptions>>().Value;
        if (!options.AdminApiEnabled)
        {
            return Problem(StatusCodes.Status404NotFound, "Registry admin API disabled", "Set Registry:AdminApiEnabled=true to enable it.");
        }

        return TokenMatches(context.HttpContext.Request, options.AdminToken) is { } failure ? failure : await next(context);
    }

    /// <summary>Null when the bearer token matches; otherwise the 401 to return. The token itself is never logged or echoed.</summary>
    private static IResult? TokenMatches(HttpRequest request, params string?[] acceptedTokens)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            return Unauthorized("A bearer token is required (Authorization: Bearer <token>).");
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        var matched = false;
        foreach (var token in acceptedTokens)
        {
            if (!string.IsNullOrEmpty(token))
            {
                // Hash both sides so the comparison is constant-time regardless of the tokens' lengths.
                matched |= CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(token)));
            }
        }

        return matched ? null : Unauthorized("The bearer token is not valid for this endpoint.");
    }

    private static async Task<IResult> UpsertToolAsync(string id, string? actor, HttpRequest request, CapabilityRegistry registry, CancellationToken cancellationToken)
    {
        var document = await ReadBodyAsync<ToolDocument>(request, "tool definition", cancellationToken);
        if (document.Failure is { } failure)
        {
            return failure;
        }

        if (document.Value!.Id is { } bodyId && bodyId != id)
        {
            return BadRequest($"The body's id '{bodyId}' does not match the URL's tool id '{id}'.");
        }

        return await RunAsync(async () =>
        {
            var replaced = registry.FindTool(id) is not null;
            await registry.UpsertToolAsync(document.Value with { Id = id }, actor ?? string.Empty, cancellationToken);
            var view = ToolView.From(registry.FindTool(id)!);
            return replaced ? Json(view) : Results.Json(view, RegistryCatalogParser.JsonOptions, statusCode: StatusCodes.Status201Created);
        });
    }

    private static Task<IResult> RemoveToolAsync(string id, string? actor, string? reason, CapabilityRegistry registry, CancellationToken cancellationToken) =>
        RunAsync(async () =>
        {
            await registry.RemoveToolAsync(id, actor ?? string.Empty, reason ?? string.Empty, cancellationToken);
            return Results.NoContent();
        });

    private static async Task<IResult> SetOverrideAsync(string id, HttpRequest request, CapabilityRegistry registry, CancellationToken cancellationToken)
    {
        if (registry.FindTool(id) is null)
        {
            return UnknownTool(id);
        }

        var body = await ReadBodyAsync<OverrideBody>(request, "override", cancellationToken);
        if (body.Failure is { } failure)
        {
            return failure;
        }

        var action = body.Value!.Action switch
        {
            "disable" => OverrideAction.Disable,
            "enable" => OverrideAction.Enable,
            "force-prefer" => OverrideAction.ForcePrefer,
            _ => (OverrideAction?)null,
        };
        if (action is null)
        {
            return BadRequest($"action must be one of: disable, enable, force-prefer; got '{body.Value.Action}'.");
        }

        DateTimeOffset? expiresAt = null;
        if (body.Value.ExpiresAt is { } rawExpiry)
        {
            if (!DateTimeOffset.TryParse(rawExpiry, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return BadRequest($"expiresAt '{rawExpiry}' is not an ISO-8601 timestamp (e.g. 2026-11-21T18:00:00Z).");
            }

            expiresAt = parsed;
        }

        var idempotencyKey = request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;
        var overrideRequest = new OverrideRequest(id, body.Value.Workflow, action.Value, body.Value.Actor ?? string.Empty, body.Value.Reason ?? string.Empty, expiresAt);
        return await RunAsync(async () =>
            Json(OverrideView.From(await registry.SetOverrideAsync(overrideRequest, idempotencyKey, cancellationToken))));
    }

    private static Task<IResult> ClearOverrideAsync(
        string id,
        string? workflow,
        string? actor,
        string? reason,
        HttpRequest request,
        CapabilityRegistry registry,
        CancellationToken cancellationToken) =>
        RunAsync(async () =>
        {
            var idempotencyKey = request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;
            var removed = await registry.ClearOverrideAsync(id, workflow, actor ?? string.Empty, reason ?? string.Empty, idempotencyKey, cancellationToken);
            return removed is null
                ? Problem(StatusCodes.Status404NotFound, "No override", $"Tool '{id}' has no override for {workflow ?? "all workflows"}.")
                : Json(OverrideView.From(removed));
        });

    private static IResult Rank(string? workflow, string? affordances, CapabilityRegistry registry)
    {
        if (string.IsNullOrWhiteSpace(workflow))
        {
            return BadRequest("The workflow query parameter is required (e.g. ?workflow=code-edit).");
        }

        var required = (affordances ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            var ranking = registry.Rank(workflow, required);
            return Json(new
            {
                ranking.Workflow,
                ranking.RequiredAffordances,
                ranking.At,
                Tools = ranking.Tools.Select((t, i) => new
                {
                    Position = i + 1,
                    t.ToolId,
                    Eligible = t.IsEligible,
                    t.Verdict,
                    t.Reason,
                    Health = t.EffectiveHealth,
                    t.Circuit,
                    EwmaLatencyMs = Finite(t.Health.EwmaLatencyMs),
                    P95LatencyMs = Finite(t.Health.P95LatencyMs),
                }),
            });
        }
        catch (RegistryValidationException ex)
        {
            return ValidationProblem(ex);
        }
    }

    private static async Task<IResult> Heartbeat(string id, HttpRequest request, CapabilityRegistry registry, IOptions<RegistryOptions> options)
    {
        var settings = options.Value;
        var adminToken = settings.AdminApiEnabled ? settings.AdminToken : null;
        if (string.IsNullOrEmpty(adminToken) && string.IsNullOrEmpty(settings.AgentToken))
        {
            return Problem(StatusCodes.Status404NotFound, "Heartbeats disabled", "Configure Registry:AgentToken (or enable the admin API) to accept heartbeats.");
        }

        if (TokenMatches(request, adminToken, settings.AgentToken) is { } failure)
        {
            return failure;
        }

        return await registry.RecordHeartbeatAsync(id, request.HttpContext.RequestAborted) switch
        {
            HeartbeatOutcome.Accepted => Results.NoContent(),
            HeartbeatOutcome.UnknownTool => UnknownTool(id),
            _ => BadRequest($"Tool '{id}' is not checked by heartbeats (its health check is not of kind ttl)."),
        };
    }

    private static async Task<IResult> RunAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (UnknownToolException ex)
        {
            return UnknownTool(ex.ToolId);
        }
        catch (RegistryValidationException ex)
        {
            return ValidationProblem(ex);
        }
    }

    private static async Task<(T? Value, IResult? Failure)> ReadBodyAsync<T>(HttpRequest request, string what, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength is 0 || !(request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, BadRequest($"The {what} must be sent as an application/json body."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, RegistryCatalogParser.JsonOptions, cancellationToken);
            return value is null ? (null, BadRequest($"The {what} body is empty.")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, BadRequest(RegistryCatalogParser.DescribeJsonError(what, ex)));
        }
    }

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 2) : null;

    private static IResult Json(object? value) => Results.Json(value, RegistryCatalogParser.JsonOptions);

    private static IResult UnknownTool(string id) =>
        Problem(StatusCodes.Status404NotFound, "Unknown tool", $"Tool '{id}' is not registered. GET {AdminPrefix}/tools lists the registered tools.");

    private static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Invalid registry request", detail);

    private static IResult ValidationProblem(RegistryValidationException ex) =>
        Results.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid registry request",
            detail: ex.Message,
            extensions: new Dictionary<string, object?> { ["errors"] = ex.Errors });

    private static IResult Unauthorized(string detail) => new UnauthorizedProblem(detail);

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>401 as problem+json with the challenge header clients expect.</summary>
    private sealed class UnauthorizedProblem(string detail) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail).ExecuteAsync(httpContext);
        }
    }

    private sealed record OverrideBody(string? Action, string? Workflow, string? Actor, string? Reason, string? ExpiresAt);

    private sealed record OverrideView(string ToolId, string? Workflow, string Action, string Actor, string Reason, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt)
    {
        public static OverrideView From(ToolOverride o) =>
            new(o.ToolId, o.Workflow, JsonNamingPolicy.KebabCaseLower.ConvertName(o.Action.ToString()), o.Actor, o.Reason, o.CreatedAt, o.ExpiresAt);
    }

    private sealed record HealthView(
        HealthStatus Status,
        bool Stale,
        double? EwmaLatencyMs,
        double? P95LatencyMs,
        int Samples,
        int ConsecutiveSuccesses,
        int ConsecutiveFailures,
        string LastDetail,
        DateTimeOffset? LastResultAt,
        DateTimeOffset? StatusSince,
        DateTimeOffset? LastHeartbeatAt);

    private sealed record ToolView(ToolDocument Definition, HealthView Health, CircuitState Circuit, IReadOnlyList<OverrideView> Overrides)
    {
        public static ToolView From(ToolStatus status)
        {
            var h = status.Health;
            return new ToolView(
                RegistryCatalogParser.ToDocument(status.Definition),
                new HealthView(h.Status, h.Stale, Finite(h.EwmaLatencyMs), Finite(h.P95LatencyMs), h.Samples, h.ConsecutiveSuccesses, h.ConsecutiveFailures, h.LastDetail, h.LastResultAt, h.StatusSince, h.LastHeartbeatAt),
                status.Circuit,
                [.. status.Overrides.Select(OverrideView.From)]);
        }
    }
}
