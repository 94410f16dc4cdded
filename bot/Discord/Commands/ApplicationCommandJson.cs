using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Discord.Commands;

/// <summary>
/// Wire form of declared commands (the bulk-overwrite body) and the canonical form used to decide whether Discord
/// already has exactly the declared set.
/// </summary>
public static class ApplicationCommandJson
{
    /// <summary>The PUT body: a JSON array of command objects, only the fields that were declared.</summary>
    public static JsonArray ToJson(IReadOnlyList<ApplicationCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        return [.. commands.Select(ToJson)];
    }

    public static JsonObject ToJson(ApplicationCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var json = new JsonObject
        {
            ["type"] = (int)command.Type,
            ["name"] = command.Name,
            ["description"] = command.Description,
            // Sent explicitly (null = everyone) so a previously restricted command is reopened by the overwrite.
            ["default_member_permissions"] = command.DefaultMemberPermissions?.ToWireString(),
        };
        if (command.Options.Count > 0)
        {
            json["options"] = new JsonArray([.. command.Options.Select(ToJson)]);
        }

        if (command.Contexts is { } contexts)
        {
            json["contexts"] = new JsonArray([.. contexts.Select(c => (JsonNode)(int)c)]);
        }

        if (command.IntegrationTypes is { } types)
        {
            json["integration_types"] = new JsonArray([.. types.Select(t => (JsonNode)(int)t)]);
        }

        if (command.Nsfw)
        {
            json["nsfw"] = true;
        }

        return json;
    }

    /// <summary>
    /// True when the commands Discord returned (GET) equal the declared ones in every field we declare. Fields Discord
    /// adds (ids, version, localizations) are ignored; defaults are normalised on both sides; contexts and
    /// integration_types are compared only when declared.
    /// </summary>
    public static bool AreEquivalent(IReadOnlyList<ApplicationCommand> declared, JsonElement registered, out string difference)
    {
        ArgumentNullException.ThrowIfNull(declared);
        if (registered.ValueKind != JsonValueKind.Array)
        {
            difference = "Discord returned no command list.";
            return false;
        }

        var existing = registered.EnumerateArray()
            .Select(element => JsonNode.Parse(element.GetRawText())!.AsObject())
            .ToDictionary(CommandKey, StringComparer.Ordinal);
        var wanted = ToJson(declared).Select(node => node!.AsObject()).ToDictionary(CommandKey, StringComparer.Ordinal);

        var missing = wanted.Keys.Except(existing.Keys).ToList();
        var extra = existing.Keys.Except(wanted.Keys).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            difference = $"new: [{string.Join(", ", missing)}], removed: [{string.Join(", ", extra)}]";
            return false;
        }

        foreach (var (key, mine) in wanted)
        {
            var theirs = existing[key];
            var canonicalMine = CanonicalCommand(mine, mine);
            var canonicalTheirs = CanonicalCommand(theirs, mine);
            if (!JsonNode.DeepEquals(canonicalMine, canonicalTheirs))
            {
                difference = $"command {key} differs";
                return false;
            }
        }

