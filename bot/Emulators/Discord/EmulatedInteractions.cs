using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// Builders of the <c>d</c> of an INTERACTION_CREATE for <see cref="DiscordEmulator.InjectInteractionAsync"/> (or the
/// control API's <c>POST /__emulator/interactions</c>). They give only what a user chooses (which command, options,
/// button, who, where); the emulator fills the rest as Discord does: ids, token, member with computed permissions,
/// channel, app_permissions and, for components, the message the component is on.
/// </summary>
public static class EmulatedInteractions
{
    /// <summary>#general of the default guild.</summary>
    public static readonly string DefaultChannelId = EmulatedGuild.Ids.General;

    /// <summary>"linus", a member with the Members role in the default guild.</summary>
    public static readonly string DefaultUserId = EmulatedGuild.Ids.Member;

    /// <summary>A CHAT_INPUT command (type 2).</summary>
    /// <param name="options">Top-level options as name → (type, value), e.g. ("title", (3, "Fix it")).</param>
    public static JsonObject SlashCommand(
        string name,
        string? guildId = null,
        string? channelId = null,
        string? userId = null,
        IReadOnlyDictionary<string, (int Type, JsonNode? Value)>? options = null)
    {
        var data = new JsonObject { ["name"] = name, ["type"] = 1 };
        if (options is { Count: > 0 })
        {
            data["options"] = new JsonArray([.. options.Select(option => (JsonNode)new JsonObject { ["name"] = option.Key, ["type"] = option.Value.Type, ["value"] = option.Value.Value?.DeepClone() })]);
        }

        return InGuild(2, data, guildId, channelId, userId);
    }

    /// <summary>An APPLICATION_COMMAND_AUTOCOMPLETE (type 4): the user is typing <paramref name="partialValue"/> into a string option.</summary>
    public static JsonObject Autocomplete(string name, string optionName, string partialValue, string? guildId = null, string? channelId = null, string? userId = null)
    {
        var data = new JsonObject
        {
            ["name"] = name,
            ["type"] = 1,
            ["options"] = new JsonArray(new JsonObject { ["name"] = optionName, ["type"] = 3, ["value"] = partialValue, ["focused"] = true }),
        };
        return InGuild(4, data, guildId, channelId, userId);
    }

    /// <summary>
    /// A MESSAGE_COMPONENT interaction (type 3): a press of the button (or a choice in the select) with
    /// <paramref name="customId"/> on the newest message in the channel that has it; <c>component_type</c> and
    /// <c>message</c> are filled from that message.
    /// </summary>
    public static JsonObject ComponentInteraction(string customId, string? guildId = null, IEnumerable<string>? values = null, string? channelId = null, string? userId = null)
    {
        var data = new JsonObject { ["custom_id"] = customId };
        if (values is not null)
        {
            data["values"] = new JsonArray([.. values.Select(value => (JsonNode)JsonValue.Create(value))]);
        }

        return InGuild(3, data, guildId, channelId, userId);
    }

    private static JsonObject InGuild(int type, JsonObject data, string? guildId, string? channelId, string? userId)
    {
        var interaction = new JsonObject { ["type"] = type, ["data"] = data };
        if (guildId is not null)
        {
            interaction["guild_id"] = guildId;
        }

        if (channelId is not null)
        {
            interaction["channel_id"] = channelId;
        }

        if (userId is not null)
        {
            interaction["member"] = new JsonObject { ["user"] = new JsonObject { ["id"] = userId } };
        }

        return interaction;
    }
}
