using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Registry;

namespace DiscordLedgerBot.Api;

/// <summary>/api/v1/registry: tools and their health, ranking, and selection (which records its rationale on the ledger).</summary>
public static class RegistryApiEndpoints
{
    public static RouteGroupBuilder MapRegistryApi(this RouteGroupBuilder api)
    {
        var read = ApiAuthorization.Require(ApiScopes.RegistryRead);
        api.MapGet("/registry/tools", (CapabilityRegistry registry) => Results.Json(registry.ListTools().Select(RegistryToolView.From), ApiJson.Options))
            .AddEndpointFilter(read).WithName("listTools").Produces<IReadOnlyList<RegistryToolView>>();
        api.MapGet("/registry/tools/{id}", (string id, CapabilityRegistry registry) =>
                registry.FindTool(id) is { } tool ? Results.Json(RegistryToolView.From(tool), ApiJson.Options) : UnknownTool(id))
            .AddEndpointFilter(read).WithName("getTool").Produces<RegistryToolView>().ProducesProblem(404);
        api.MapGet("/registry/health", (CapabilityRegistry registry) => Results.Json(registry.ListTools().Select(t => new ToolHealthView(t.Definition.Id, t.Health.Status, t.Health.Stale, t.Circuit, t.Health.LastDetail, t.Health.StatusSince)), ApiJson.Options))
            .AddEndpointFilter(read).WithName("listToolHealth").Produces<IReadOnlyList<ToolHealthView>>();
        api.MapGet("/registry/rank", Rank).AddEndpointFilter(read).WithName("rankTools").Produces<RankingView>().ProducesProblem(400);
        // Selecting writes its rationale to the ledger, so it also needs ledger:write.
        api.MapPost("/registry/select", SelectAsync).AddEndpointFilter(ApiAuthorization.Require(ApiScopes.RegistryRead, ApiScopes.LedgerWrite)).WithName("selectTool")
            .Accepts<SelectRequest>("application/json").Produces<SelectionView>().ProducesProblem(400).ProducesProblem(403);
        var admin = ApiAuthorization.Require(ApiScopes.RegistryAdmin);
        api.MapPost("/registry/tools/{id}/overrides", SetOverrideAsync).AddEndpointFilter(admin).WithName("setOverride")
            .Accepts<OverrideRequestBody>("application/json").Produces<OverrideView>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        api.MapDelete("/registry/tools/{id}/overrides", ClearOverrideAsync).AddEndpointFilter(admin).WithName("clearOverride")
            .Produces<OverrideView>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        return api;
    }

    private static async Task<IResult> SetOverrideAsync(string id, HttpRequest request, CapabilityRegistry registry, LedgerCommandSubmitter submitter, CancellationToken cancellationToken)
    {
        // The override's audit note goes to the ledger, so read-only mode refuses it like any write.
        if (submitter.IsReadOnly)
        {
            return ApiProblems.ReadOnly();
        }

        if (registry.FindTool(id) is null)
        {
            return UnknownTool(id);
        }

        var (body, problem) = await ApiJson.ReadBodyAsync<OverrideRequestBody>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        OverrideAction? action = body!.Action switch
        {
            "disable" => OverrideAction.Disable,
            "enable" => OverrideAction.Enable,
            "force-prefer" => OverrideAction.ForcePrefer,
            _ => null,
        };
        if (action is null)
        {
            return ApiProblems.BadRequest("action", $"action must be disable, enable or force-prefer; got '{body.Action}'.");
        }

        try
        {
            var set = await registry.SetOverrideAsync(
                new OverrideRequest(id, body.Workflow, action.Value, body.Actor ?? string.Empty, body.Reason ?? string.Empty, body.ExpiresAt),
                IdempotencyKeyOf(request),
                cancellationToken);
            return Results.Json(OverrideView.From(set), ApiJson.Options);
        }
        catch (RegistryValidationException invalid)
        {
            return ApiProblems.BadRequest(FieldNamedIn(invalid), invalid.Message);
        }
        catch (LedgerReadOnlyException)
        {
            return ApiProblems.ReadOnly();
        }
    }

    private static async Task<IResult> ClearOverrideAsync(string id, string? workflow, string? actor, string? reason, HttpRequest request, CapabilityRegistry registry, LedgerCommandSubmitter submitter, CancellationToken cancellationToken)
    {
        if (submitter.IsReadOnly)
        {
            return ApiProblems.ReadOnly();
        }

        try
        {
            return await registry.ClearOverrideAsync(id, workflow, actor ?? string.Empty, reason ?? string.Empty, IdempotencyKeyOf(request), cancellationToken) is { } removed
                ? Results.Json(OverrideView.From(removed), ApiJson.Options)
                : ApiProblems.NotFound("No override", $"Tool '{id}' has no override for {workflow ?? "all workflows"}.");
        }
        catch (UnknownToolException)
        {
            return UnknownTool(id);
        }
        catch (RegistryValidationException invalid)
        {
            return ApiProblems.BadRequest(FieldNamedIn(invalid), invalid.Message);
        }
        catch (LedgerReadOnlyException)
        {
            return ApiProblems.ReadOnly();
        }
    }

