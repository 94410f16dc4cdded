using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Monday.Execution;

/// <summary>
/// Evaluates <c>ItemsQuery</c> (items_page query_params): rules with monday's compare values per column type,
/// nested groups, and/or operators, ids, order_by (incl. <c>__creation_log__</c> and <c>__last_updated__</c>).
/// </summary>
internal sealed class ItemsQueryEvaluator(MondayState state, BoardRecord board, DateTimeOffset now)
{
    private const int MaxQueryIds = 100;

    public IEnumerable<ItemRecord> Apply(IEnumerable<ItemRecord> items, JsonObject? query)
    {
        if (query is null)
        {
            return DefaultOrder(items);
        }

        var ids = query["ids"] is JsonArray idArray ? idArray.Select(n => ColumnValues.TryGetLong(n, out var id) ? id : -1).ToHashSet() : null;
        if (ids is { Count: > MaxQueryIds })
        {
            throw MondayApiException.InvalidArgument($"query_params.ids accepts at most {MaxQueryIds} ids");
        }

        var filtered = items.Where(i => (ids is null || ids.Contains(i.Id)) && MatchesGroup(i, query)).ToList();
        if (query["order_by"] is not JsonArray orderBy || orderBy.Count == 0)
        {
            return DefaultOrder(filtered);
        }

        IOrderedEnumerable<ItemRecord>? ordered = null;
        foreach (var order in orderBy.OfType<JsonObject>())
        {
            var columnId = order["column_id"]!.GetValue<string>();
            var descending = order["direction"]?.GetValue<string>() == "desc";
            Func<ItemRecord, IComparable> key = columnId switch
            {
                "__creation_log__" => i => (i.CreatedAt, i.Id),
                "__last_updated__" => i => (i.UpdatedAt, i.Id),
                "name" => i => i.Name,
                _ => SortKey(FindColumn(columnId)),
            };
            ordered = ordered is null
                ? (descending ? filtered.OrderByDescending(key) : filtered.OrderBy(key))
                : (descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key));
        }

