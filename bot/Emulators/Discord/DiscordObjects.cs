using System.Globalization;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// The emulated world in Discord's wire shapes (user, member, role, channel, thread, guild), with every field the
/// official OpenAPI spec marks required. Permission bitsets travel as decimal strings, as Discord sends them.
/// </summary>
internal static class DiscordObjects
{
    public static string Bits(ulong permissions) => permissions.ToString(CultureInfo.InvariantCulture);

    public static string Timestamp(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    public static JsonObject User(EmulatedUser user)
    {
        var json = new JsonObject
        {
            ["id"] = user.Id,
            ["username"] = user.Username,
            ["avatar"] = null,
            ["discriminator"] = "0",
            ["public_flags"] = 0,
            ["flags"] = 0,
            ["banner"] = null,
            ["accent_color"] = null,
            ["global_name"] = user.GlobalName,
            ["avatar_decoration_data"] = null,
            ["collectibles"] = null,
            ["primary_guild"] = null,
        };
        if (user.Bot)
        {
            json["bot"] = true;
        }

        return json;
    }

    /// <summary><c>GET /users/@me</c> for a bot: the user plus the account fields Discord adds for the owner of the token.</summary>
    public static JsonObject CurrentUser(EmulatedUser bot)
    {
        var json = User(bot);
        json["mfa_enabled"] = false;
        json["locale"] = "en-US";
        json["verified"] = true;
        json["email"] = null;
        return json;
    }

    public static JsonObject Member(EmulatedGuild guild, EmulatedMember member) => new()
    {
        ["avatar"] = null,
        ["banner"] = null,
        ["communication_disabled_until"] = null,
        ["flags"] = 0,
        ["joined_at"] = Timestamp(member.JoinedAt),
        ["nick"] = member.Nick,
        ["pending"] = false,
        ["premium_since"] = null,
        ["roles"] = new JsonArray([.. member.RoleIds.Where(id => id != guild.Id).Select(id => (JsonNode)JsonValue.Create(id))]),
        ["user"] = User(member.User),
        ["mute"] = false,
        ["deaf"] = false,
    };

    public static JsonObject Role(EmulatedRole role)
    {
        var json = new JsonObject
        {
            ["id"] = role.Id,
            ["name"] = role.Name,
            ["permissions"] = Bits(role.Permissions),
            ["position"] = role.Position,
            ["color"] = 0,
            ["colors"] = new JsonObject { ["primary_color"] = 0, ["secondary_color"] = null, ["tertiary_color"] = null },
            ["hoist"] = false,
            ["managed"] = role.Managed,
            ["mentionable"] = false,
            ["icon"] = null,
            ["unicode_emoji"] = null,
            ["flags"] = 0,
        };
        if (role.BotId is { } botId)
        {
            json["tags"] = new JsonObject { ["bot_id"] = botId };
        }

        return json;
    }

    public static JsonObject Channel(EmulatedGuild guild, EmulatedChannel channel, string? lastMessageId)
    {
        var json = new JsonObject
        {
            ["id"] = channel.Id,
            ["type"] = channel.Type,
            ["guild_id"] = guild.Id,
            ["name"] = channel.Name,
            ["position"] = channel.Position,
            ["flags"] = 0,
            ["parent_id"] = channel.ParentId,
            ["nsfw"] = false,
            ["permission_overwrites"] = new JsonArray([.. channel.PermissionOverwrites.Select(overwrite => (JsonNode)new JsonObject
            {
                ["id"] = overwrite.Id,
                ["type"] = (int)overwrite.Target,
                ["allow"] = Bits(overwrite.Allow),
                ["deny"] = Bits(overwrite.Deny),
            })]),
        };
        switch (channel.Type)
        {
            case 0:
                json["topic"] = channel.Topic;
                json["last_message_id"] = lastMessageId;
                json["rate_limit_per_user"] = 0;
                json["default_auto_archive_duration"] = 1440;
                break;
            case 2:
                json["last_message_id"] = lastMessageId;
                json["bitrate"] = 64_000;
                json["user_limit"] = 0;
                json["rtc_region"] = null;
                json["rate_limit_per_user"] = 0;
                break;
        }

        return json;
    }

    public static JsonObject Guild(EmulatedGuild guild) => new()
    {
        ["id"] = guild.Id,
        ["name"] = guild.Name,
        ["icon"] = null,
        ["description"] = null,
        ["home_header"] = null,
        ["splash"] = null,
        ["discovery_splash"] = null,
        ["features"] = new JsonArray(),
        ["banner"] = null,
        ["owner_id"] = guild.OwnerId,
        ["application_id"] = null,
        ["region"] = "deprecated",
        ["afk_channel_id"] = null,
        ["afk_timeout"] = 300,
        ["system_channel_id"] = guild.Channels.FirstOrDefault(channel => channel.Type == 0)?.Id,
        ["system_channel_flags"] = 0,
        ["widget_enabled"] = false,
        ["widget_channel_id"] = null,
        ["verification_level"] = 1,
        ["roles"] = new JsonArray([.. guild.Roles.Select(role => (JsonNode)Role(role))]),
        ["default_message_notifications"] = 1,
        ["mfa_level"] = 0,
        ["explicit_content_filter"] = 2,
        ["max_presences"] = null,
        ["max_members"] = 500_000,
        ["max_stage_video_channel_users"] = 50,
        ["max_video_channel_users"] = 25,
        ["vanity_url_code"] = null,
        ["premium_tier"] = 0,
        ["premium_subscription_count"] = 0,
        ["preferred_locale"] = "en-US",
        ["rules_channel_id"] = null,
        ["safety_alerts_channel_id"] = null,
        ["public_updates_channel_id"] = null,
        ["premium_progress_bar_enabled"] = false,
        ["nsfw"] = false,
        ["nsfw_level"] = 0,
        ["emojis"] = new JsonArray(),
        ["stickers"] = new JsonArray(),
        ["incidents_data"] = null,
    };

    /// <summary>An entry of <c>GET /users/@me/guilds</c>: the guild as the bot sees it, with its guild-level permissions.</summary>
    public static JsonObject PartialGuild(EmulatedGuild guild, string botUserId) => new()
    {
        ["id"] = guild.Id,
        ["name"] = guild.Name,
        ["icon"] = null,
        ["banner"] = null,
        ["owner"] = guild.OwnerId == botUserId,
        ["permissions"] = Bits(guild.BasePermissions(botUserId)),
        ["features"] = new JsonArray(),
    };
}
