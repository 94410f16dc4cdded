using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// Turns message request bodies into the messages Discord stores, and applies edits the way Discord does: only
/// editable fields change, request-only fields (<c>nonce</c>, <c>enforce_nonce</c>, <c>allowed_mentions</c>, <c>tts</c>
/// on edit) are never stored, embeds and components get the fields Discord adds, mentions are resolved from the content.
/// </summary>
internal static partial class EmulatedMessages
{
    public const int MaxContentLength = 2000;
    public const int MaxEmbeds = 10;

    /// <summary>Form errors in a create or edit body (null when it is acceptable).</summary>
    /// <param name="prefix">Where the message sits in the request (e.g. <c>data.</c> in an interaction callback).</param>
    public static FormErrors? Check(JsonObject body, string prefix = "")
    {
        var errors = new FormErrors();
        if (body["content"] is JsonNode content)
        {
            if (content.GetValueKind() != System.Text.Json.JsonValueKind.String)
            {
                errors.Add(prefix + "content", "BASE_TYPE_STRING", "Could not interpret \"" + content.ToJsonString() + "\" as string.");
            }
            else if (content.GetValue<string>().Length > MaxContentLength)
            {
                errors.TooLong(prefix + "content", MaxContentLength);
            }
        }

        if (body["embeds"] is JsonArray { Count: > MaxEmbeds })
        {
            errors.TooLong(prefix + "embeds", MaxEmbeds);
        }

        return errors.Any ? errors : null;
    }

    /// <summary>Whether a create body has anything to show (Discord answers 50006 otherwise).</summary>
    public static bool HasContent(JsonObject body) =>
        body["content"] is JsonValue value && value.GetValue<string>().Length > 0
        || body["embeds"] is JsonArray { Count: > 0 }
        || body["components"] is JsonArray { Count: > 0 }
        || body["sticker_ids"] is JsonArray { Count: > 0 }
        || body["poll"] is JsonObject;

    /// <summary>A new message from a create body. <paramref name="extraFlags"/> are flags Discord sets itself (e.g. loading).</summary>
    public static JsonObject Create(EmulatedWorld world, ChannelState channel, EmulatedUser author, JsonObject body, int type, int extraFlags = 0)
    {
        var flags = ((body["flags"]?.GetValue<int>() ?? 0) & MessageFlags.Settable) | extraFlags;
        var message = new JsonObject
        {
            ["id"] = world.Snowflakes.Next(),
            ["type"] = type,
            ["channel_id"] = channel.Id,
            ["author"] = DiscordObjects.User(author),
            ["content"] = body["content"]?.GetValue<string>() ?? string.Empty,
            ["mentions"] = new JsonArray(),
            ["mention_roles"] = new JsonArray(),
            ["mention_everyone"] = false,
            ["attachments"] = new JsonArray(),
            ["embeds"] = Embeds(body["embeds"] as JsonArray),
            ["components"] = Components(body["components"] as JsonArray),
            ["timestamp"] = world.Timestamp(),
            ["edited_timestamp"] = null,
            ["flags"] = flags,
            ["pinned"] = false,
            ["tts"] = body["tts"]?.GetValue<bool>() ?? false,
        };
        ResolveMentions(world, channel, message, body["allowed_mentions"] as JsonObject);
        return message;
    }

    /// <summary>
    /// Applies an edit. The loading flag of a deferred reply is cleared by its first edit, which completes the reply
    /// rather than editing it (so <c>edited_timestamp</c> stays null then); SUPPRESS_EMBEDS is the only flag an edit can
    /// toggle, and IS_COMPONENTS_V2 can be added but never removed.
    /// </summary>
    public static void Edit(EmulatedWorld world, ChannelState channel, StoredMessage message, JsonObject patch)
    {
        var json = message.Json;
        var wasLoading = (message.Flags & MessageFlags.Loading) != 0;
        if (patch.ContainsKey("content"))
        {
            json["content"] = patch["content"]?.GetValue<string>() ?? string.Empty;
        }

        if (patch.ContainsKey("embeds"))
        {
            json["embeds"] = Embeds(patch["embeds"] as JsonArray);
        }

        if (patch.ContainsKey("components"))
        {
            json["components"] = Components(patch["components"] as JsonArray);
        }

        if (patch.ContainsKey("attachments") && patch["attachments"] is JsonArray { Count: 0 })
        {
            json["attachments"] = new JsonArray();
        }

        var requested = patch["flags"]?.GetValue<int>();
        var flags = message.Flags & ~MessageFlags.Loading;
        if (requested is { } wanted)
        {
            flags = (flags & ~MessageFlags.SuppressEmbeds) | (wanted & (MessageFlags.SuppressEmbeds | MessageFlags.ComponentsV2));
        }

        message.Flags = flags;
        if (patch.ContainsKey("content") || patch.ContainsKey("allowed_mentions"))
        {
            ResolveMentions(world, channel, json, patch["allowed_mentions"] as JsonObject);
        }

        if (!wasLoading)
        {
            json["edited_timestamp"] = world.Timestamp();
        }
    }

