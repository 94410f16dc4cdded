using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday.BoardSchema;

namespace DiscordLedgerBot.Core.Monday;

/// <summary>Turns an item selected with <see cref="Documents.MondayDocuments.ItemSelection"/> into a <see cref="LedgerEntry"/>.</summary>
internal static class LedgerItemMapper
{
    /// <summary>Null for items that carry no valid ledger key (made by hand on the board, not by the ledger).</summary>
    public static LedgerEntry? Map(JsonElement item)
    {
        var columns = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (item.TryGetProperty("column_values", out var values) && values.ValueKind == JsonValueKind.Array)
        {
            foreach (var value in values.EnumerateArray())
            {
                if (value.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    columns[id.GetString()!] = value;
                }
            }
        }

        if (!LedgerKey.TryParse(Text(columns, LedgerBoardSchema.KeyColumn), out var key, out _))
        {
            return null;
        }

        var hasSource = LedgerSourceNames.TryParse(Text(columns, LedgerBoardSchema.SourceColumn), out var source);
        var trail = Text(columns, LedgerBoardSchema.EscalationTrailColumn);
        return new LedgerEntry
        {
            Key = key,
            MondayItemId = item.GetProperty("id").ToString(),
            Title = item.TryGetProperty("name", out var name) ? name.GetString() ?? string.Empty : string.Empty,
            Owner = Blank(Text(columns, LedgerBoardSchema.OwnerColumn)),
            DueDate = Date(columns),
            Status = Status(columns),
            EscalationLevel = int.TryParse(Text(columns, LedgerBoardSchema.EscalationLevelColumn), NumberStyles.Integer, CultureInfo.InvariantCulture, out var level) ? level : 0,
            EscalationTrail = string.IsNullOrEmpty(trail) ? [] : trail.Split('\n'),
            Source = hasSource ? source : null,
            DiscordChannelId = Blank(Text(columns, LedgerBoardSchema.ChannelColumn)),
            GroupId = item.TryGetProperty("group", out var group) && group.ValueKind == JsonValueKind.Object && group.TryGetProperty("id", out var groupId) ? groupId.GetString() : null,
            GroupTitle = group.ValueKind == JsonValueKind.Object && group.TryGetProperty("title", out var groupTitle) ? groupTitle.GetString() : null,
            IsActive = !item.TryGetProperty("state", out var state) || state.ValueKind != JsonValueKind.String || state.GetString() == "active",
        };
    }

    private static string? Blank(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>
    /// The column's text. Long text and text columns are read from the raw <c>value</c> JSON when present, because
    /// <c>text</c> is a display rendering; falls back to <c>text</c>.
    /// </summary>
    private static string? Text(Dictionary<string, JsonElement> columns, string id)
    {
        if (!columns.TryGetValue(id, out var column))
        {
            return null;
        }

        if (column.TryGetProperty("value", out var raw) && raw.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var parsed = JsonDocument.Parse(raw.GetString()!);
                var root = parsed.RootElement;
                switch (root.ValueKind)
                {
                    case JsonValueKind.String:
                        return root.GetString();
                    case JsonValueKind.Number:
                        return root.GetRawText();
                    case JsonValueKind.Object when root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String:
                        return text.GetString();
                    case JsonValueKind.Object when root.TryGetProperty("value", out var inner) && inner.ValueKind == JsonValueKind.String:
                        return inner.GetString();
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: the display text below is the best we have.
            }
        }

        return column.TryGetProperty("text", out var display) && display.ValueKind == JsonValueKind.String ? display.GetString() : null;
    }

    private static LedgerStatus? Status(Dictionary<string, JsonElement> columns)
    {
        if (!columns.TryGetValue(LedgerBoardSchema.StatusColumn, out var column))
        {
            return null;
        }

        if (column.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number)
        {
            return LedgerBoardSchema.StatusFromIndex(index.GetInt32());
        }

        if (column.TryGetProperty("value", out var raw) && raw.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var parsed = JsonDocument.Parse(raw.GetString()!);
                if (parsed.RootElement.ValueKind == JsonValueKind.Object && parsed.RootElement.TryGetProperty("index", out var stored)
                    && stored.ValueKind == JsonValueKind.Number)
                {
                    return LedgerBoardSchema.StatusFromIndex(stored.GetInt32());
                }
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return null;
    }

    private static DateOnly? Date(Dictionary<string, JsonElement> columns)
    {
        if (!columns.TryGetValue(LedgerBoardSchema.DueColumn, out var column))
        {
            return null;
        }

        string? text = null;
        if (column.TryGetProperty("date", out var date) && date.ValueKind == JsonValueKind.String)
        {
            text = date.GetString();
        }
        else if (column.TryGetProperty("value", out var raw) && raw.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var parsed = JsonDocument.Parse(raw.GetString()!);
                if (parsed.RootElement.ValueKind == JsonValueKind.Object && parsed.RootElement.TryGetProperty("date", out var stored))
                {
                    text = stored.GetString();
                }
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var due) ? due : null;
    }
}
