using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Slices.Ledger;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Api;

/// <summary>
/// /api/v1/escalations: the escalation engine's running episodes per item (read from the engine's persisted state over
/// the bot's item index), and acknowledging one from a downstream service, which stops further levels exactly as the
/// Discord button does and is written to the board as an update.
/// </summary>
public static class EscalationApiEndpoints
{
    public static RouteGroupBuilder MapEscalationApi(this RouteGroupBuilder api)
    {
        api.MapGet("/escalations", ListAsync).AddEndpointFilter(ApiAuthorization.Require(ApiScopes.LedgerRead)).WithName("listEscalations")
            .Produces<EscalationList>();
        api.MapPost("/escalations/{key}/acknowledge", AcknowledgeAsync).AddEndpointFilter(ApiAuthorization.Require(ApiScopes.LedgerWrite)).WithName("acknowledgeEscalation")
            .Accepts<AcknowledgeRequest>("application/json").Produces<EscalationAcknowledgement>()
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return api;
    }

    private static async Task<IResult> ListAsync(LedgerItemIndex index, EscalationEngine engine, IOptionsMonitor<EscalationOptions> options, CancellationToken cancellationToken)
    {
        var items = new List<EscalationItemView>();
        foreach (var entry in index.All.OrderBy(e => e.Key.Value, StringComparer.Ordinal))
        {
            if (await engine.GetStateAsync(entry.Key.Value, cancellationToken) is { Episodes.Count: > 0 } state)
            {
                items.Add(new EscalationItemView(ItemView.From(entry), [.. state.Episodes.Select(EpisodeView.From)]));
            }
        }

        var settings = options.CurrentValue;
        return Results.Json(new EscalationList(items, settings.Enabled, [.. settings.BuildPolicies().Select(p => p.Name)]), ApiJson.Options);
    }

    private static async Task<IResult> AcknowledgeAsync(string key, HttpContext http, LedgerItemIndex index, ILedger ledger, EscalationEngine engine, LedgerIngestion ingestion, CancellationToken cancellationToken)
    {
        if (ingestion.IsReadOnly)
        {
            return ApiProblems.ReadOnly();
        }

        if (!LedgerKey.TryParse(key, out var ledgerKey, out var error))
        {
            return ApiProblems.BadRequest("key", error);
        }

        string? episode = null;
        if (http.Request.ContentLength is > 0 || http.Request.ContentType is not null)
        {
            var (body, problem) = await ApiJson.ReadBodyAsync<AcknowledgeRequest>(http.Request, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            episode = body!.Episode;
        }

        var header = http.Request.Headers["Idempotency-Key"].ToString();
        var commandId = $"api:{(header.Length > 0 ? header : Guid.NewGuid().ToString("N"))}.ack";
        if (LedgerCommandValidator.Validate(new CommentOnLedgerEntry(commandId, ledgerKey, "ack")) is { } invalid)
        {
            return ApiProblems.BadRequest("Idempotency-Key", invalid.Reason);
        }

        var entry = index.Find(ledgerKey) ?? await ledger.FindByKeyAsync(ledgerKey, cancellationToken);
        if (entry is not { IsActive: true })
        {
            return ApiProblems.NotFound("Unknown item", $"No active entry carries ledger key '{key}'.");
        }

        var caller = http.Items[typeof(ApiCaller)] as ApiCaller;
        var result = await engine.AcknowledgeAsync(entry, episode, caller?.Name ?? "api", "HTTP API", commandId, cancellationToken);
        return result.Succeeded
            ? Results.Json(new EscalationAcknowledgement(entry.Key.Value, [.. result.Episodes.Select(e => e.Id)], commandId), ApiJson.Options)
            : ApiProblems.Conflict("Nothing to acknowledge", result.Message);
    }
}

/// <summary>The items with a running escalation; <see cref="Enabled"/> is Escalation:Enabled, <see cref="Policies"/> the enabled policies.</summary>
public sealed record EscalationList(IReadOnlyList<EscalationItemView> Items, bool Enabled, IReadOnlyList<string> Policies);

public sealed record EscalationItemView(ItemView Item, IReadOnlyList<EpisodeView> Episodes);

/// <summary>One running episode: its id ("policy.number"), the level it reached and who acknowledged it.</summary>
public sealed record EpisodeView(
    string Id,
    string Policy,
    string Condition,
    string Urgency,
    int Level,
    int StepsFired,
    int Steps,
    DateTimeOffset Onset,
    DateTimeOffset? LastFiredAt,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy)
{
    public static EpisodeView From(EscalationEpisode episode) => new(
        episode.Id,
        episode.Policy.Name,
        episode.Policy.Condition.ToString(),
        episode.Policy.Urgency.ToString().ToLowerInvariant(),
        episode.CurrentLevel,
        episode.Fired.Count,
        episode.Policy.StepCount,
        episode.Onset,
        episode.Fired.Count == 0 ? null : episode.Fired[^1].At,
        episode.AcknowledgedAt,
        episode.AcknowledgedBy);
}

/// <summary>Optional body of the acknowledge route: <see cref="Episode"/> limits it to one episode (else every unacknowledged one of the item).</summary>
public sealed record AcknowledgeRequest(string? Episode);

/// <summary>What was acknowledged; <see cref="CommandId"/> is the board update recording it (GET /api/v1/commands/{id}).</summary>
public sealed record EscalationAcknowledgement(string Key, IReadOnlyList<string> Acknowledged, string CommandId);
