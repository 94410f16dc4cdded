using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Monday.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Monday;

/// <summary>
/// <see cref="ILedger"/> on a monday board. A batch is validated first (nothing is sent for a rejected command),
/// targets named only by ledger key are resolved with one read, and all writes go out as aliased mutations in as
/// few requests as the per-query cap and the remaining complexity budget allow.
/// </summary>
public sealed partial class MondayLedger : ILedger
{
    private const int IdsPerRead = 100;
    private const long RequestOverheadEstimate = 1_000;

    private readonly MondayClient _client;
    private readonly MondayOptions _options;
    private readonly ILogger<MondayLedger> _logger;
    private readonly SemaphoreSlim _bindingGate = new(1, 1);
    private readonly Dictionary<MutationKind, long> _learnedCosts = [];
    private readonly object _costGate = new();
    private IReadOnlyDictionary<LedgerGroup, string>? _groups;

    public MondayLedger(MondayClient client, IOptions<MondayOptions> options, ILogger<MondayLedger> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options.Value;
        _logger = logger;
    }

    public async Task<LedgerResult> ExecuteAsync(LedgerCommand command, CancellationToken cancellationToken) =>
        (await ExecuteBatchAsync([command], cancellationToken))[0];

    public async Task<IReadOnlyList<LedgerResult>> ExecuteBatchAsync(IReadOnlyList<LedgerCommand> commands, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var results = new LedgerResult?[commands.Count];
        var pending = new List<int>();
        for (var i = 0; i < commands.Count; i++)
        {
            results[i] = LedgerCommandValidator.Validate(commands[i]);
            if (results[i] is null)
            {
                pending.Add(i);
            }
        }

        if (pending.Count > 0)
        {
            EnsureBoardConfigured();
            IReadOnlyDictionary<LedgerGroup, string> groups;
            try
            {
                groups = await BindGroupsAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is MondayRequestException or InvalidOperationException)
            {
                foreach (var index in pending)
                {
                    results[index] = FailureFor(commands[index], exception);
                }

                return results!;
            }

            // Commands about an entry created earlier in the same batch wait for the create's item id: round one
            // applies everything else, round two the rest.
            var createdInBatch = new Dictionary<LedgerKey, string>();
            while (pending.Count > 0)
            {
                var creating = new HashSet<LedgerKey>(pending.Select(i => commands[i]).OfType<CreateLedgerEntry>().Select(c => c.Key));
                var round = new List<int>();
                var deferred = new List<int>();
                foreach (var index in pending)
                {
                    var command = commands[index];
                    if (command is not CreateLedgerEntry && command.MondayItemId is null && creating.Contains(command.Key))
                    {
                        deferred.Add(index);
                    }
                    else
                    {
                        round.Add(index);
                    }
                }

                await RunRoundAsync(commands, round, groups, createdInBatch, results, cancellationToken);
                foreach (var index in round)
                {
                    if (commands[index] is CreateLedgerEntry && results[index] is LedgerApplied applied)
                    {
                        createdInBatch[commands[index].Key] = applied.MondayItemId;
                    }
                }

                foreach (var index in deferred.Where(i => !createdInBatch.ContainsKey(commands[i].Key)))
                {
                    results[index] = new LedgerRetryable(commands[index], $"The entry {commands[index].Key} was not created in this batch; apply after its create is confirmed.", null);
                }

                pending = deferred.Where(i => results[i] is null).ToList();
            }
        }

        return results!;
    }

    public async Task<LedgerEntry?> FindByKeyAsync(LedgerKey key, CancellationToken cancellationToken)
    {
        var found = await FindByKeysAsync([key], cancellationToken);
        return found.TryGetValue(key, out var entry) ? entry : null;
    }

    public async Task<IReadOnlyList<LedgerEntry>> GetByIdsAsync(IReadOnlyCollection<string> mondayItemIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mondayItemIds);
        var entries = new List<LedgerEntry>();
        foreach (var chunk in mondayItemIds.Distinct(StringComparer.Ordinal).Chunk(IdsPerRead))
        {
            var variables = new JsonObject { ["ids"] = new JsonArray(chunk.Select(id => (JsonNode?)id).ToArray()) };
            var response = await QueryAsync(MondayDocuments.ItemsByIds, variables, cancellationToken);
            if (response.Field("items") is { ValueKind: JsonValueKind.Array } items)
            {
                entries.AddRange(MapItems(items));
            }
        }