        return ordered!.ThenBy(i => i.Position);
    }

    private IEnumerable<ItemRecord> DefaultOrder(IEnumerable<ItemRecord> items) =>
        items.OrderBy(i => board.Groups.FindIndex(g => g.Id == i.GroupId)).ThenBy(i => i.Position);

    private Func<ItemRecord, IComparable> SortKey(ColumnRecord column) => column.Type switch
    {
        "numbers" => i => NumberOf(column, i) ?? double.MinValue,
        "status" => i => StatusIndex(i, column),
        _ => i => ColumnValues.Text(column, i.Values.GetValueOrDefault(column.Id), state) ?? string.Empty,
    };

    private ColumnRecord FindColumn(string columnId) =>
        board.Columns.FirstOrDefault(c => c.Id == columnId) ?? throw MondayApiException.ColumnNotFound(columnId, board.Id);

    private bool MatchesGroup(ItemRecord item, JsonObject group)
    {
        var isOr = group["operator"]?.GetValue<string>() == "or";
        var results = new List<bool>();
        foreach (var rule in (group["rules"] as JsonArray ?? []).OfType<JsonObject>())
        {
            results.Add(MatchesRule(item, rule));
        }

        foreach (var nested in (group["groups"] as JsonArray ?? []).OfType<JsonObject>())
        {
            results.Add(MatchesGroup(item, nested));
        }

        return results.Count == 0 || (isOr ? results.Any(r => r) : results.All(r => r));
    }

    private bool MatchesRule(ItemRecord item, JsonObject rule)
    {
        var columnId = rule["column_id"]!.GetValue<string>();
        var op = rule["operator"]?.GetValue<string>() ?? "any_of";
        var compare = rule["compare_value"];
        var compareValues = compare is JsonArray array ? array.ToList() : compare is null ? [] : [compare];
        if (columnId == "name")
        {
            return MatchText(item.Name, op, compareValues);
        }

        var column = FindColumn(columnId);
        var stored = item.Values.GetValueOrDefault(column.Id);
        if (op == "is_empty")
        {
            return stored is null;
        }

        if (op == "is_not_empty")
        {
            return stored is not null;
        }

        return column.Type switch
        {
            "status" => MatchSet([StatusIndex(item, column).ToString(CultureInfo.InvariantCulture)], op, compareValues, ColumnValues.Text(column, stored, state)),
            "people" => MatchSet(PeopleKeys(stored), op, compareValues.Select(AssignedToMe).ToList(), ColumnValues.Text(column, stored, state)),
            "dropdown" => MatchSet(DropdownKeys(stored), op, compareValues, ColumnValues.Text(column, stored, state)),
            "tags" => MatchSet(TagKeys(stored), op, compareValues, ColumnValues.Text(column, stored, state)),
            "date" => MatchDate(stored is null ? null : JsonNode.Parse(stored)?["date"]?.GetValue<string>(), op, compareValues),
            "numbers" => MatchNumber(NumberOf(column, item), op, compareValues),
            "checkbox" => MatchSet([stored is null ? "false" : "true"], op, compareValues, null),
            _ => MatchText(ColumnValues.Text(column, stored, state) ?? string.Empty, op, compareValues),
        };
    }

    /// <summary>monday's <c>assigned_to_me</c> compare value means the calling user; every token acts as the emulator's one user.</summary>
    private static JsonNode? AssignedToMe(JsonNode? value) =>
        Text(value) == "assigned_to_me" ? JsonValue.Create($"person-{MondayEmulator.DefaultUserId}") : value;

    private static int StatusIndex(ItemRecord item, ColumnRecord column) =>
        item.Values.GetValueOrDefault(column.Id) is { } stored ? JsonNode.Parse(stored)?["index"]?.GetValue<int>() ?? ColumnValues.BlankStatusIndex : ColumnValues.BlankStatusIndex;

    private static double? NumberOf(ColumnRecord column, ItemRecord item) =>
        item.Values.GetValueOrDefault(column.Id) is { } stored ? double.Parse(JsonNode.Parse(stored)!.GetValue<string>(), CultureInfo.InvariantCulture) : null;

    private static List<string> PeopleKeys(string? stored)
    {
        var entries = (stored is null ? null : JsonNode.Parse(stored)?["personsAndTeams"] as JsonArray) ?? [];
        var keys = entries.OfType<JsonObject>().Select(p => $"{p["kind"]?.GetValue<string>() ?? "person"}-{p["id"]!.GetValue<long>()}").ToList();
        return keys.Count == 0 ? ["person-0"] : keys;
    }

    private static List<string> DropdownKeys(string? stored)
    {
        var ids = (stored is null ? null : JsonNode.Parse(stored)?["ids"] as JsonArray) ?? [];
        return ids.Select(i => i!.GetValue<int>().ToString(CultureInfo.InvariantCulture)).ToList();
    }

    private static List<string> TagKeys(string? stored)
    {
        var ids = (stored is null ? null : JsonNode.Parse(stored)?["tag_ids"] as JsonArray) ?? [];
        var keys = ids.Select(i => i!.GetValue<long>().ToString(CultureInfo.InvariantCulture)).ToList();
        return keys.Count == 0 ? ["-1"] : keys;
    }

    private static string Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString() ?? string.Empty;

    private static bool MatchSet(List<string> keys, string op, List<JsonNode?> compareValues, string? text)
    {
        var wanted = compareValues.Select(Text).ToHashSet(StringComparer.Ordinal);
        return op switch
        {
            "any_of" => keys.Any(wanted.Contains),
            "not_any_of" => !keys.Any(wanted.Contains),
            "contains_terms" or "contains_text" => text is not null && wanted.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)),
            "not_contains_text" => text is null || !wanted.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)),
            _ => throw MondayApiException.InvalidArgument($"Operator {op} is not supported for this column type"),
        };
    }

    private static bool MatchText(string text, string op, List<JsonNode?> compareValues)
    {
        var wanted = compareValues.Select(Text).ToList();
        return op switch
        {
            "any_of" => wanted.Contains(text, StringComparer.Ordinal),
            "not_any_of" => !wanted.Contains(text, StringComparer.Ordinal),
            "is_empty" => text.Length == 0,
            "is_not_empty" => text.Length > 0,
            "contains_text" or "contains_terms" => wanted.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)),
            "not_contains_text" => !wanted.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)),
            "starts_with" => wanted.Any(w => text.StartsWith(w, StringComparison.OrdinalIgnoreCase)),
            "ends_with" => wanted.Any(w => text.EndsWith(w, StringComparison.OrdinalIgnoreCase)),
            _ => throw MondayApiException.InvalidArgument($"Operator {op} is not supported for text columns"),
        };
    }

    private static bool MatchNumber(double? value, string op, List<JsonNode?> compareValues)
    {
        var numbers = compareValues.Select(n => double.TryParse(Text(n), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN).ToList();
        if (value is not { } v)
        {
            return op == "not_any_of";
        }

        return op switch
        {
            "any_of" => numbers.Contains(v),
            "not_any_of" => !numbers.Contains(v),
            "greater_than" => numbers.Count > 0 && v > numbers[0],
            "greater_than_or_equals" => numbers.Count > 0 && v >= numbers[0],
            "lower_than" => numbers.Count > 0 && v < numbers[0],
            "lower_than_or_equal" => numbers.Count > 0 && v <= numbers[0],
            "between" => numbers.Count >= 2 && v >= numbers[0] && v <= numbers[1],
            _ => throw MondayApiException.InvalidArgument($"Operator {op} is not supported for numbers columns"),
        };
    }

    /// <summary>Date rules: compare values are dates, <c>TODAY</c>, <c>OVERDUE</c>, or <c>["EXACT","YYYY-MM-DD"]</c> forms.</summary>
    private bool MatchDate(string? date, string op, List<JsonNode?> compareValues)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        DateOnly? value = date is null ? null : DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var targets = new List<DateOnly>();
        var overdue = false;
        foreach (var text in compareValues.Select(Text))
        {
            switch (text)
            {
                case "EXACT":
                    continue;
                case "TODAY":
                    targets.Add(today);
                    break;
                case "TOMORROW":
                    targets.Add(today.AddDays(1));
                    break;
                case "YESTERDAY":
                    targets.Add(today.AddDays(-1));
                    break;
                case "OVERDUE":
                    overdue = true;
                    break;
                default:
                    if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                    {
                        throw MondayApiException.InvalidArgument($"Unsupported date compare value '{text}' (the emulator supports dates, EXACT, TODAY, TOMORROW, YESTERDAY, OVERDUE)");
                    }

                    targets.Add(parsed);
                    break;
            }
        }

        if (value is not { } d)
        {
            return op == "not_any_of";
        }

        return op switch
        {
            "any_of" => (overdue && d < today) || targets.Contains(d),
            "not_any_of" => !((overdue && d < today) || targets.Contains(d)),
            "greater_than" => targets.Count > 0 && d > targets[0],
            "greater_than_or_equals" => targets.Count > 0 && d >= targets[0],
            "lower_than" => targets.Count > 0 && d < targets[0],
            "lower_than_or_equal" => targets.Count > 0 && d <= targets[0],
            "between" => targets.Count >= 2 && d >= targets[0] && d <= targets[1],
            _ => throw MondayApiException.InvalidArgument($"Operator {op} is not supported for date columns by the emulator"),
        };
    }
}
