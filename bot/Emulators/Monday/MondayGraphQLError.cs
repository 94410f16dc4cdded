using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Monday.GraphQL;

namespace DiscordLedgerBot.Emulators.Monday;

/// <summary>One entry of a GraphQL <c>errors[]</c> array in monday's shape.</summary>
/// <param name="Message">Human-readable text.</param>
/// <param name="Locations">Positions in the query the error refers to (may be empty).</param>
/// <param name="Path">Response path for execution errors (aliases as response keys, list indexes as ints), else null.</param>
/// <param name="Extensions">The <c>extensions</c> object; carries <c>code</c> and code-specific data.</param>
public sealed record MondayGraphQLError(
    string Message,
    IReadOnlyList<SourceLocation> Locations,
    IReadOnlyList<object>? Path,
    JsonObject? Extensions)
{
    public string? Code => Extensions?["code"]?.GetValue<string>();

    public static MondayGraphQLError WithCode(string message, string code, SourceLocation? location = null, JsonObject? extra = null)
    {
        var extensions = new JsonObject { ["code"] = code };
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                extensions[key] = value?.DeepClone();
            }
        }

        return new MondayGraphQLError(message, location is { } l ? [l] : [], null, extensions);
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["message"] = Message };
        if (Locations.Count > 0)
        {
            json["locations"] = new JsonArray(Locations.Select(l => (JsonNode)new JsonObject { ["line"] = l.Line, ["column"] = l.Column }).ToArray());
        }

        if (Path is not null)
        {
            json["path"] = new JsonArray(Path.Select(p => p is int index ? JsonValue.Create(index) : (JsonNode)JsonValue.Create((string)p)).ToArray());
        }

        if (Extensions is not null)
        {
            json["extensions"] = Extensions.DeepClone();
        }

        return json;
    }

    public override string ToString() => Code is null ? Message : $"{Code}: {Message}";
}