        return entries;
    }

    public async Task<IReadOnlyList<LedgerEntry>> QueryAsync(LedgerQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        EnsureBoardConfigured();
        var rules = new JsonArray();
        if (query.Status is { } status)
        {
            rules.Add(new JsonObject { ["column_id"] = LedgerBoardSchema.StatusColumn, ["compare_value"] = new JsonArray(LedgerBoardSchema.StatusIndex(status)), ["operator"] = "any_of" });
        }

        if (query.Owner is { } owner)
        {
            rules.Add(new JsonObject { ["column_id"] = LedgerBoardSchema.OwnerColumn, ["compare_value"] = new JsonArray(owner), ["operator"] = "any_of" });
        }

        if (query.DueBefore is { } dueBefore)
        {
            rules.Add(new JsonObject
            {
                ["column_id"] = LedgerBoardSchema.DueColumn,
                ["compare_value"] = new JsonArray("EXACT", dueBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                ["operator"] = "lower_than",
            });
        }

        var queryParams = rules.Count == 0 ? null : new JsonObject { ["rules"] = rules };
        var limit = Math.Clamp(query.Limit, 1, 10_000);
        var entries = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        const int maxRestarts = 3;
        for (var restart = 0; ; restart++)
        {
            try
            {
                await ReadAllPagesAsync(queryParams, limit, entries, cancellationToken);
                break;
            }
            catch (MondayRequestException expired) when (expired.Kind == MondayErrorKind.CursorExpired && restart < maxRestarts)
            {
                // A cursor lives 60 minutes from its first use; start over and rely on the id-keyed dictionary to dedupe.
                LogCursorExpired(_logger, restart + 1);
            }
        }

        return entries.Values
            .Where(e => query.DueBefore is null || (e.DueDate is { } due && due < query.DueBefore))
            .Take(limit)
            .ToList();
    }

    /// <summary>Entries by ledger key; when several items carry one key (an unreconciled duplicate) the oldest item wins.</summary>
    public async Task<IReadOnlyDictionary<LedgerKey, LedgerEntry>> FindByKeysAsync(IReadOnlyCollection<LedgerKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        EnsureBoardConfigured();
        var found = new Dictionary<LedgerKey, LedgerEntry>();
        foreach (var chunk in keys.Distinct().Chunk(IdsPerRead))
        {
            var variables = new JsonObject
            {
                ["board"] = _options.BoardId,
                ["columns"] = new JsonArray(new JsonObject
                {
                    ["column_id"] = LedgerBoardSchema.KeyColumn,
                    ["column_values"] = new JsonArray(chunk.Select(k => (JsonNode?)k.Value).ToArray()),
                }),
            };
            var response = await QueryAsync(MondayDocuments.ItemsByColumnValues, variables, cancellationToken);
            var page = response.Field("items_page_by_column_values");
            while (page is { } current)
            {
                foreach (var entry in MapItems(current.GetProperty("items")))
                {
                    if (!found.TryGetValue(entry.Key, out var existing) || CompareIds(entry.MondayItemId, existing.MondayItemId) < 0)
                    {
                        found[entry.Key] = entry;
                    }
                }

                page = await NextPageAsync(current, cancellationToken);
            }
        }

        return found;
    }

    private async Task RunRoundAsync(
        IReadOnlyList<LedgerCommand> commands,
        List<int> round,
        IReadOnlyDictionary<LedgerGroup, string> groups,
        Dictionary<LedgerKey, string> createdInBatch,
        LedgerResult?[] results,
        CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<LedgerKey, LedgerEntry> byKey;
        IReadOnlyDictionary<string, LedgerEntry> byId;
        try
        {
            (byKey, byId) = await ResolveTargetsAsync(commands, round, createdInBatch, cancellationToken);
        }
        catch (MondayRequestException exception)
        {
            foreach (var index in round)
            {
                results[index] = FailureFor(commands[index], exception);
            }

            return;
        }

        var planned = new List<PlannedCommand>();
        foreach (var index in round)
        {
            var command = commands[index];
            var itemId = command is CreateLedgerEntry ? null
                : command.MondayItemId ?? createdInBatch.GetValueOrDefault(command.Key) ?? byKey.GetValueOrDefault(command.Key)?.MondayItemId;
            if (command is not CreateLedgerEntry && itemId is null)
            {
                results[index] = new LedgerRejected(command, LedgerRejectionKind.NotFound, $"No ledger entry with key {command.Key} on board {_options.BoardId}.");
                continue;
            }

            if (command is ChangeLedgerStatus change && (byId.GetValueOrDefault(itemId!) ?? byKey.GetValueOrDefault(command.Key)) is { Status: { } current })
            {
                if (current == change.To)
                {
                    results[index] = new LedgerApplied(command, itemId!, Replayed: true);
                    continue;
                }

                if (current != change.From && LedgerStatusMachine.RejectionReason(current, change.To) is { } reason)
                {
                    results[index] = new LedgerRejected(command, LedgerRejectionKind.IllegalTransition, $"{reason} (the command expected {change.From.ToWireName()}).");
                    continue;
                }
            }

            planned.Add(new PlannedCommand(index, command, itemId, PartsFor(command, itemId, groups)));
        }

        var next = 0;
        while (next < planned.Count)
        {
            var chunk = TakeChunk(planned, next);
            next += chunk.Count;
            await SendChunkAsync(chunk, results, cancellationToken);
        }
    }

    private async Task<(IReadOnlyDictionary<LedgerKey, LedgerEntry> ByKey, IReadOnlyDictionary<string, LedgerEntry> ById)> ResolveTargetsAsync(
        IReadOnlyList<LedgerCommand> commands, List<int> round, Dictionary<LedgerKey, string> createdInBatch, CancellationToken cancellationToken)
    {
        var unresolvedKeys = round.Select(i => commands[i])
            .Where(c => c is not CreateLedgerEntry && c.MondayItemId is null && !createdInBatch.ContainsKey(c.Key))
            .Select(c => c.Key)
            .ToList();
        // A status change is checked against the entry's real status, so a stale command cannot skip the machine.
        var statusIds = round.Select(i => commands[i]).OfType<ChangeLedgerStatus>()
            .Select(c => c.MondayItemId ?? createdInBatch.GetValueOrDefault(c.Key))
            .OfType<string>()
            .ToList();
        var byKey = unresolvedKeys.Count == 0 ? new Dictionary<LedgerKey, LedgerEntry>() : await FindByKeysAsync(unresolvedKeys, cancellationToken);
        var byId = statusIds.Count == 0
            ? new Dictionary<string, LedgerEntry>()
            : (await GetByIdsAsync(statusIds, cancellationToken)).ToDictionary(e => e.MondayItemId, StringComparer.Ordinal);
        return (byKey, byId);
    }

    private List<PlannedCommand> TakeChunk(List<PlannedCommand> planned, int start)
    {
        var remainingCost = OverheadEstimate() + planned.Skip(start).Sum(p => p.Parts.Sum(part => EstimateCost(part.Kind)));
        var perRequestCap = Math.Min(_options.MaxQueryComplexity * 9 / 10, AffordableBudget(remainingCost));
        var chunk = new List<PlannedCommand>();
        var parts = 0;
        var cost = OverheadEstimate();
        for (var i = start; i < planned.Count; i++)
        {
            var candidate = planned[i];
            var candidateCost = candidate.Parts.Sum(p => EstimateCost(p.Kind));
            if (chunk.Count > 0 && (parts + candidate.Parts.Count > _options.MaxMutationsPerRequest || cost + candidateCost > perRequestCap))
            {
                break;
            }

            chunk.Add(candidate);
            parts += candidate.Parts.Count;
            cost += candidateCost;
        }

        return chunk;
    }

    /// <summary>
    /// What the next request may cost. Everything that is left, when the remaining budget covers it; otherwise the
    /// remaining budget if that is at least half a window; otherwise a full window — the client then waits for the
    /// reset, which costs the same time as sending a small tail now and a full request later, in one request less.
    /// </summary>
    private long AffordableBudget(long remainingCost)
    {
        var available = _client.Budget.Available - _client.Budget.BackgroundReserve;
        var limit = _client.Budget.Limit;
        if (available is null || limit is null)
        {
            return long.MaxValue;
        }

        return remainingCost <= available.Value || available.Value >= limit.Value / 2 ? available.Value : limit.Value - _client.Budget.BackgroundReserve;
    }

    private async Task SendChunkAsync(List<PlannedCommand> chunk, LedgerResult?[] results, CancellationToken cancellationToken)
    {
        var batch = new MutationBatch(_options.BoardId);
        var aliases = new Dictionary<int, List<string>>();
        foreach (var command in chunk)
        {
            // Ledger key + the command's own key + operation: one surface's key reused for another entry never replays.
            var identity = $"{command.Command.Key}/{command.Command.IdempotencyKey}:{command.Command.Operation}";
            aliases[command.Index] = command.Parts.Select(p => batch.Add(p.Kind, p.Variables, identity)).ToList();
        }

        var kinds = chunk.SelectMany(c => c.Parts.Select(p => p.Kind)).ToList();
        var estimate = OverheadEstimate() + kinds.Sum(EstimateCost);
        var (document, variables) = batch.Build();
        MondayResponse response;
        try
        {
            response = await _client.MutateAsync(document, variables, batch.IdempotencyKey(), estimate, cancellationToken);
        }
        catch (MondayRequestException exception)
        {
            foreach (var command in chunk)
            {
                results[command.Index] = FailureFor(command.Command, exception);
            }

            return;
        }

        if (response.Complexity is { } reading && !response.Replayed)
        {
            Learn(kinds, reading.Query);
        }

        foreach (var command in chunk)
        {
            results[command.Index] = ResultFor(command, aliases[command.Index], response);
        }
    }

    private static LedgerResult ResultFor(PlannedCommand planned, List<string> aliases, MondayResponse response)
    {
        var errors = aliases.SelectMany(response.ErrorsFor).ToList();
        if (errors.Count > 0)
        {
            var applied = aliases.Count(a => response.Field(a) is not null);
            var partial = applied > 0 ? $" ({applied} of {aliases.Count} steps were applied; re-sending the command is safe)" : string.Empty;
            var message = string.Join("; ", errors.Select(e => e.Code is null ? e.Message : $"{e.Code}: {e.Message}")) + partial;
            var blocking = errors.FirstOrDefault(e => e.Kind is not (MondayErrorKind.RateLimited or MondayErrorKind.Transient));
            return blocking is null
                ? new LedgerRetryable(planned.Command, message, errors.Max(e => e.RetryIn))
                : new LedgerRejected(planned.Command, RejectionKind(blocking.Kind), message);
        }

        var first = response.Field(aliases[0]);
        if (first is null || aliases.Any(a => response.Field(a) is null))
        {
            return new LedgerRetryable(planned.Command, "monday returned no result for the mutation.", null);
        }

        var itemId = planned.Command is CreateLedgerEntry ? first.Value.GetProperty("id").ToString() : planned.ItemId!;
        return new LedgerApplied(planned.Command, itemId, response.Replayed);
    }

    private static IReadOnlyList<(MutationKind Kind, IReadOnlyDictionary<string, JsonNode?> Variables)> PartsFor(
        LedgerCommand command, string? itemId, IReadOnlyDictionary<LedgerGroup, string> groups)
    {
        switch (command)
        {
            case CreateLedgerEntry create:
                var values = new JsonObject
                {
                    [LedgerBoardSchema.StatusColumn] = new JsonObject { ["index"] = LedgerBoardSchema.StatusIndex(LedgerStatus.Requested) },
                    [LedgerBoardSchema.KeyColumn] = create.Key.Value,
                    [LedgerBoardSchema.SourceColumn] = create.Source.ToWireName(),
                    [LedgerBoardSchema.EscalationLevelColumn] = "0",
                };
                if (create.Owner is not null)
                {
                    values[LedgerBoardSchema.OwnerColumn] = create.Owner;
                }

                if (create.DueDate is { } due)
                {
                    values[LedgerBoardSchema.DueColumn] = DateValue(due);
                }

                if (create.DiscordChannelId is not null)
                {
                    values[LedgerBoardSchema.ChannelColumn] = create.DiscordChannelId;
                }

                return [(MutationKind.CreateItem, Vars(("name", create.Title), ("group", groups[LedgerGroup.Requested]), ("values", values.ToJsonString())))];
            case ChangeLedgerStatus change:
                var status = new JsonObject { [LedgerBoardSchema.StatusColumn] = new JsonObject { ["index"] = LedgerBoardSchema.StatusIndex(change.To) } };
                return
                [
                    (MutationKind.ChangeColumnValues, Vars(("item", itemId), ("values", status.ToJsonString()))),
                    (MutationKind.MoveToGroup, Vars(("item", itemId), ("group", groups[LedgerGroupNames.ForStatus(change.To)]))),
                ];
            case UpdateLedgerDetails details:
                var changes = new JsonObject();
                if (details.Title is not null)
                {
                    changes["name"] = details.Title;
                }

                if (details.Owner is not null || details.ClearOwner)
                {
                    changes[LedgerBoardSchema.OwnerColumn] = details.Owner ?? string.Empty;
                }

                if (details.DueDate is { } newDue)
                {
                    changes[LedgerBoardSchema.DueColumn] = DateValue(newDue);
                }
                else if (details.ClearDueDate)
                {
                    changes[LedgerBoardSchema.DueColumn] = null;
                }

                return [(MutationKind.ChangeColumnValues, Vars(("item", itemId), ("values", changes.ToJsonString())))];
            case CommentOnLedgerEntry comment:
                return [(MutationKind.CreateUpdate, Vars(("item", itemId), ("body", comment.Body)))];
            case AddLedgerFollowUp followUp:
                return [(MutationKind.CreateSubitem, Vars(("item", itemId), ("name", followUp.Title)))];
            case EscalateLedgerEntry escalate:
                var escalation = new JsonObject
                {
                    [LedgerBoardSchema.EscalationLevelColumn] = escalate.Level.ToString(CultureInfo.InvariantCulture),
                    [LedgerBoardSchema.EscalationTrailColumn] = new JsonObject { ["text"] = string.Join('\n', escalate.Trail) },
                };
                var escalateParts = new List<(MutationKind, IReadOnlyDictionary<string, JsonNode?>)>
                {
                    (MutationKind.ChangeColumnValues, Vars(("item", itemId), ("values", escalation.ToJsonString()))),
                };
                if (escalate.Level > 0)
                {
                    escalateParts.Add((MutationKind.MoveToGroup, Vars(("item", itemId), ("group", groups[LedgerGroup.Escalated]))));
                }

                return escalateParts;
            case ArchiveLedgerEntry:
                return [(MutationKind.ArchiveItem, Vars(("item", itemId)))];
            case MoveLedgerEntry move:
                return [(MutationKind.MoveToGroup, Vars(("item", itemId), ("group", groups[move.Group])))];
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unsupported ledger command.");
        }
    }

    private static JsonObject DateValue(DateOnly date) => new() { ["date"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };

    private static Dictionary<string, JsonNode?> Vars(params (string Name, string? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value is null ? null : (JsonNode?)JsonValue.Create(v.Value), StringComparer.Ordinal);

    // A learned per-mutation cost already carries its share of the request's own cost (rounded up): adding a guess on
    // top would keep the last mutation of every window out of it.
    private long OverheadEstimate()
    {
        lock (_costGate)
        {
            return _learnedCosts.Count > 0 ? 0 : RequestOverheadEstimate;
        }
    }

    private long EstimateCost(MutationKind kind)
    {
        lock (_costGate)
        {
            if (_learnedCosts.TryGetValue(kind, out var learned))
            {
                return learned;
            }

            // Unknown kind: assume it is as expensive as the dearest one seen so far (or the configured guess).
            return _learnedCosts.Count > 0 ? _learnedCosts.Values.Max() : _options.InitialMutationCostEstimate;
        }
    }

    /// <summary>
    /// Learns per-mutation costs exactly from monday's reported query cost (monday charges a kind the same every time, so
    /// a margin would only leave budget unused in every window). A mixed batch can only raise
    /// an estimate, never lower it, because its average hides the dearer kinds.
    /// </summary>
    private void Learn(List<MutationKind> kinds, long queryCost)
    {
        if (kinds.Count == 0 || queryCost <= 0)
        {
            return;
        }

        var perMutation = (queryCost + kinds.Count - 1) / kinds.Count;
        lock (_costGate)
        {
            var distinct = kinds.Distinct().ToList();
            if (distinct.Count == 1)
            {
                _learnedCosts[distinct[0]] = perMutation;
                return;
            }

            foreach (var kind in distinct)
            {
                _learnedCosts[kind] = Math.Max(_learnedCosts.GetValueOrDefault(kind), perMutation);
            }
        }
    }

    private async Task<IReadOnlyDictionary<LedgerGroup, string>> BindGroupsAsync(CancellationToken cancellationToken)
    {
        if (_groups is { } bound)
        {
            return bound;
        }

        await _bindingGate.WaitAsync(cancellationToken);
        try
        {
            if (_groups is null)
            {
                var board = await MondayBoardReader.ReadAsync(_client, _options.BoardId, cancellationToken)
                    ?? throw new MondayBoardMissingException(_options.BoardId);
                _groups = LedgerBoardDiff.BindGroups(board);
            }

            return _groups;
        }
        finally
        {
            _bindingGate.Release();
        }
    }

    private async Task ReadAllPagesAsync(JsonObject? queryParams, int limit, Dictionary<string, LedgerEntry> entries, CancellationToken cancellationToken)
    {
        var variables = new JsonObject
        {
            ["board"] = new JsonArray(_options.BoardId),
            ["query"] = queryParams?.DeepClone(),
        };
        var response = await QueryAsync(MondayDocuments.ItemsPage, variables, cancellationToken);
        if (response.Field("boards") is not { ValueKind: JsonValueKind.Array } boards || boards.GetArrayLength() == 0)
        {
            // monday answers a deleted or unknown board with an empty list: that is an error, never "no entries".
            throw new MondayBoardMissingException(_options.BoardId);
        }

        JsonElement? page = boards[0].TryGetProperty("items_page", out var first) ? first : null;
        while (page is { } current && entries.Count < limit)
        {
            foreach (var entry in MapItems(current.GetProperty("items")))
            {
                entries[entry.MondayItemId] = entry;
            }

            page = await NextPageAsync(current, cancellationToken);
        }
    }

    private async Task<JsonElement?> NextPageAsync(JsonElement page, CancellationToken cancellationToken)
    {
        if (!page.TryGetProperty("cursor", out var cursor) || cursor.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var response = await QueryAsync(MondayDocuments.NextItemsPage, new JsonObject { ["cursor"] = cursor.GetString() }, cancellationToken);
        return response.Field("next_items_page");
    }

    private Task<MondayResponse> QueryAsync(string document, JsonObject variables, CancellationToken cancellationToken) =>
        _client.QueryAsync(document, variables, _options.InitialQueryCostEstimate, cancellationToken);

    private static IEnumerable<LedgerEntry> MapItems(JsonElement items) =>
        items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Select(LedgerItemMapper.Map).OfType<LedgerEntry>().ToList()
            : [];

    private static int CompareIds(string left, string right) =>
        left.Length != right.Length ? left.Length.CompareTo(right.Length) : string.CompareOrdinal(left, right);

    private void EnsureBoardConfigured()
    {
        if (string.IsNullOrEmpty(_options.BoardId))
        {
            throw new InvalidOperationException("Monday:BoardId is not set (env Monday__BoardId); run `bot provision` to create the ledger board.");
        }

        _options.EnsureBoardAllowed(_options.BoardId);
    }

    private static LedgerResult FailureFor(LedgerCommand command, Exception exception) => exception switch
    {
        MondayRequestException { IsRetryable: true } retryable => new LedgerRetryable(command, retryable.Message, retryable.RetryAfter),
        MondayRequestException rejected => new LedgerRejected(command, RejectionKind(rejected.Kind), rejected.Message),
        // Sending again cannot help until an operator changes the configuration: dead-letter at once, never retry forever.
        MondayBoardMissingException missing => new LedgerRejected(command, LedgerRejectionKind.NotFound, missing.Message),
        MondayBoardNotAllowedException refused => new LedgerRejected(command, LedgerRejectionKind.Unauthorized, refused.Message),
        // A board that lacks the ledger's groups is an operator fix away; keep the command rather than drop it.
        _ => new LedgerRetryable(command, exception.Message, null),
    };

    private static LedgerRejectionKind RejectionKind(MondayErrorKind kind) => kind switch
    {
        MondayErrorKind.NotFound => LedgerRejectionKind.NotFound,
        MondayErrorKind.Unauthorized => LedgerRejectionKind.Unauthorized,
        _ => LedgerRejectionKind.Validation,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "items_page cursor expired; restarting the listing (restart {Restart})")]
    private static partial void LogCursorExpired(ILogger logger, int restart);

    private sealed record PlannedCommand(int Index, LedgerCommand Command, string? ItemId, IReadOnlyList<(MutationKind Kind, IReadOnlyDictionary<string, JsonNode?> Variables)> Parts);
}