    /// <summary>
    /// Fills <c>mentions</c>, <c>mention_roles</c> and <c>mention_everyone</c> from the content, keeping only what
    /// <paramref name="allowedMentions"/> lets ping (absent: everything parses, as on Discord).
    /// </summary>
    private static void ResolveMentions(EmulatedWorld world, ChannelState channel, JsonObject message, JsonObject? allowedMentions)
    {
        var content = message["content"]!.GetValue<string>();
        var parse = allowedMentions?["parse"] is JsonArray parsed ? parsed.Select(kind => kind!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) : null;
        var allowedUsers = (allowedMentions?["users"] as JsonArray)?.Select(id => id!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
        var allowedRoles = (allowedMentions?["roles"] as JsonArray)?.Select(id => id!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
        bool Allows(string kind, HashSet<string> explicitIds, string id) => parse is null || parse.Contains(kind) || explicitIds.Contains(id);

        var users = UserMention().Matches(content).Select(match => match.Groups[1].Value).Distinct(StringComparer.Ordinal)
            .Where(id => Allows("users", allowedUsers, id))
            .Select(world.FindUser).OfType<EmulatedUser>();
        var roles = RoleMention().Matches(content).Select(match => match.Groups[1].Value).Distinct(StringComparer.Ordinal)
            .Where(id => Allows("roles", allowedRoles, id) && channel.Guild?.Roles.Any(role => role.Id == id) == true);
        var everyone = (content.Contains("@everyone", StringComparison.Ordinal) || content.Contains("@here", StringComparison.Ordinal))
            && (parse is null || parse.Contains("everyone"))
            && (world.PermissionsIn(message["author"]!["id"]!.GetValue<string>(), channel) & DiscordPermission.MentionEveryone) != 0;
        message["mentions"] = new JsonArray([.. users.Select(user => (JsonNode)DiscordObjects.User(user))]);
        message["mention_roles"] = new JsonArray([.. roles.Select(id => (JsonNode)JsonValue.Create(id))]);
        message["mention_everyone"] = everyone;
    }

    private static JsonArray Embeds(JsonArray? embeds) => new([.. (embeds ?? []).OfType<JsonObject>().Select(request =>
    {
        var embed = (JsonObject)request.DeepClone();
        embed["type"] ??= "rich";
        if (embed["fields"] is JsonArray fields)
        {
            foreach (var field in fields.OfType<JsonObject>())
            {
                field["inline"] ??= false;
            }
        }

        return (JsonNode)embed;
    })]);

    /// <summary>Components as Discord returns them: each gets a numeric <c>id</c> (depth-first from 1) and select defaults.</summary>
    private static JsonArray Components(JsonArray? components)
    {
        var copy = (JsonArray)(components?.DeepClone() ?? new JsonArray());
        var next = 1;
        void Number(JsonObject component)
        {
            component["id"] ??= next;
            next = Math.Max(next, component["id"]!.GetValue<int>()) + 1;
            if (component["type"]?.GetValue<int>() is 3 or 5 or 6 or 7 or 8)
            {
                component["min_values"] ??= 1;
                component["max_values"] ??= 1;
            }

            foreach (var child in (component["components"] as JsonArray ?? []).OfType<JsonObject>())
            {
                Number(child);
            }

            if (component["accessory"] is JsonObject accessory)
            {
                Number(accessory);
            }
        }

        foreach (var component in copy.OfType<JsonObject>())
        {
            Number(component);
        }

        return copy;
    }

    /// <summary>Every custom_id in a message's component tree with the component's type.</summary>
    public static IEnumerable<(string CustomId, int Type)> CustomIds(JsonNode? components)
    {
        foreach (var component in (components as JsonArray ?? []).OfType<JsonObject>())
        {
            if (component["custom_id"]?.GetValue<string>() is { } customId)
            {
                yield return (customId, component["type"]!.GetValue<int>());
            }

            foreach (var nested in CustomIds(component["components"]).Concat(component["accessory"] is JsonObject accessory ? CustomIds(new JsonArray(accessory.DeepClone())) : []))
            {
                yield return nested;
            }
        }
    }

    [GeneratedRegex("<@!?([0-9]+)>")]
    private static partial Regex UserMention();

    [GeneratedRegex("<@&([0-9]+)>")]
    private static partial Regex RoleMention();
}
