using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Monday.Execution;

/// <summary>
/// monday's column value rules: turns the write-side JSON (or simple string) of each column type into the stored
/// value JSON (with <c>changed_at</c>) and renders the read side (<c>text</c>, typed fields).
/// </summary>
internal static class ColumnValues
{
    public const int BlankStatusIndex = 5;

    private static readonly string[] DefaultStatusColors = ["working_orange", "done_green", "stuck_red", "dark_blue", "purple", "explosive"];

    /// <summary>Converts a write value to the stored JSON text, or null when the value clears the column.</summary>
    public static string? Write(ColumnRecord column, JsonNode? input, bool createLabelsIfMissing, DateTimeOffset now, MondayState state)
    {
        var changedAt = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        if (input is null)
        {
            return null;
        }

        try
        {
            return WriteTyped(column, input, createLabelsIfMissing, changedAt, state);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            // A JSON shape the column does not understand (e.g. a number where a string belongs).
            throw MondayApiException.ColumnValue(
                "invalid value, please check our API documentation for the correct data structure for this column. https://developer.monday.com/api-reference/docs/change-column-values",
                column.Type,
                Show(input));
        }
    }

    private static string? WriteTyped(ColumnRecord column, JsonNode input, bool createLabelsIfMissing, string changedAt, MondayState state)
    {
        return column.Type switch
        {
            "status" => WriteStatus(column, input, createLabelsIfMissing, changedAt),
            "people" => WritePeople(input, changedAt),
            "date" => WriteDate(input, changedAt),
            "text" => WriteTextLike(input),
            "numbers" => WriteNumber(input),
            "long_text" => WriteLongText(input, changedAt),
            "dropdown" => WriteDropdown(column, input, createLabelsIfMissing, changedAt),
            "link" => WriteLink(input, changedAt),
            "checkbox" => WriteCheckbox(input, changedAt),
            "timeline" => WriteTimeline(input, changedAt),
            "tags" => WriteTags(input, changedAt, state),
            "email" => WriteEmail(input, changedAt),
            "phone" => WritePhone(input, changedAt),
            "formula" or "mirror" or "creation_log" or "last_updated" or "item_id" or "auto_number" or "subtasks" or "lookup" =>
                throw MondayApiException.ColumnValue("This column type is read-only and cannot be updated through the API", column.Type, Show(input)),
            _ => WriteGeneric(input, changedAt),
        };
    }

    /// <summary><c>change_simple_column_value</c>: the string forms listed in monday's column reference.</summary>
    public static JsonNode? SimpleToJson(ColumnRecord column, string? value)
    {
        if (value is null)
        {
            return null;
        }

        return column.Type switch
        {
            "status" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? new JsonObject { ["index"] = index } : new JsonObject { ["label"] = value },
            "date" => value.Length == 0 ? null : SplitDate(value),
            "link" => value.Length == 0 ? null : SplitFirstSpace(value, "url", "text"),
            "email" => value.Length == 0 ? null : SplitFirstSpace(value, "email", "text"),
            "dropdown" => value.Length == 0 ? null : new JsonObject { ["labels"] = new JsonArray(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(l => (JsonNode)l).ToArray()) },
            "checkbox" or "timeline" or "tags" => throw MondayApiException.ColumnValue(
                $"change_simple_column_value does not support {column.Type} columns; use change_column_value with a JSON value", column.Type, value),
            _ => JsonValue.Create(value),
        };
    }

    private static JsonObject SplitDate(string value)
    {
        var parts = value.Split(' ', 2, StringSplitOptions.TrimEntries);
        var result = new JsonObject { ["date"] = parts[0] };
        if (parts.Length > 1)
        {
            result["time"] = parts[1];
        }

        return result;
    }

    private static JsonObject SplitFirstSpace(string value, string first, string second)
    {
        var parts = value.Split(' ', 2, StringSplitOptions.TrimEntries);
        return new JsonObject { [first] = parts[0], [second] = parts.Length > 1 ? parts[1] : parts[0] };
    }

