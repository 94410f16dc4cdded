using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Monday.BoardSchema;

/// <summary>A board as monday described it: columns (with raw settings) and groups.</summary>
public sealed record BoardSnapshot(string Id, string Name, IReadOnlyList<BoardColumn> Columns, IReadOnlyList<BoardGroup> Groups);

public sealed record BoardColumn(string Id, string Title, string Type, JsonElement? Settings);

public sealed record BoardGroup(string Id, string Title);

public enum SchemaDriftKind
{
    MissingColumn,
    WrongColumnType,
    StatusLabelMismatch,
    MissingGroup,
}

/// <summary>One way a board differs from <see cref="LedgerBoardSchema"/>.</summary>
public sealed record SchemaDrift(SchemaDriftKind Kind, string Subject, string Expected, string Actual)
{
    public string Message => Kind switch
    {
        SchemaDriftKind.MissingColumn => $"missing column '{Subject}' (expected type {Expected})",
        SchemaDriftKind.WrongColumnType => $"column '{Subject}' has type {Actual}, expected {Expected}",
        SchemaDriftKind.StatusLabelMismatch => $"status column '{Subject}': expected {Expected}, found {Actual}",
        SchemaDriftKind.MissingGroup => $"missing group '{Subject}'",
        _ => $"{Kind} {Subject}",
    };
}

/// <summary>Compares a board against the canonical schema and binds group titles to monday's group ids.</summary>
public static class LedgerBoardDiff
{
    public static IReadOnlyList<SchemaDrift> Compare(BoardSnapshot board)
    {
        ArgumentNullException.ThrowIfNull(board);
        var drifts = new List<SchemaDrift>();
        foreach (var expected in LedgerBoardSchema.Columns)
        {
            var actual = board.Columns.FirstOrDefault(c => c.Id == expected.Id);
            if (actual is null)
            {
                drifts.Add(new SchemaDrift(SchemaDriftKind.MissingColumn, expected.Id, expected.Type, "absent"));
                continue;
            }

            if (!string.Equals(actual.Type, expected.Type, StringComparison.OrdinalIgnoreCase))
            {
                drifts.Add(new SchemaDrift(SchemaDriftKind.WrongColumnType, expected.Id, expected.Type, actual.Type));
                continue;
            }

            var labels = ReadStatusLabels(actual.Settings);
            foreach (var (index, label) in expected.StatusLabels)
            {
                var found = labels.GetValueOrDefault(index);
                if (!string.Equals(found, label, StringComparison.Ordinal))
                {
                    drifts.Add(new SchemaDrift(SchemaDriftKind.StatusLabelMismatch, expected.Id,
                        $"label index {index} = '{label}'", found is null ? $"no label at index {index}" : $"'{found}'"));
                }
            }
        }

        foreach (var group in LedgerBoardSchema.Groups)
        {
            if (FindGroup(board, group) is null)
            {
                drifts.Add(new SchemaDrift(SchemaDriftKind.MissingGroup, group.Title, group.Title, "absent"));
            }
        }

        return drifts;
    }

    /// <summary>monday group id per ledger group; throws naming every missing group.</summary>
    public static IReadOnlyDictionary<LedgerGroup, string> BindGroups(BoardSnapshot board)
    {
        ArgumentNullException.ThrowIfNull(board);
        var bound = new Dictionary<LedgerGroup, string>();
        var missing = new List<string>();
        foreach (var group in LedgerBoardSchema.Groups)
        {
            if (FindGroup(board, group) is { } found)
            {
                bound[group.Group] = found.Id;
            }
            else
            {
                missing.Add(group.Title);
            }
        }

        return missing.Count == 0
            ? bound
            : throw new InvalidOperationException($"Board {board.Id} is missing group(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}; run `bot provision --board {board.Id}` to see the full diff.");
    }

    /// <summary>
    /// Reads status labels from column settings. Accepts both shapes monday has used:
    /// <c>{"labels":{"0":"Done"}}</c> and <c>{"labels":[{"id":0,"label":"Done"}]}</c> (also <c>index</c>/<c>name</c>), and a JSON string holding either.
    /// </summary>
    public static IReadOnlyDictionary<int, string> ReadStatusLabels(JsonElement? settings)
    {
        var labels = new Dictionary<int, string>();
        if (settings is not { } element)
        {
            return labels;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var inner = JsonDocument.Parse(element.GetString() ?? "{}");
                return ReadStatusLabels(inner.RootElement.Clone());
            }
            catch (JsonException)
            {
                return labels;
            }
        }

        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("labels", out var raw))
        {
            return labels;
        }

        if (raw.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in raw.EnumerateObject())
            {
                if (int.TryParse(property.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) && property.Value.ValueKind == JsonValueKind.String)
                {
                    labels[index] = property.Value.GetString()!;
                }
            }
        }
        else if (raw.ValueKind == JsonValueKind.Array)
        {
            foreach (var label in raw.EnumerateArray())
            {
                var index = ReadInt(label, "index") ?? ReadInt(label, "id");
                var text = ReadString(label, "label") ?? ReadString(label, "name");
                if (index is { } i && text is not null)
                {
                    labels[i] = text;
                }
            }
        }

        return labels;
    }

    private static BoardGroup? FindGroup(BoardSnapshot board, LedgerGroupDefinition group) =>
        board.Groups.FirstOrDefault(g => string.Equals(g.Title.Trim(), group.Title, StringComparison.OrdinalIgnoreCase));

    private static int? ReadInt(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetInt32(out var number) => number,
                JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            }
            : null;

    private static string? ReadString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
