using System.Text.Json;
using DiscordLedgerBot.Discord.Commands;

namespace DiscordLedgerBot.Discord.Interactions;

/// <summary>Turns interaction JSON into <see cref="Interaction"/>; malformed input fails with <see cref="InteractionParseException"/>.</summary>
public static class InteractionParser
{
    public static Interaction Parse(JsonElement json)
    {
        try
        {
            return ParseCore(json);
        }
        catch (Exception exception) when (exception is FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InteractionParseException($"Malformed interaction: {exception.Message}", exception);
        }
    }

    private static Interaction ParseCore(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("an interaction must be a JSON object");
        }

        var type = (InteractionType)RequiredInt(json, "type");
        if (!Enum.IsDefined(type))
        {
            throw new FormatException($"unknown interaction type {(int)type}");
        }

        var member = OptionalObject(json, "member");
        var userJson = member is { } m && m.TryGetProperty("user", out var memberUser) ? memberUser : OptionalObject(json, "user");
        var data = OptionalObject(json, "data");
        return new Interaction(
            Id: RequiredId(json, "id"),
            ApplicationId: RequiredId(json, "application_id"),
            Type: type,
            Token: new InteractionToken(RequiredString(json, "token")),
            GuildId: OptionalId(json, "guild_id"),
            ChannelId: OptionalId(json, "channel_id") ?? (OptionalObject(json, "channel") is { } channel ? OptionalId(channel, "id") : null),
            User: userJson is { } user ? ParseUser(user) : null,
            MemberPermissions: member is { } withPermissions ? OptionalPermissions(withPermissions, "permissions") : null,
            AppPermissions: OptionalPermissions(json, "app_permissions"),
            Locale: OptionalString(json, "locale"),
            Data: data is { } d ? ParseData(type, d) : null,
            MessageId: OptionalObject(json, "message") is { } message ? OptionalId(message, "id") : null,
            Raw: json.Clone());
    }

    private static InteractionData? ParseData(InteractionType type, JsonElement data) => type switch
    {
        InteractionType.ApplicationCommand or InteractionType.ApplicationCommandAutocomplete => new ApplicationCommandData(
            CommandId: RequiredId(data, "id"),
            Name: RequiredString(data, "name"),
            CommandType: (ApplicationCommandType)(OptionalInt(data, "type") ?? 1),
            Options: ParseOptions(data),
            Resolved: OptionalObject(data, "resolved") is { } resolved ? ParseResolved(resolved) : ResolvedData.Empty,
            TargetId: OptionalId(data, "target_id")),
        InteractionType.MessageComponent => new ComponentInteractionData(
            CustomId: RequiredString(data, "custom_id"),
            ComponentType: RequiredInt(data, "component_type"),
            Values: data.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array
                ? [.. values.EnumerateArray().Select(v => v.GetString() ?? throw new FormatException("select values must be strings"))]
                : []),
        InteractionType.ModalSubmit => new ModalSubmitData(RequiredString(data, "custom_id"), CollectModalValues(data)),
        _ => null,
    };

    private static List<InteractionOption> ParseOptions(JsonElement owner) =>
        owner.TryGetProperty("options", out var options) && options.ValueKind == JsonValueKind.Array
            ? [.. options.EnumerateArray().Select(option => new InteractionOption(
                RequiredString(option, "name"),
                (ApplicationCommandOptionType)RequiredInt(option, "type"),
                option.TryGetProperty("value", out var value) ? value.Clone() : null,
                option.TryGetProperty("focused", out var focused) && focused.ValueKind == JsonValueKind.True,
                ParseOptions(option)))]
            : [];

    // Text inputs arrive inside action rows (type 1, "components") or labels (type 18, "component"); walk both.
    private static Dictionary<string, string> CollectModalValues(JsonElement data)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonElement node)
        {
            if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var child in node.EnumerateArray())
                {
                    Walk(child);
                }

                return;
            }

            if (node.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (OptionalString(node, "custom_id") is { } customId)
            {
                if (OptionalString(node, "value") is { } value)
                {
                    values[customId] = value;
                }
                else if (node.TryGetProperty("values", out var selected) && selected.ValueKind == JsonValueKind.Array)
                {
                    values[customId] = string.Join(',', selected.EnumerateArray().Select(v => v.GetString()));
                }
            }

            if (node.TryGetProperty("components", out var components))
            {
                Walk(components);
            }

            if (node.TryGetProperty("component", out var component))
            {
                Walk(component);
            }
        }

        if (data.TryGetProperty("components", out var top))
        {
            Walk(top);
        }

        return values;
    }

    private static ResolvedData ParseResolved(JsonElement resolved) => new(
        Users: ParseMap(resolved, "users", (_, user) => ParseUser(user)),
        Members: ParseMap(resolved, "members", (id, member) => new ResolvedMember(
            id,
            OptionalString(member, "nick"),
            member.TryGetProperty("roles", out var roles) && roles.ValueKind == JsonValueKind.Array
                ? [.. roles.EnumerateArray().Select(role => Snowflake.Parse(role.GetString() ?? string.Empty, "role id"))]
                : [],
            OptionalPermissions(member, "permissions"))),
        Channels: ParseMap(resolved, "channels", (id, channel) => new ResolvedChannel(
            id,
            OptionalString(channel, "name"),
            (ChannelType)RequiredInt(channel, "type"),
            OptionalPermissions(channel, "permissions"))),
        Roles: ParseMap(resolved, "roles", (id, role) => new ResolvedRole(id, RequiredString(role, "name"))));

    private static Dictionary<ulong, T> ParseMap<T>(JsonElement owner, string name, Func<ulong, JsonElement, T> parse) =>
        owner.TryGetProperty(name, out var map) && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject()
                .Select(entry => (Id: Snowflake.Parse(entry.Name, $"resolved.{name} key"), entry.Value))
                .ToDictionary(entry => entry.Id, entry => parse(entry.Id, entry.Value))
            : [];

    private static InteractionUser ParseUser(JsonElement user) =>
        new(RequiredId(user, "id"), RequiredString(user, "username"), OptionalString(user, "global_name"));

    private static string RequiredString(JsonElement owner, string name) =>
        OptionalString(owner, name) ?? throw new FormatException($"'{name}' is required");

    private static string? OptionalString(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int RequiredInt(JsonElement owner, string name) =>
        OptionalInt(owner, name) ?? throw new FormatException($"'{name}' must be an integer");

    private static int? OptionalInt(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;

    private static ulong RequiredId(JsonElement owner, string name) => Snowflake.Parse(RequiredString(owner, name), $"'{name}'");

    private static ulong? OptionalId(JsonElement owner, string name) =>
        OptionalString(owner, name) is { } text ? Snowflake.Parse(text, $"'{name}'") : null;

    private static DiscordPermissions? OptionalPermissions(JsonElement owner, string name) =>
        OptionalString(owner, name) is { } text ? DiscordPermissionsExtensions.ParsePermissions(text) : null;

    private static JsonElement? OptionalObject(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;
}

public sealed class InteractionParseException(string message, Exception innerException) : FormatException(message, innerException);