    private static string Show(JsonNode? input) => input?.ToJsonString() ?? "null";

    private static string Serialize(JsonObject value) => value.ToJsonString();

    private static bool IsEmptyString(JsonNode input) => input.GetValueKind() == JsonValueKind.String && input.GetValue<string>().Length == 0;

    // ---------- status ----------

    public static List<StatusLabel> StatusLabels(ColumnRecord column)
    {
        var settings = JsonNode.Parse(column.Settings) as JsonObject;
        var labels = new List<StatusLabel>();
        if (settings?["labels"] is JsonArray array)
        {
            foreach (var entry in array.OfType<JsonObject>())
            {
                labels.Add(new StatusLabel(
                    entry["index"]!.GetValue<int>(),
                    entry["label"]?.GetValue<string>() ?? string.Empty,
                    entry["color"]?.GetValue<string>() ?? "american_gray",
                    entry["is_done"]?.GetValue<bool>() ?? false));
            }
        }

        return labels;
    }

    /// <summary>Builds status settings from create_column <c>defaults</c>: legacy map <c>{"labels":{"1":"Done"}}</c> or a list of label objects.</summary>
    public static string StatusSettings(JsonObject? defaults)
    {
        var labels = new List<StatusLabel>();
        switch (defaults?["labels"])
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index > 200)
                    {
                        throw MondayApiException.InvalidArgument($"Invalid status label index '{key}' in defaults");
                    }

