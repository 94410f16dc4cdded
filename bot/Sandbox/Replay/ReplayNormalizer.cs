using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Monday;

namespace DiscordLedgerBot.Sandbox.Replay;

/// <summary>
/// Turns what the emulators hold into comparable lines: values that differ between any two honest runs (snowflakes,
/// timestamps, clock times, GUIDs) become placeholders; everything else — titles, statuses, owners, texts, buttons,
/// event types and order — stays, so a runtime that loses, duplicates or reorders anything shows up.
/// </summary>
public static partial class ReplayNormalizer
{
    private static readonly System.Text.Json.JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly HashSet<string> VolatileKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "id", "at", "timestamp", "edited_timestamp", "changed_at", "nonce", "latencyMs", "elapsedMs", "attempts",
    };

    public static string Text(string text) =>
        Clock().Replace(Iso().Replace(DiscordTime().Replace(Guid().Replace(Snowflake().Replace(text, "<snowflake>"), "<guid>"), "<t>"), "<timestamp>"), "<time>");

    /// <summary>The JSON with volatile members removed (at any depth) and every string normalised (readable, not \u-escaped).</summary>
    public static string Json(JsonNode? node) => Strip(node?.DeepClone())?.ToJsonString(Readable) ?? "null";

    public static IReadOnlyList<string> Board(MondayEmulator monday, long boardId)
    {
        ArgumentNullException.ThrowIfNull(monday);
        var board = monday.Boards().Single(b => b.Id == boardId);
        var groups = board.Groups.ToDictionary(g => g.Id, g => g.Title, StringComparer.Ordinal);
        var all = monday.Items();
        var updates = monday.Updates();
        return [.. all.Where(i => i.BoardId == boardId)
            .OrderBy(i => i.Name, StringComparer.Ordinal).ThenBy(i => i.CreatedAt)
            .Select(item =>
            {
                var columns = string.Join("; ", item.ColumnValues.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={Json(JsonNode.Parse(c.Value))}"));
                var notes = string.Join(" | ", updates.Where(u => u.ItemId == item.Id).OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).Select(u => Text(u.Body)));
                var subitems = string.Join(", ", all.Where(s => s.ParentItemId == item.Id).OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => s.Name));
                return Text($"{item.Name} [{item.State}] in {groups.GetValueOrDefault(item.GroupId, item.GroupId)} :: {columns} :: updates: {notes} :: subitems: {subitems}");
            })];
    }

    /// <summary>
    /// Every channel's messages in their final state, by the step that posted them; within one step, by text, because
    /// independent jobs (a daily notice and an escalation, say) may post in either order on any runtime.
    /// </summary>
    public static IReadOnlyList<string> Messages(DiscordEmulator discord, Func<string, int> stepOf)
    {
        ArgumentNullException.ThrowIfNull(discord);
        ArgumentNullException.ThrowIfNull(stepOf);
        return [.. discord.Guilds.SelectMany(g => g.Channels).OrderBy(c => c.Name, StringComparer.Ordinal)
            .SelectMany(channel => discord.MessagesIn(channel.Id)
                .Select(m => (Step: stepOf(m.Id), Text: Json(Visible(m.Message))))
                .OrderBy(m => m.Step).ThenBy(m => m.Text, StringComparer.Ordinal)
                .Select(m => $"#{channel.Name} step {m.Step.ToString(CultureInfo.InvariantCulture)}: {m.Text}"))];
    }

    /// <summary>What a person sees of a message: text, embeds and components (not ids, authorship stamps or timestamps).</summary>
    private static JsonObject Visible(JsonObject message) => new()
    {
        ["content"] = message["content"]?.DeepClone(),
        ["embeds"] = message["embeds"]?.DeepClone(),
        ["components"] = message["components"]?.DeepClone(),
        ["flags"] = message["flags"]?.DeepClone(),
    };

    /// <summary>Removes volatile members and normalises strings, in place (the node is a private clone).</summary>
    private static JsonNode? Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (VolatileKeys.Contains(key))
                    {
                        obj.Remove(key);
                    }
                    else if (AsText(obj[key]) is { } text)
                    {
                        obj[key] = Text(text);
                    }
                    else
                    {
                        Strip(obj[key]);
                    }
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (AsText(array[i]) is { } text)
                    {
                        array[i] = Text(text);
                    }
                    else
                    {
                        Strip(array[i]);
                    }
                }

                return array;
            default:
                return AsText(node) is { } single ? JsonValue.Create(Text(single)) : node;
        }
    }

    private static string? AsText(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : null;

    [GeneratedRegex(@"\b\d{15,20}\b")]
    private static partial Regex Snowflake();

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b")]
    private static partial Regex Guid();

    [GeneratedRegex(@"<t:\d+(:[A-Za-z])?>")]
    private static partial Regex DiscordTime();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")]
    private static partial Regex Iso();

    [GeneratedRegex(@"\b\d{1,2}:\d{2}(:\d{2})?\b")]
    private static partial Regex Clock();
}
