using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>Builders of realistic interaction payloads for <see cref="DiscordEmulator.InjectInteractionAsync"/>.</summary>
public static class EmulatedInteractions
{
    public const string DefaultChannelId = "1300000000000000010";
    public const string DefaultUserId = "1300000000000000020";

    /// <summary>A CHAT_INPUT command (type 2) in a guild, from a member with all permissions in the channel.</summary>
    /// <param name="options">Top-level options as name → (type, value), e.g. ("title", (3, "Fix it")).</param>
    public static JsonObject SlashCommand(
        string name,
        string guildId,
        string channelId = DefaultChannelId,
        string userId = DefaultUserId,
        IReadOnlyDictionary<string, (int Type, JsonNode? Value)>? options = null,
        string commandId = "1300000000000000030")
    {
        var data = new JsonObject { ["id"] = commandId, ["name"] = name, ["type"] = 1 };
        if (options is { Count: > 0 })
        {
            data["options"] = new JsonArray([.. options.Select(option => (JsonNode)new JsonObject { ["name"] = option.Key, ["type"] = option.Value.Type, ["value"] = option.Value.Value?.DeepClone() })]);
        }

        return InGuild(2, data, guildId, channelId, userId);
    }

    /// <summary>A MESSAGE_COMPONENT interaction (type 3): a button press (component_type 2) or a select (3, with values).</summary>
    public static JsonObject ComponentInteraction(string customId, string guildId, int componentType = 2, IEnumerable<string>? values = null, string channelId = DefaultChannelId, string userId = DefaultUserId)
    {
        var data = new JsonObject { ["custom_id"] = customId, ["component_type"] = componentType };
        if (values is not null)
        {
            data["values"] = new JsonArray([.. values.Select(value => (JsonNode)JsonValue.Create(value))]);
        }

        return InGuild(3, data, guildId, channelId, userId);
    }

    private static JsonObject InGuild(int type, JsonObject data, string guildId, string channelId, string userId) => new()
    {
        ["type"] = type,
        ["data"] = data,
        ["guild_id"] = guildId,
        ["channel_id"] = channelId,
        ["channel"] = new JsonObject { ["id"] = channelId, ["type"] = 0, ["guild_id"] = guildId },
        ["member"] = new JsonObject
        {
            ["user"] = new JsonObject { ["id"] = userId, ["username"] = "emulated-user", ["discriminator"] = "0", ["global_name"] = "Emulated User" },
            ["roles"] = new JsonArray(),
            ["permissions"] = "2251799813685247",
            ["joined_at"] = "2026-01-01T00:00:00.000000+00:00",
        },
        ["app_permissions"] = "2251799813685247",
        ["locale"] = "en-US",
        ["guild_locale"] = "en-US",
        ["context"] = 0,
        ["authorizing_integration_owners"] = new JsonObject { ["0"] = guildId },
        ["entitlements"] = new JsonArray(),
        ["attachment_size_limit"] = 10_485_760,
    };
}