        difference = string.Empty;
        return true;
    }

    private static JsonObject ToJson(ApplicationCommandOption option)
    {
        var json = new JsonObject
        {
            ["type"] = (int)option.Type,
            ["name"] = option.Name,
            ["description"] = option.Description,
        };
        if (option.Required)
        {
            json["required"] = true;
        }

        if (option.Autocomplete)
        {
            json["autocomplete"] = true;
        }

        if (option.Choices is { Count: > 0 } choices)
        {
            json["choices"] = new JsonArray([.. choices.Select(choice => new JsonObject { ["name"] = choice.Name, ["value"] = ChoiceValue(choice.Value) })]);
        }

        if (option.Options is { Count: > 0 } options)
        {
            json["options"] = new JsonArray([.. options.Select(ToJson)]);
        }

        AddIfSet(json, "min_length", option.MinLength);
        AddIfSet(json, "max_length", option.MaxLength);
        AddNumberIfSet(json, "min_value", option.MinValue, option.Type);
        AddNumberIfSet(json, "max_value", option.MaxValue, option.Type);
        if (option.ChannelTypes is { Count: > 0 } channelTypes)
        {
            json["channel_types"] = new JsonArray([.. channelTypes.Select(t => (JsonNode)(int)t)]);
        }

        return json;
    }

    private static JsonNode ChoiceValue(object value) => value switch
    {
        string text => text,
        long whole => whole,
        int whole => whole,
        double number => number,
        float number => number,
        _ => throw new ArgumentException($"Choice values are string, long or double (was {value.GetType().Name})."),
    };

    private static void AddIfSet(JsonObject json, string name, int? value)
    {
        if (value is { } set)
        {
            json[name] = set;
        }
    }

    private static void AddNumberIfSet(JsonObject json, string name, double? value, ApplicationCommandOptionType type)
    {
        if (value is { } set)
        {
            json[name] = type == ApplicationCommandOptionType.Integer ? (JsonNode)(long)set : set;
        }
    }

    private static string CommandKey(JsonObject command) =>
        $"{(command["type"] is { } type ? type.GetValue<int>() : 1)}:{command["name"]!.GetValue<string>()}";

    private static JsonObject CanonicalCommand(JsonObject command, JsonObject declared)
    {
        var canonical = new JsonObject
        {
            ["type"] = Number(command["type"], 1),
            ["name"] = Text(command["name"]),
            ["description"] = Text(command["description"]),
            ["default_member_permissions"] = command["default_member_permissions"] is { } permissions ? Text(permissions) : null,
            ["nsfw"] = command["nsfw"]?.GetValue<bool>() ?? false,
            ["options"] = CanonicalOptions(command["options"]),
        };
        foreach (var optional in new[] { "contexts", "integration_types" })
        {
            if (declared[optional] is not null)
            {
                canonical[optional] = CanonicalNumbers(command[optional]);
            }
        }

        return canonical;
    }

    private static JsonArray CanonicalOptions(JsonNode? options) =>
        options is JsonArray list
            ? [.. list.Select(option => (JsonNode)new JsonObject
            {
                ["type"] = Number(option!["type"], 0),
                ["name"] = Text(option["name"]),
                ["description"] = Text(option["description"]),
                ["required"] = option["required"]?.GetValue<bool>() ?? false,
                ["autocomplete"] = option["autocomplete"]?.GetValue<bool>() ?? false,
                ["choices"] = option["choices"] is JsonArray choices
                    ? new JsonArray([.. choices.Select(c => (JsonNode)new JsonObject { ["name"] = Text(c!["name"]), ["value"] = Scalar(c["value"]) })])
                    : new JsonArray(),
                ["options"] = CanonicalOptions(option["options"]),
                ["min_length"] = Scalar(option["min_length"]),
                ["max_length"] = Scalar(option["max_length"]),
                ["min_value"] = Scalar(option["min_value"]),
                ["max_value"] = Scalar(option["max_value"]),
                ["channel_types"] = CanonicalNumbers(option["channel_types"]),
            })]
            : [];

    private static JsonArray CanonicalNumbers(JsonNode? values) =>
        values is JsonArray list ? [.. list.Select(v => (JsonNode)Number(v, 0)).OrderBy(v => v.GetValue<string>(), StringComparer.Ordinal)] : [];

    private static string Text(JsonNode? node) => node?.GetValue<string>() ?? string.Empty;

    private static string Number(JsonNode? node, int fallback) =>
        node is null ? fallback.ToString(CultureInfo.InvariantCulture) : NormalizeNumber(node);

    // Numbers become strings of their decimal value so 5, 5.0 and 5e0 (as Discord may echo them) compare equal.
    private static JsonNode? Scalar(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => null,
        JsonValueKind.Number => "n:" + NormalizeNumber(node),
        _ => "s:" + node.ToJsonString(),
    };

    private static string NormalizeNumber(JsonNode node) =>
        decimal.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture).ToString("G29", CultureInfo.InvariantCulture) switch
        {
            var text when text.Contains('.', StringComparison.Ordinal) => text.TrimEnd('0').TrimEnd('.'),
            var text => text,
        };
}
