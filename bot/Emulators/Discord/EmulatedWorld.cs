using System.Globalization;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// The state behind the emulated REST API and gateway: guilds, channels (guild channels, threads, DMs), messages with
/// their reactions, application commands and interactions. Not thread-safe: callers serialise access (EmulatedRest
/// holds one lock around every request and control call).
/// </summary>
internal sealed class EmulatedWorld
{
    private readonly DiscordEmulatorOptions _options;
    private readonly Dictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<JsonObject>> _commandsByScope = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _unregisteredCommandIds = new(StringComparer.Ordinal);

    public EmulatedWorld(DiscordEmulatorOptions options, SnowflakeGenerator snowflakes, IReadOnlyList<EmulatedGuild> guilds)
    {
        _options = options;
        Snowflakes = snowflakes;
        Guilds = guilds;
        Bot = new EmulatedUser(options.BotUserId, options.BotUserName, null, Bot: true);
        foreach (var guild in guilds)
        {
            if (guild.FindMember(options.BotUserId) is null)
            {
                throw new ArgumentException($"The bot ({options.BotUserId}) must be a member of guild {guild.Id}.", nameof(guilds));
            }

            foreach (var channel in guild.Channels.Where(channel => channel.Type != 4))
            {
                _channels[channel.Id] = new ChannelState(channel.Id, channel.Type, guild, channel);
            }
        }
    }

    public SnowflakeGenerator Snowflakes { get; }

    public IReadOnlyList<EmulatedGuild> Guilds { get; }

    public EmulatedUser Bot { get; }