                    labels.Add(new StatusLabel(index, value?.GetValue<string>() ?? string.Empty, ColorFor(index), index == 1));
                }

                break;
            case JsonArray list:
                foreach (var entry in list.OfType<JsonObject>())
                {
                    var index = entry["index"]?.GetValue<int>() ?? entry["id"]?.GetValue<int>() ?? NextFreeIndex(labels);
                    labels.Add(new StatusLabel(
                        index,
                        entry["label"]?.GetValue<string>() ?? string.Empty,
                        entry["color"]?.GetValue<string>() ?? ColorFor(index),
                        entry["is_done"]?.GetValue<bool>() ?? false));
                }

                break;
            case null:
                labels.AddRange([
                    new StatusLabel(0, "Working on it", "working_orange", false),
                    new StatusLabel(1, "Done", "done_green", true),
                    new StatusLabel(2, "Stuck", "stuck_red", false)
                ]);
                break;
            default:
                throw MondayApiException.InvalidArgument("Status column defaults must contain \"labels\" as an object or a list");
        }

        if (labels.Select(l => l.Index).Distinct().Count() != labels.Count)
        {
            throw MondayApiException.InvalidArgument("Status column defaults contain duplicate label indexes");
        }

        if (labels.All(l => l.Index != BlankStatusIndex))
        {
            labels.Add(new StatusLabel(BlankStatusIndex, string.Empty, "american_gray", false));
        }

        return SerializeStatusSettings(labels);
    }

    private static string SerializeStatusSettings(IEnumerable<StatusLabel> labels) => new JsonObject
    {
        ["type"] = "status",
        ["labels"] = new JsonArray(labels.OrderBy(l => l.Index).Select(l => (JsonNode)new JsonObject
        {
            ["id"] = l.Index,
            ["index"] = l.Index,
            ["label"] = l.Label,
            ["color"] = l.Color,
            ["is_done"] = l.IsDone,
            ["is_deactivated"] = false,
        }).ToArray()),
    }.ToJsonString();

    private static string ColorFor(int index) => index < DefaultStatusColors.Length ? DefaultStatusColors[index] : "american_gray";

    private static int NextFreeIndex(List<StatusLabel> labels)
    {
        var index = 0;
        while (labels.Any(l => l.Index == index) || index == BlankStatusIndex)
        {
            index++;
        }

        return index;
    }

    private static string? WriteStatus(ColumnRecord column, JsonNode input, bool createLabelsIfMissing, string changedAt)
    {
        var labels = StatusLabels(column);
        int? index = null;
        string? label = null;
        switch (input)
        {
            case JsonObject obj when obj["index"] is { } i:
                index = i.GetValueKind() == JsonValueKind.String && int.TryParse(i.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                    ? parsed
                    : i.GetValueKind() == JsonValueKind.Number ? i.GetValue<int>() : throw MondayApiException.ColumnValue("Status index must be an integer", "StatusColumn", Show(input));
                break;
            case JsonObject obj when obj["label"] is { } l && l.GetValueKind() == JsonValueKind.String:
                label = l.GetValue<string>();
                break;
            case JsonObject obj when obj.Count == 0:
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                label = v.GetValue<string>();
                if (label.Length == 0)
                {
                    return null;
                }

                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                index = v.GetValue<int>();
                break;
            default:
                throw MondayApiException.ColumnValue("Invalid status value: send {\"label\":\"...\"} or {\"index\":N}", "StatusColumn", Show(input));
        }

        if (index is { } wanted)
        {
            if (labels.All(l => l.Index != wanted))
            {
                throw MondayApiException.ColumnValue($"This status index doesn't exist, possible statuses are: {DescribeStatuses(labels)}", "StatusColumn", Show(input));
            }
        }
        else
        {
            var match = labels.FirstOrDefault(l => string.Equals(l.Label, label, StringComparison.Ordinal));
            if (match is null)
            {
                if (!createLabelsIfMissing)
                {
                    throw MondayApiException.ColumnValue($"This status label doesn't exist, possible statuses are: {DescribeStatuses(labels)}", "StatusColumn", Show(input));
                }

                if (labels.Count >= 40)
                {
                    throw MondayApiException.ColumnValue("Status columns can hold at most 40 labels", "StatusColumn", Show(input));
                }

                match = new StatusLabel(NextFreeIndex(labels), label!, ColorFor(labels.Count), false);
                labels.Add(match);
                column.Settings = SerializeStatusSettings(labels);
            }

            index = match.Index;
        }

        return Serialize(new JsonObject { ["index"] = index, ["post_id"] = null, ["changed_at"] = changedAt });
    }

    private static string DescribeStatuses(IEnumerable<StatusLabel> labels) =>
        "{" + string.Join(", ", labels.OrderBy(l => l.Index).Select(l => $"{l.Index}: {l.Label}")) + "}";

    // ---------- people ----------

    private static string? WritePeople(JsonNode input, string changedAt)
    {
        var entries = new JsonArray();
        if (input is JsonObject obj)
        {
            if (obj["personsAndTeams"] is not JsonArray list)
            {
                if (obj.Count == 0)
                {
                    return null;
                }

                throw MondayApiException.ColumnValue("People value must be {\"personsAndTeams\":[{\"id\":1,\"kind\":\"person\"}]}", "PeopleColumn", Show(input));
            }

            foreach (var entry in list)
            {
                if (entry is not JsonObject person || !TryGetLong(person["id"], out var id))
                {
                    throw MondayApiException.ColumnValue("Each person or team needs a numeric id", "PeopleColumn", Show(input));
                }

                var kind = person["kind"]?.GetValue<string>() ?? "person";
                if (kind is not ("person" or "team"))
                {
                    throw MondayApiException.ColumnValue($"Unknown kind '{kind}', expected person or team", "PeopleColumn", Show(input));
                }

                entries.Add(new JsonObject { ["id"] = id, ["kind"] = kind });
            }
        }
        else if (input.GetValueKind() is JsonValueKind.String or JsonValueKind.Number)
        {
            var text = input.GetValueKind() == JsonValueKind.Number ? input.ToJsonString() : input.GetValue<string>();
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    throw MondayApiException.ColumnValue($"'{part}' is not a user id", "PeopleColumn", Show(input));
                }

                entries.Add(new JsonObject { ["id"] = id, ["kind"] = "person" });
            }
        }
        else
        {
            throw MondayApiException.ColumnValue("Invalid people value", "PeopleColumn", Show(input));
        }
        return entries.Count == 0 ? null : Serialize(new JsonObject { ["personsAndTeams"] = entries, ["changed_at"] = changedAt });
    }

    // ---------- date / timeline ----------

    private static string? WriteDate(JsonNode input, string changedAt)
    {
        var obj = input switch
        {
            JsonObject o => o,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length == 0 ? [] : SplitDate(v.GetValue<string>()),
            _ => throw MondayApiException.ColumnValue("Invalid date value: send {\"date\":\"YYYY-MM-DD\",\"time\":\"HH:MM:SS\"}", "DateColumn", Show(input)),
        };
        var date = obj["date"]?.GetValue<string>();
        if (string.IsNullOrEmpty(date))
        {
            return null;
        }

        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw MondayApiException.ColumnValue($"Invalid date '{date}', expected YYYY-MM-DD", "DateColumn", Show(input));
        }

        var result = new JsonObject { ["date"] = date };
        var time = obj["time"]?.GetValue<string>();
        if (!string.IsNullOrEmpty(time))
        {
            if (!TimeOnly.TryParseExact(time, ["HH:mm:ss", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsedTime))
            {
                throw MondayApiException.ColumnValue($"Invalid time '{time}', expected HH:MM:SS", "DateColumn", Show(input));
            }

            result["time"] = parsedTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        }

        result["changed_at"] = changedAt;
        return Serialize(result);
    }

    private static string? WriteTimeline(JsonNode input, string changedAt)
    {
        if (input is not JsonObject obj)
        {
            throw MondayApiException.ColumnValue("Timeline value must be {\"from\":\"YYYY-MM-DD\",\"to\":\"YYYY-MM-DD\"}", "TimelineColumn", Show(input));
        }

        var from = obj["from"]?.GetValue<string>();
        var to = obj["to"]?.GetValue<string>();
        if (string.IsNullOrEmpty(from) && string.IsNullOrEmpty(to))
        {
            return null;
        }

        if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var fromDate)
            || !DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var toDate)
            || toDate < fromDate)
        {
            throw MondayApiException.ColumnValue("Timeline needs valid from/to dates (YYYY-MM-DD) with from <= to", "TimelineColumn", Show(input));
        }
        return Serialize(new JsonObject { ["from"] = from, ["to"] = to, ["changed_at"] = changedAt });
    }

    // ---------- text-like ----------

    private static string? WriteTextLike(JsonNode input)
    {
        var text = input.GetValueKind() switch
        {
            JsonValueKind.String => input.GetValue<string>(),
            JsonValueKind.Number => input.ToJsonString(),
            _ => throw MondayApiException.ColumnValue("Text column value must be a string", "TextColumn", Show(input)),
        };
        return text.Length == 0 ? null : JsonSerializer.Serialize(text);
    }

    private static string? WriteNumber(JsonNode input)
    {
        var text = input.GetValueKind() switch
        {
            JsonValueKind.String => input.GetValue<string>().Trim(),
            JsonValueKind.Number => input.ToJsonString(),
            _ => throw MondayApiException.ColumnValue("Numbers column value must be a number string", "NumericColumn", Show(input)),
        };
        if (text.Length == 0)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            throw MondayApiException.ColumnValue($"'{text}' is not a number", "NumericColumn", Show(input));
        }
        return JsonSerializer.Serialize(text);
    }

    private static string? WriteLongText(JsonNode input, string changedAt)
    {
        var text = input switch
        {
            JsonObject obj => obj["text"]?.GetValue<string>() ?? string.Empty,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => throw MondayApiException.ColumnValue("Long text value must be {\"text\":\"...\"}", "LongTextColumn", Show(input)),
        };
        return text.Length == 0 ? null : Serialize(new JsonObject { ["text"] = text, ["changed_at"] = changedAt });
    }

    private static string? WriteLink(JsonNode input, string changedAt)
    {
        var obj = input switch
        {
            JsonObject o => o,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length == 0 ? [] : SplitFirstSpace(v.GetValue<string>(), "url", "text"),
            _ => throw MondayApiException.ColumnValue("Link value must be {\"url\":\"...\",\"text\":\"...\"}", "LinkColumn", Show(input)),
        };
        var url = obj["url"]?.GetValue<string>();
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }
        return Serialize(new JsonObject { ["url"] = url, ["text"] = obj["text"]?.GetValue<string>() ?? url, ["changed_at"] = changedAt });
    }

    private static string? WriteEmail(JsonNode input, string changedAt)
    {
        var obj = input switch
        {
            JsonObject o => o,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length == 0 ? [] : SplitFirstSpace(v.GetValue<string>(), "email", "text"),
            _ => throw MondayApiException.ColumnValue("Email value must be {\"email\":\"...\",\"text\":\"...\"}", "EmailColumn", Show(input)),
        };
        var email = obj["email"]?.GetValue<string>();
        if (string.IsNullOrEmpty(email))
        {
            return null;
        }

        if (!email.Contains('@', StringComparison.Ordinal))
        {
            throw MondayApiException.ColumnValue($"'{email}' is not an email address", "EmailColumn", Show(input));
        }
        return Serialize(new JsonObject { ["email"] = email, ["text"] = obj["text"]?.GetValue<string>() ?? email, ["changed_at"] = changedAt });
    }

    private static string? WritePhone(JsonNode input, string changedAt)
    {
        var obj = input switch
        {
            JsonObject o => o,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length == 0 ? [] : SplitFirstSpace(v.GetValue<string>(), "phone", "countryShortName"),
            _ => throw MondayApiException.ColumnValue("Phone value must be {\"phone\":\"...\",\"countryShortName\":\"US\"}", "PhoneColumn", Show(input)),
        };
        var phone = obj["phone"]?.GetValue<string>();
        return string.IsNullOrEmpty(phone) ? null : Serialize(new JsonObject { ["phone"] = phone, ["countryShortName"] = obj["countryShortName"]?.GetValue<string>(), ["changed_at"] = changedAt });
    }

    private static string? WriteCheckbox(JsonNode input, string changedAt)
    {
        if (input is not JsonObject obj || obj["checked"] is not { } checkedNode)
        {
            throw MondayApiException.ColumnValue("Checkbox value must be {\"checked\":\"true\"}", "CheckboxColumn", Show(input));
        }

        var isChecked = checkedNode.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String => string.Equals(checkedNode.GetValue<string>(), "true", StringComparison.OrdinalIgnoreCase),
            _ => throw MondayApiException.ColumnValue("Checkbox \"checked\" must be \"true\" or \"false\"", "CheckboxColumn", Show(input)),
        };
        return isChecked ? Serialize(new JsonObject { ["checked"] = "true", ["changed_at"] = changedAt }) : null;
    }

    private static string? WriteDropdown(ColumnRecord column, JsonNode input, bool createLabelsIfMissing, string changedAt)
    {
        var settings = JsonNode.Parse(column.Settings) as JsonObject ?? [];
        var options = settings["labels"] as JsonArray ?? [];
        var ids = new List<int>();
        JsonArray? labels = null;
        switch (input)
        {
            case JsonObject obj when obj["ids"] is JsonArray idList:
                foreach (var node in idList)
                {
                    if (!TryGetLong(node, out var id) || options.OfType<JsonObject>().All(o => o["id"]!.GetValue<int>() != id))
                    {
                        throw MondayApiException.ColumnValue($"The dropdown label id {node?.ToJsonString()} doesn't exist, possible labels are: {DescribeDropdown(options)}", "DropdownColumn", Show(input));
                    }

                    ids.Add((int)id);
                }

                break;
            case JsonObject obj when obj["labels"] is JsonArray labelList:
                labels = labelList;
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                labels = new JsonArray(v.GetValue<string>().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(l => (JsonNode)l).ToArray());
                break;
            default:
                throw MondayApiException.ColumnValue("Dropdown value must be {\"labels\":[...]} or {\"ids\":[...]}", "DropdownColumn", Show(input));
        }

        if (labels is not null)
        {
            foreach (var label in labels.Select(l => l?.GetValue<string>() ?? string.Empty))
            {
                var match = options.OfType<JsonObject>().FirstOrDefault(o => o["name"]?.GetValue<string>() == label);
                if (match is null)
                {
                    if (!createLabelsIfMissing)
                    {
                        throw MondayApiException.ColumnValue($"The dropdown label '{label}' doesn't exist, possible labels are: {DescribeDropdown(options)}", "DropdownColumn", Show(input));
                    }

                    var newId = options.OfType<JsonObject>().Select(o => o["id"]!.GetValue<int>()).DefaultIfEmpty(0).Max() + 1;
                    match = new JsonObject { ["id"] = newId, ["name"] = label };
                    options.Add(match);
                    settings["labels"] = options;
                    column.Settings = settings.ToJsonString();
                }

                ids.Add(match["id"]!.GetValue<int>());
            }
        }

        return ids.Count == 0 ? null : Serialize(new JsonObject { ["ids"] = new JsonArray(ids.Distinct().Select(i => (JsonNode)i).ToArray()), ["changed_at"] = changedAt });
    }

    private static string DescribeDropdown(JsonArray options) =>
        "{" + string.Join(", ", options.OfType<JsonObject>().Select(o => $"{o["id"]}: {o["name"]?.GetValue<string>()}")) + "}";

    private static string? WriteTags(JsonNode input, string changedAt, MondayState state)
    {
        if (input is not JsonObject obj || obj["tag_ids"] is not JsonArray tagIds)
        {
            throw MondayApiException.ColumnValue("Tags value must be {\"tag_ids\":[...]}", "TagsColumn", Show(input));
        }

        var ids = new JsonArray();
        foreach (var node in tagIds)
        {
            if (!TryGetLong(node, out var id) || state.Tags.All(t => t.Id != id))
            {
                throw MondayApiException.ColumnValue($"Tag {node?.ToJsonString()} does not exist; create it with create_or_get_tag", "TagsColumn", Show(input));
            }

            ids.Add(id);
        }
        return ids.Count == 0 ? null : Serialize(new JsonObject { ["tag_ids"] = ids, ["changed_at"] = changedAt });
    }

    private static string? WriteGeneric(JsonNode input, string changedAt)
    {
        return input switch
        {
            JsonObject obj when obj.Count == 0 => null,
            JsonObject obj => Serialize(WithChangedAt(obj, changedAt)),
            _ when IsEmptyString(input) => null,
            _ => input.ToJsonString(),
        };
    }

    private static JsonObject WithChangedAt(JsonObject obj, string changedAt)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy["changed_at"] = changedAt;
        return copy;
    }

    internal static bool TryGetLong(JsonNode? node, out long value)
    {
        value = 0;
        return node?.GetValueKind() switch
        {
            JsonValueKind.Number => node.AsValue().TryGetValue(out value) || long.TryParse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value),
            JsonValueKind.String => long.TryParse(node.GetValue<string>(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    // ---------- read side ----------

    /// <summary>monday's display text for a stored value.</summary>
    public static string? Text(ColumnRecord column, string? stored, MondayState state)
    {
        if (stored is null)
        {
            return column.Type is "text" or "long_text" or "numbers" or "status" or "people" or "date" or "dropdown" or "link" or "checkbox" or "timeline" or "tags" or "email" or "phone"
                ? string.Empty
                : null;
        }

        var node = JsonNode.Parse(stored);
        switch (column.Type)
        {
            case "text" or "numbers":
                return node?.GetValue<string>();
            case "long_text":
                return node?["text"]?.GetValue<string>();
            case "status":
                {
                    var index = node?["index"]?.GetValue<int>();
                    return StatusLabels(column).FirstOrDefault(l => l.Index == index)?.Label ?? string.Empty;
                }

            case "people":
                return string.Join(", ", (node?["personsAndTeams"] as JsonArray ?? []).OfType<JsonObject>().Select(p =>
                {
                    var id = p["id"]!.GetValue<long>();
                    return p["kind"]?.GetValue<string>() == "team" ? $"Team {id}" : state.Users.FirstOrDefault(u => u.Id == id)?.Name ?? string.Empty;
                }).Where(n => n.Length > 0));
            case "date":
                {
                    var date = node?["date"]?.GetValue<string>();
                    var time = node?["time"]?.GetValue<string>();
                    return time is null ? date : $"{date} {time[..5]}";
                }

            case "timeline":
                return $"{node?["from"]?.GetValue<string>()} - {node?["to"]?.GetValue<string>()}";
            case "link":
                return $"{node?["text"]?.GetValue<string>()} - {node?["url"]?.GetValue<string>()}";
            case "email":
                return node?["email"]?.GetValue<string>();
            case "phone":
                return node?["phone"]?.GetValue<string>();
            case "checkbox":
                return "v";
            case "dropdown":
                {
                    var options = (JsonNode.Parse(column.Settings)?["labels"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                    return string.Join(", ", (node?["ids"] as JsonArray ?? []).Select(id =>
                        options.FirstOrDefault(o => o["id"]!.GetValue<int>() == id!.GetValue<int>())?["name"]?.GetValue<string>() ?? string.Empty));
                }

            case "tags":
                return string.Join(", ", (node?["tag_ids"] as JsonArray ?? []).Select(id =>
                    state.Tags.FirstOrDefault(t => t.Id == id!.GetValue<long>())?.Name ?? string.Empty));
            default:
                return null;
        }
    }

    /// <summary>The GraphQL object type implementing <c>ColumnValue</c> for a column type.</summary>
    public static string GraphQLTypeName(string columnType) => columnType switch
    {
        "status" => "StatusValue",
        "people" => "PeopleValue",
        "date" => "DateValue",
        "text" => "TextValue",
        "long_text" => "LongTextValue",
        "numbers" => "NumbersValue",
        "dropdown" => "DropdownValue",
        "link" => "LinkValue",
        "checkbox" => "CheckboxValue",
        "timeline" => "TimelineValue",
        "tags" => "TagsValue",
        "email" => "EmailValue",
        "phone" => "PhoneValue",
        "subtasks" => "SubtasksValue",
        "battery" => "BatteryValue",
        "board_relation" => "BoardRelationValue",
        "button" => "ButtonValue",
        "color_picker" => "ColorPickerValue",
        "country" => "CountryValue",
        "creation_log" => "CreationLogValue",
        "dependency" => "DependencyValue",
        "direct_doc" => "DirectDocValue",
        "doc" => "DocValue",
        "file" => "FileValue",
        "formula" => "FormulaValue",
        "group" => "GroupValue",
        "hour" => "HourValue",
        "integration" => "IntegrationValue",
        "item_id" => "ItemIdValue",
        "last_updated" => "LastUpdatedValue",
        "location" => "LocationValue",
        "mirror" => "MirrorValue",
        "person" => "PersonValue",
        "progress" => "ProgressValue",
        "rating" => "RatingValue",
        "team" => "TeamValue",
        "time_tracking" => "TimeTrackingValue",
        "vote" => "VoteValue",
        "week" => "WeekValue",
        "world_clock" => "WorldClockValue",
        _ => "UnsupportedValue",
    };
}

internal sealed record StatusLabel(int Index, string Label, string Color, bool IsDone);
