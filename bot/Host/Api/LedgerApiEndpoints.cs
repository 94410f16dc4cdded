using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Text;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Api;

/// <summary>
/// /api/v1 items and commands (escalations: <see cref="EscalationApiEndpoints"/>). Reads go to monday through <see cref="ILedger"/>; every write is recorded
/// through <see cref="LedgerCommandSubmitter"/> (the outbox) and answered 202 with the command id and a Location to
/// poll, or 200 when <c>?wait=SECONDS</c> saw monday confirm in time.
/// </summary>
public static class LedgerApiEndpoints
{
    public const string Prefix = "/api/v1";
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>The most entries one list request reads from the board to page through.</summary>
    public const int MaxReadableEntries = 10_000;

    public static string CommandLocation(string commandId) => $"{Prefix}/commands/{Uri.EscapeDataString(commandId)}";

    public static RouteGroupBuilder MapLedgerApi(this RouteGroupBuilder api)
    {
        var read = ApiAuthorization.Require(ApiScopes.LedgerRead);
        var write = ApiAuthorization.Require(ApiScopes.LedgerWrite);
        api.MapGet("/items", ListItemsAsync).AddEndpointFilter(read).WithName("listItems")
            .Produces<ItemPage>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        api.MapGet("/items/{key}", GetItemAsync).AddEndpointFilter(read).WithName("getItem")
            .Produces<ItemView>().ProducesProblem(404);
        api.MapPost("/items", CreateItemAsync).AddEndpointFilter(write).WithName("createItem")
            .Accepts<CreateItemRequest>("application/json").Produces<CommandsAccepted>(200).Produces<CommandsAccepted>(202)
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409).ProducesProblem(422);
        api.MapPatch("/items/{key}", UpdateItemAsync).AddEndpointFilter(write).WithName("updateItem")
            .Accepts<UpdateItemRequest>("application/json").Produces<CommandsAccepted>(200).Produces<CommandsAccepted>(202)
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(422);
        api.MapPost("/items/{key}/notes", AddNoteAsync).AddEndpointFilter(write).WithName("addNote")
            .Accepts<NoteRequest>("application/json").Produces<CommandsAccepted>(200).Produces<CommandsAccepted>(202)
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        api.MapPost("/items/{key}/follow-ups", AddFollowUpAsync).AddEndpointFilter(write).WithName("addFollowUp")
            .Accepts<FollowUpRequest>("application/json").Produces<CommandsAccepted>(200).Produces<CommandsAccepted>(202)
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        api.MapGet("/commands/{commandId}", GetCommandAsync).AddEndpointFilter(read).WithName("getCommand")
            .Produces<CommandView>().ProducesProblem(404);
        return api;
    }

    private static async Task<IResult> ListItemsAsync(string? status, string? owner, string? dueBefore, string? limit, string? cursor, ILedger ledger, CancellationToken cancellationToken)
    {
        LedgerStatus? statusFilter = null;
        if (status is not null)
        {
            if (!LedgerStatusNames.TryParse(status, out var parsed))
            {
                return ApiProblems.BadRequest("status", $"status must be requested, in_progress, blocked or done; got '{status}'.");
            }

            statusFilter = parsed;
        }

        DateOnly? dueFilter = null;
        if (dueBefore is not null)
        {
            if (!DateOnly.TryParseExact(dueBefore, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return ApiProblems.BadRequest("dueBefore", $"dueBefore must be a date as YYYY-MM-DD; got '{dueBefore}'.");
            }

            dueFilter = parsed;
        }

        var pageSize = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
        {
            return ApiProblems.BadRequest("limit", $"limit must be a whole number from 1 to {MaxPageSize}; got '{limit}'.");
        }

        BigInteger after = BigInteger.MinusOne;
        if (cursor is not null && !TryReadCursor(cursor, out after))
        {
            return ApiProblems.BadRequest("cursor", "cursor is not one this API issued; start again without it.");
        }

        // Keyset paging on the monday item id (ids only grow): a page never repeats or skips an entry that existed
        // when the listing started, whatever was created or archived in between.
        var entries = await ledger.QueryAsync(new LedgerQuery { Status = statusFilter, Owner = owner, DueBefore = dueFilter, Limit = MaxReadableEntries }, cancellationToken);
        var ordered = entries
            .Select(e => (Id: BigInteger.Parse(e.MondayItemId, CultureInfo.InvariantCulture), Entry: e))
            .Where(e => e.Id > after)
            .OrderBy(e => e.Id)
            .Take(pageSize + 1)
            .ToList();
        var page = ordered.Take(pageSize).ToList();
        var next = ordered.Count > pageSize ? WriteCursor(page[^1].Id) : null;
        return Results.Json(new ItemPage([.. page.Select(e => ItemView.From(e.Entry))], next), ApiJson.Options);
    }

    private static async Task<IResult> GetItemAsync(string key, ILedger ledger, CancellationToken cancellationToken)
    {
        if (!LedgerKey.TryParse(key, out var ledgerKey, out var error))
        {
            return ApiProblems.BadRequest("key", error);
        }

        return await ledger.FindByKeyAsync(ledgerKey, cancellationToken) is { } entry
            ? Results.Json(ItemView.From(entry), ApiJson.Options)
            : UnknownItem(key);
    }

    private static async Task<IResult> CreateItemAsync(HttpContext http, LedgerCommandSubmitter submitter, CancellationToken cancellationToken)
    {
        if (submitter.IsReadOnly)
        {
            return ApiProblems.ReadOnly();
        }

        if (ReadWait(http.Request) is { Problem: { } badWait })
        {
            return badWait;
        }

        if (OriginKey(http.Request) is { Problem: { } badKey })
        {
            return badKey;
        }

        var (body, problem) = await ApiJson.ReadBodyAsync<CreateItemRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.Title))
        {
            return ApiProblems.BadRequest("title", "title is required and must not be blank.");
        }

        if (body.DiscordChannelId is { } channel && (channel.Length is 0 or > 20 || !channel.All(char.IsAsciiDigit)))
        {
            return ApiProblems.BadRequest("discordChannelId", "discordChannelId must be a Discord snowflake (digits).");
        }

        var origin = OriginKey(http.Request).Key;
        var command = new CreateLedgerEntry(origin.Value, origin, body.Title, LedgerSource.Api)
        {
            Owner = body.Owner,
            DueDate = body.DueDate,
            DiscordChannelId = body.DiscordChannelId,
        };
        return await SubmitAsync(http, submitter, [command], cancellationToken);
    }

    private static async Task<IResult> UpdateItemAsync(string key, HttpContext http, ILedger ledger, LedgerCommandSubmitter submitter, CancellationToken cancellationToken)
    {
        if (submitter.IsReadOnly)
        {
            return ApiProblems.ReadOnly();
        }

        if (Preflight(http.Request, key) is { } invalid)
        {
            return invalid;
        }

        var (body, problem) = await ApiJson.ReadBodyAsync<UpdateItemRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        LedgerStatus? to = null;
        if (body!.Status is { } statusText)
        {
            if (!LedgerStatusNames.TryParse(statusText, out var parsed))
            {
                return ApiProblems.BadRequest("status", $"status must be requested, in_progress, blocked or done; got '{statusText}'.");
            }

            to = parsed;
        }

        var wantsDetails = body.Title is not null || body.Owner is not null || body.DueDate is not null || body.ClearOwner || body.ClearDueDate;
        if (!wantsDetails && to is null)
        {
            return ApiProblems.BadRequest("body", "Nothing to update: give title, owner, dueDate, clearOwner, clearDueDate or status.");
        }

        // The entry's real status is the "from" of a status change, so an illegal move is refused before anything is recorded.
        if (await ledger.FindByKeyAsync(LedgerKey.Parse(key), cancellationToken) is not { } entry)
        {
            return UnknownItem(key);
        }

        var origin = OriginKey(http.Request).Key.Value;
        var commands = new List<LedgerCommand>();
        if (wantsDetails)
        {
            commands.Add(new UpdateLedgerDetails($"{origin}.details", entry.Key)
            {
                MondayItemId = entry.MondayItemId,
                Title = body.Title,
                Owner = body.Owner,
                DueDate = body.DueDate,
                ClearOwner = body.ClearOwner,
                ClearDueDate = body.ClearDueDate,
            });
        }

        if (to is { } target)
        {
            if (entry.Status is not { } from)
            {
                return ApiProblems.Conflict("Unknown status on the board", $"Entry '{key}' carries a status label the ledger does not know; fix it on the board first.");
            }

            commands.Add(new ChangeLedgerStatus($"{origin}.status", entry.Key, from, target) { MondayItemId = entry.MondayItemId });
        }

        return await SubmitAsync(http, submitter, commands, cancellationToken);
    }

    private static async Task<IResult> AddNoteAsync(string key, HttpContext http, ILedger ledger, LedgerCommandSubmitter submitter, CancellationToken cancellationToken)
    {
        if (submitter.IsReadOnly)
        {
            return ApiProblems.ReadOnly();
        }

        if (Preflight(http.Request, key) is { } invalid)
        {
            return invalid;
        }

        var (body, problem) = await ApiJson.ReadBodyAsync<NoteRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.Body))
        {
            return ApiProblems.BadRequest("body", "body is required and must not be blank.");
        }

        if (await ledger.FindByKeyAsync(LedgerKey.Parse(key), cancellationToken) is not { } entry)
        {
            return UnknownItem(key);
        }

        var origin = OriginKey(http.Request).Key.Value;
        return await SubmitAsync(http, submitter, [new CommentOnLedgerEntry($"{origin}.comment", entry.Key, body.Body) { MondayItemId = entry.MondayItemId }], cancellationToken);
    }

    private static async Task<IResult> AddFollowUpAsync(string key, HttpContext http, ILedger ledger, LedgerCommandSubmitter submitter, CancellationToken cancellationToken)
    {
        if (submitter.IsReadOnly)
        {
            return ApiProblems.ReadOnly();
        }

        if (Preflight(http.Request, key) is { } invalid)
        {
            return invalid;
        }

        var (body, problem) = await ApiJson.ReadBodyAsync<FollowUpRequest>(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.Title))
        {
            return ApiProblems.BadRequest("title", "title is required and must not be blank.");
        }

        if (await ledger.FindByKeyAsync(LedgerKey.Parse(key), cancellationToken) is not { } entry)
        {
            return UnknownItem(key);
        }

        var origin = OriginKey(http.Request).Key.Value;
        return await SubmitAsync(http, submitter, [new AddLedgerFollowUp($"{origin}.followup", entry.Key, body.Title) { MondayItemId = entry.MondayItemId }], cancellationToken);
    }

    private static async Task<IResult> GetCommandAsync(string commandId, IOutboxStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(commandId, cancellationToken) is { } record
            ? Results.Json(CommandView.From(record), ApiJson.Options)
            : ApiProblems.NotFound("Unknown command", $"No command '{commandId}' is in the outbox (confirmed commands are purged after Outbox:RetainConfirmedFor).");

    private static async Task<IResult> SubmitAsync(HttpContext http, LedgerCommandSubmitter submitter, IReadOnlyList<LedgerCommand> commands, CancellationToken cancellationToken)
    {
        IReadOnlyList<CommandView> views;
        try
        {
            views = await submitter.SubmitAsync(commands, ReadWait(http.Request).Wait, cancellationToken);
        }
        catch (LedgerReadOnlyException)
        {
            return ApiProblems.ReadOnly();
        }
        catch (LedgerCommandRejectedException rejected)
        {
            return ApiProblems.BadRequest(LedgerCommandSubmitter.FieldOf(rejected.Rejection), rejected.Rejection.Reason);
        }
        catch (OutboxIdempotencyConflictException conflict)
        {
            return ApiProblems.Conflict("Idempotency key reused", $"Idempotency-Key '{conflict.Existing.IdempotencyKey}' already recorded a different request; use a new key for a new request.");
        }

        var accepted = new CommandsAccepted(views);
        http.Response.Headers.Location = views[0].Location;
        if (views.Any(v => v.IsDeadLettered))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "monday rejected the command",
                detail: string.Join(" ", views.Where(v => v.IsDeadLettered).Select(v => $"{v.CommandId}: {v.Error}")),
                extensions: new Dictionary<string, object?> { ["commands"] = views });
        }

        return views.All(v => v.State == CommandView.Confirmed)
            ? Results.Json(accepted, ApiJson.Options)
            : Results.Json(accepted, ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static IResult? Preflight(HttpRequest request, string key)
    {
        if (!LedgerKey.TryParse(key, out _, out var error))
        {
            return ApiProblems.BadRequest("key", error);
        }

        return ReadWait(request).Problem ?? OriginKey(request).Problem;
    }

    /// <summary>
    /// The request's idempotency origin: <c>api:</c> + the Idempotency-Key header (so a retried request lands once),
    /// else <c>api:</c> + a fresh id. For a create it is also the new entry's ledger key.
    /// </summary>
    private static (LedgerKey Key, IResult? Problem) OriginKey(HttpRequest request)
    {
        if (request.HttpContext.Items.TryGetValue(typeof(LedgerKey), out var cached) && cached is LedgerKey known)
        {
            return (known, null);
        }

        var header = request.Headers["Idempotency-Key"].ToString();
        var origin = header.Length > 0 ? header : Guid.NewGuid().ToString("N");
        if (!LedgerKey.TryParse($"{LedgerSource.Api.ToWireName()}:{origin}", out var key, out var error))
        {
            return (default, ApiProblems.BadRequest("Idempotency-Key", $"The Idempotency-Key header is not usable: {error}"));
        }

        request.HttpContext.Items[typeof(LedgerKey)] = key;
        return (key, null);
    }

    private static (TimeSpan Wait, IResult? Problem) ReadWait(HttpRequest request)
    {
        if (!request.Query.TryGetValue("wait", out var raw))
        {
            return (TimeSpan.Zero, null);
        }

        var max = (int)LedgerCommandSubmitter.MaxWait.TotalSeconds;
        return int.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= max
            ? (TimeSpan.FromSeconds(seconds), null)
            : (TimeSpan.Zero, ApiProblems.BadRequest("wait", $"wait must be a whole number of seconds from 0 to {max}; got '{raw}'."));
    }

    private static IResult UnknownItem(string key) =>
        ApiProblems.NotFound("Unknown item", $"No active entry carries ledger key '{key}' (a just-created entry appears once its command is confirmed).");

    private static string WriteCursor(BigInteger afterItemId) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes("after:" + afterItemId.ToString(CultureInfo.InvariantCulture)));

    private static bool TryReadCursor(string cursor, out BigInteger afterItemId)
    {
        afterItemId = BigInteger.MinusOne;
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith("after:", StringComparison.Ordinal)
                && BigInteger.TryParse(text.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out afterItemId);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public sealed record CreateItemRequest(string? Title, string? Owner, DateOnly? DueDate, string? DiscordChannelId);

public sealed record UpdateItemRequest(string? Title, string? Owner, DateOnly? DueDate, bool ClearOwner, bool ClearDueDate, string? Status);

public sealed record NoteRequest(string? Body);

public sealed record FollowUpRequest(string? Title);