    public Dictionary<string, InteractionState> Interactions { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset Now => _options.TimeProvider.GetUtcNow();

    public EmulatedGuild? FindGuild(string guildId) => Guilds.FirstOrDefault(guild => guild.Id == guildId);

    public ChannelState? FindChannel(string channelId) => _channels.GetValueOrDefault(channelId);

    public IEnumerable<ChannelState> Channels => _channels.Values;

    public EmulatedUser? FindUser(string userId) =>
        userId == Bot.Id ? Bot : Guilds.SelectMany(guild => guild.Members).FirstOrDefault(member => member.User.Id == userId)?.User;

    public ChannelState AddChannel(ChannelState channel) => _channels[channel.Id] = channel;

    /// <summary>The bot's permissions in a channel: computed for guild channels (threads use their parent), fixed for DMs.</summary>
    public ulong BotPermissionsIn(ChannelState channel) => PermissionsIn(Bot.Id, channel);

    public ulong PermissionsIn(string userId, ChannelState channel) => channel.Guild is { } guild
        ? guild.PermissionsIn(userId, channel.ParentId is { } parent && channel.IsThread ? parent : channel.Id)
        : DiscordPermission.ViewChannel | DiscordPermission.SendMessages | DiscordPermission.ReadMessageHistory
            | DiscordPermission.AddReactions | DiscordPermission.EmbedLinks | DiscordPermission.AttachFiles;

    public JsonObject ChannelJson(ChannelState channel) => channel switch
    {
        { IsThread: true } => ThreadJson(channel),
        { Type: 1 } => new JsonObject
        {
            ["id"] = channel.Id,
            ["type"] = 1,
            ["last_message_id"] = channel.LastMessageId,
            ["flags"] = 0,
            ["recipients"] = new JsonArray(DiscordObjects.User(channel.Recipient!)),
        },
        _ => DiscordObjects.Channel(channel.Guild!, channel.GuildChannel!, channel.LastMessageId),
    };

    public JsonObject ThreadJson(ChannelState thread) => new()
    {
        ["id"] = thread.Id,
        ["type"] = thread.Type,
        ["guild_id"] = thread.Guild!.Id,
        ["parent_id"] = thread.ParentId,
        ["owner_id"] = thread.OwnerId,
        ["name"] = thread.Name,
        ["flags"] = 0,
        ["last_message_id"] = thread.LastMessageId,
        ["rate_limit_per_user"] = 0,
        ["thread_metadata"] = new JsonObject
        {
            ["archived"] = thread.Archived,
            ["archive_timestamp"] = DiscordObjects.Timestamp(thread.ArchiveTimestamp),
            ["auto_archive_duration"] = thread.AutoArchiveDuration,
            ["locked"] = thread.Locked,
            ["create_timestamp"] = DiscordObjects.Timestamp(thread.CreatedAt),
        },
        ["message_count"] = thread.Messages.Count(message => !message.Deleted),
        ["member_count"] = thread.MemberIds.Count,
        ["total_message_sent"] = thread.TotalMessagesSent,
    };

    /// <summary>GUILD_CREATE's <c>d</c>: the guild object plus its members, channels and active threads.</summary>
    public JsonObject GuildCreate(EmulatedGuild guild)
    {
        var json = DiscordObjects.Guild(guild);
        json["joined_at"] = DiscordObjects.Timestamp(guild.FindMember(Bot.Id)!.JoinedAt);
        json["large"] = false;
        json["unavailable"] = false;
        json["member_count"] = guild.Members.Count;
        json["voice_states"] = new JsonArray();
        json["members"] = new JsonArray([.. guild.Members.Select(member => (JsonNode)DiscordObjects.Member(guild, member))]);
        json["channels"] = new JsonArray([.. guild.Channels.Select(channel => (JsonNode)DiscordObjects.Channel(guild, channel, FindChannel(channel.Id)?.LastMessageId))]);
        json["threads"] = new JsonArray([.. _channels.Values.Where(channel => channel.IsThread && channel.Guild == guild && !channel.Archived).Select(thread => (JsonNode)ThreadJson(thread))]);
        json["presences"] = new JsonArray();
        json["stage_instances"] = new JsonArray();
        json["guild_scheduled_events"] = new JsonArray();
        json["soundboard_sounds"] = new JsonArray();
        return json;
    }

    public List<JsonObject> Commands(string scope) =>
        _commandsByScope.TryGetValue(scope, out var commands) ? commands : _commandsByScope[scope] = [];

    public bool HasCommands(string scope) => _commandsByScope.ContainsKey(scope);

    /// <summary>The registered command an interaction names (guild scope first), or null.</summary>
    public JsonObject? FindCommand(string? guildId, string name) =>
        (guildId is not null && _commandsByScope.TryGetValue("guild:" + guildId, out var guildCommands) ? guildCommands : [])
            .Concat(_commandsByScope.TryGetValue("global", out var global) ? global : [])
            .FirstOrDefault(command => command["name"]?.GetValue<string>() == name);

    /// <summary>A stable id for a command injected without having been registered (tests that skip registration).</summary>
    public string UnregisteredCommandId(string name) =>
        _unregisteredCommandIds.TryGetValue(name, out var id) ? id : _unregisteredCommandIds[name] = Snowflakes.Next();

    public StoredMessage? FindMessage(string messageId) =>
        _channels.Values.SelectMany(channel => channel.Messages).FirstOrDefault(message => message.Id == messageId && !message.Deleted);

    public string Timestamp() => DiscordObjects.Timestamp(Now);
}

/// <summary>A channel with its messages: a guild channel, a thread (<see cref="IsThread"/>) or a DM (type 1).</summary>
internal sealed class ChannelState(string id, int type, EmulatedGuild? guild, EmulatedChannel? guildChannel)
{
    public string Id { get; } = id;

    public int Type { get; } = type;

    public EmulatedGuild? Guild { get; } = guild;

    public EmulatedChannel? GuildChannel { get; } = guildChannel;

    public List<StoredMessage> Messages { get; } = [];

    public bool IsThread => Type is 10 or 11 or 12;

    public string? LastMessageId => Messages.LastOrDefault(message => !message.Deleted && !message.Ephemeral)?.Id;

    public EmulatedUser? Recipient { get; init; }

    public string? ParentId { get; init; }

    public string? OwnerId { get; init; }

    public string Name { get; set; } = guildChannel?.Name ?? string.Empty;

    public bool Archived { get; set; }

    public bool Locked { get; set; }

    public int AutoArchiveDuration { get; set; } = 1440;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ArchiveTimestamp { get; set; }

    public HashSet<string> MemberIds { get; } = new(StringComparer.Ordinal);

    public int TotalMessagesSent { get; set; }