    // The registry's messages name the argument they reject ("actor is required …").
    private static string FieldNamedIn(RegistryValidationException invalid) =>
        new[] { "actor", "reason", "workflow", "expiresAt" }.FirstOrDefault(f => invalid.Message.Contains(f, StringComparison.OrdinalIgnoreCase)) ?? "body";

    private static string? IdempotencyKeyOf(HttpRequest request) =>
        request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? $"{LedgerSource.Api.ToWireName()}:{key}" : null;

    private static IResult Rank(string? workflow, string? affordances, CapabilityRegistry registry)
    {
        if (string.IsNullOrWhiteSpace(workflow))
        {
            return ApiProblems.BadRequest("workflow", "The workflow query parameter is required (e.g. ?workflow=code-edit).");
        }

        try
        {
            return Results.Json(RankingView.From(registry.Rank(workflow, SplitAffordances(affordances))), ApiJson.Options);
        }
        catch (RegistryValidationException invalid)
        {
            return ApiProblems.BadRequest("workflow", invalid.Message);
        }
    }

    private static async Task<IResult> SelectAsync(HttpRequest request, CapabilityRegistry registry, LedgerCommandSubmitter submitter, CancellationToken cancellationToken)
    {
        if (submitter.IsReadOnly)
        {
            return ApiProblems.ReadOnly();
        }

        var (body, problem) = await ApiJson.ReadBodyAsync<SelectRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.Workflow))
        {
            return ApiProblems.BadRequest("workflow", "workflow is required.");
        }

        if (!LedgerKey.TryParse(body.LedgerKey, out _, out var keyError))
        {
            return ApiProblems.BadRequest("ledgerKey", keyError);
        }

        var header = request.Headers["Idempotency-Key"].ToString();
        var idempotencyKey = $"{LedgerSource.Api.ToWireName()}:{(header.Length > 0 ? header : Guid.NewGuid().ToString("N"))}";
        try
        {
            var selection = await registry.SelectAsync(body.Workflow, body.LedgerKey!, idempotencyKey, body.Affordances ?? [], cancellationToken);
            return Results.Json(SelectionView.From(selection), ApiJson.Options);
        }
        catch (RegistryValidationException invalid)
        {
            return ApiProblems.BadRequest("workflow", invalid.Message);
        }
        catch (LedgerReadOnlyException)
        {
            return ApiProblems.ReadOnly();
        }
    }

    private static string[] SplitAffordances(string? affordances) =>
        (affordances ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static IResult UnknownTool(string id) =>
        ApiProblems.NotFound("Unknown tool", $"Tool '{id}' is not registered; GET {LedgerApiEndpoints.Prefix}/registry/tools lists them.");
}

public sealed record OverrideRequestBody(string? Action, string? Workflow, string? Actor, string? Reason, DateTimeOffset? ExpiresAt);

public sealed record OverrideView(string ToolId, string? Workflow, OverrideAction Action, string Actor, string Reason, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt)
{
    public static OverrideView From(ToolOverride o) => new(o.ToolId, o.Workflow, o.Action, o.Actor, o.Reason, o.CreatedAt, o.ExpiresAt);
}

public sealed record SelectRequest(string? Workflow, string? LedgerKey, IReadOnlyList<string>? Affordances);

public sealed record ToolHealthView(string ToolId, HealthStatus Status, bool Stale, CircuitState Circuit, string LastDetail, DateTimeOffset? StatusSince);

public sealed record RegistryToolView(
    string Id,
    string DisplayName,
    string Owner,
    ToolLifecycle Lifecycle,
    IReadOnlyList<string> Workflows,
    ToolHealthView Health,
    IReadOnlyList<string> Overrides)
{
    public static RegistryToolView From(ToolStatus status) => new(
        status.Definition.Id,
        status.Definition.DisplayName,
        status.Definition.Owner,
        status.Definition.Lifecycle,
        status.Definition.Workflows,
        new ToolHealthView(status.Definition.Id, status.Health.Status, status.Health.Stale, status.Circuit, status.Health.LastDetail, status.Health.StatusSince),
        [.. status.Overrides.Select(o => o.Describe())]);
}

public sealed record RankedToolView(int Position, string ToolId, bool Eligible, RankVerdict Verdict, string Reason, HealthStatus Health, CircuitState Circuit)
{
    public static RankedToolView From(RankedTool tool, int index) =>
        new(index + 1, tool.ToolId, tool.IsEligible, tool.Verdict, tool.Reason, tool.EffectiveHealth, tool.Circuit);
}

public sealed record RankingView(string Workflow, IReadOnlyList<string> RequiredAffordances, DateTimeOffset At, IReadOnlyList<RankedToolView> Tools)
{
    public static RankingView From(ToolRanking ranking) =>
        new(ranking.Workflow, ranking.RequiredAffordances, ranking.At, [.. ranking.Tools.Select(RankedToolView.From)]);
}

/// <summary>The chosen tool (null when none is eligible) and the rationale recorded on the workflow's ledger entry.</summary>
public sealed record SelectionView(string Workflow, string LedgerKey, string CommandId, string? ChosenToolId, string Rationale, RankingView Ranking)
{
    public static SelectionView From(ToolSelection selection) =>
        new(selection.Workflow, selection.LedgerKey, selection.IdempotencyKey, selection.Chosen?.ToolId, selection.Rationale, RankingView.From(selection.Ranking));
}