    /// <summary>Messages in Discord's order for <c>GET /channels/{id}/messages</c>: newest first, ephemeral ones never.</summary>
    public IEnumerable<StoredMessage> Listed => Messages.Where(message => !message.Deleted && !message.Ephemeral).OrderByDescending(message => ulong.Parse(message.Id, CultureInfo.InvariantCulture));
}

/// <summary>A message's current state as Discord keeps it, plus what the API does not show directly.</summary>
internal sealed class StoredMessage(JsonObject json)
{
    public JsonObject Json { get; } = json;

    public string Id => Json["id"]!.GetValue<string>();

    public string ChannelId => Json["channel_id"]!.GetValue<string>();

    public string AuthorId => Json["author"]!["id"]!.GetValue<string>();

    public int Flags
    {
        get => Json["flags"]?.GetValue<int>() ?? 0;
        set => Json["flags"] = value;
    }

    /// <summary>Ephemeral messages exist only for the invoking user: never listed or fetched through the channel.</summary>
    public bool Ephemeral => (Flags & MessageFlags.Ephemeral) != 0;

    public bool Deleted { get; set; }

    /// <summary>The interaction this message answers (initial response or follow-up), if any.</summary>
    public string? InteractionId { get; init; }

    /// <summary>Reacting user ids per emoji key (the unicode emoji, or <c>name:id</c> for a custom one), in reaction order.</summary>
    public Dictionary<string, List<string>> Reactions { get; } = new(StringComparer.Ordinal);

    /// <summary>The message as the API returns it: its fields plus the reaction summary as seen by <paramref name="viewerId"/>.</summary>
    public JsonObject ToJson(string viewerId)
    {
        var json = (JsonObject)Json.DeepClone();
        var reactions = Reactions.Where(reaction => reaction.Value.Count > 0).ToList();
        if (reactions.Count > 0)
        {
            json["reactions"] = new JsonArray([.. reactions.Select(reaction => (JsonNode)new JsonObject
            {
                ["emoji"] = new JsonObject { ["id"] = null, ["name"] = reaction.Key },
                ["count"] = reaction.Value.Count,
                ["count_details"] = new JsonObject { ["burst"] = 0, ["normal"] = reaction.Value.Count },
                ["burst_colors"] = new JsonArray(),
                ["me_burst"] = false,
                ["me"] = reaction.Value.Contains(viewerId),
            })]);
        }

        return json;
    }
}

/// <summary>An interaction from dispatch to its last follow-up; <see cref="Responses"/> is what the control API lists.</summary>
internal sealed class InteractionState(string id, string token, int type, JsonObject payload)
{
    public string Id { get; } = id;

    public string Token { get; } = token;

    public int Type { get; } = type;

    public JsonObject Payload { get; } = payload;

    public string? ChannelId => Payload["channel_id"]?.GetValue<string>();

    public string? GuildId => Payload["guild_id"]?.GetValue<string>();

    /// <summary>For component interactions: the message the component is on.</summary>
    public string? ComponentMessageId => Payload["message"]?["id"]?.GetValue<string>();

    public JsonObject User => (JsonObject)(Payload["member"]?["user"] ?? Payload["user"])!;

    public int? CallbackType { get; set; }

    public string? OriginalMessageId { get; set; }

    /// <summary>For modal submits: the interaction that opened the modal.</summary>
    public string? TriggeringInteractionId { get; init; }

    /// <summary>When the interaction was answered with a modal (callback 9): that modal's custom_id.</summary>
    public string? ModalCustomId { get; set; }

    /// <summary>Initial response, edits, follow-ups and deletions in the order they happened.</summary>
    public List<JsonObject> Responses { get; } = [];
}

internal static class MessageFlags
{
    public const int SuppressEmbeds = 1 << 2;
    public const int HasThread = 1 << 5;
    public const int Ephemeral = 1 << 6;
    public const int Loading = 1 << 7;
    public const int SuppressNotifications = 1 << 12;
    public const int ComponentsV2 = 1 << 15;

    /// <summary>Flags a bot may set when sending; Discord ignores the rest.</summary>
    public const int Settable = SuppressEmbeds | Ephemeral | SuppressNotifications | ComponentsV2;
}
