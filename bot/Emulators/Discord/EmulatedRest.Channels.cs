using System.Globalization;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>Channel, message, reaction, thread and DM routes.</summary>
internal sealed partial class EmulatedRest
{
    private const int MaxThreadNameLength = 100;
    private static readonly int[] AutoArchiveDurations = [60, 1440, 4320, 10080];

    private Reply CreateDm(Call call)
    {
        if (call.Object?["recipient_id"]?.GetValue<string>() is not { } recipientId)
        {
            return new FormErrors().Required("recipient_id").ToReply();
        }

        if (_world.FindUser(recipientId) is not { } recipient)
        {
            return DiscordErrors.UnknownUser;
        }

        // One DM channel per recipient, as on Discord: opening it again returns the same channel.
        var channel = _world.Channels.FirstOrDefault(existing => existing.Type == 1 && existing.Recipient?.Id == recipientId)
            ?? _world.AddChannel(new ChannelState(_world.Snowflakes.Next(), 1, null, null) { Recipient = recipient, CreatedAt = _world.Now });
        return Reply.Ok(_world.ChannelJson(channel));
    }

    /// <summary>Only threads can be changed here (name, archived, locked, auto_archive_duration): the bot cannot manage channels.</summary>
    private Reply UpdateChannel(Call call) => WithChannel(call, 0, channel =>
    {
        if (!channel.IsThread)
        {
            return DiscordErrors.MissingPermissions;
        }

        var patch = call.Object ?? [];
        var errors = CheckThreadFields(patch, nameRequired: false);
        if (errors is not null)
        {
            return errors.ToReply();
        }

        var isOwner = channel.OwnerId == _world.Bot.Id;
        var canManage = (_world.BotPermissionsIn(channel) & DiscordPermission.ManageThreads) != 0;
        if (channel.Locked && !canManage)
        {
            return DiscordErrors.ThreadLocked;
        }

        if ((patch.ContainsKey("locked") || patch.ContainsKey("name")) && !canManage && !isOwner)
        {
            return DiscordErrors.MissingPermissions;
        }

        if (patch["name"]?.GetValue<string>() is { } name)
        {
            channel.Name = name;
        }

        if (patch["auto_archive_duration"]?.GetValue<int>() is { } duration)
        {
            channel.AutoArchiveDuration = duration;
        }

        if (patch["locked"]?.GetValue<bool>() is { } locked)
        {
            channel.Locked = locked;
        }

        if (patch["archived"]?.GetValue<bool>() is { } archived && archived != channel.Archived)
        {
            channel.Archived = archived;
            channel.ArchiveTimestamp = _world.Now;
        }

        var json = _world.ThreadJson(channel);
        Dispatch("THREAD_UPDATE", json.DeepClone());
        return Reply.Ok(json);
    });

    private Reply CreateChannelMessage(Call call) => WithChannel(call, 0, channel =>
    {
        var body = call.Object ?? [];
        if (EmulatedMessages.Check(body) is { } errors)
        {
            return errors.ToReply();
        }

        if (!EmulatedMessages.HasContent(body))
        {
            return DiscordErrors.EmptyMessage;
        }

        if (channel.Recipient is { Bot: true })
        {
            return DiscordErrors.CannotMessageUser;
        }

        var needed = channel.IsThread ? DiscordPermission.SendMessagesInThreads : DiscordPermission.SendMessages;
        if ((_world.BotPermissionsIn(channel) & needed) == 0)
        {
            return DiscordErrors.MissingPermissions;
        }

        if (channel.IsThread && channel.Archived)
        {
            // Sending to an archived thread reopens it unless it is locked.
            if (channel.Locked)
            {
                return DiscordErrors.ThreadLocked;
            }

            channel.Archived = false;
            channel.ArchiveTimestamp = _world.Now;
        }

        var type = 0;
        StoredMessage? referenced = null;
        if (body["message_reference"]?["message_id"]?.GetValue<string>() is { } referencedId)
        {
            referenced = channel.Messages.FirstOrDefault(message => message.Id == referencedId && !message.Deleted && !message.Ephemeral);
            if (referenced is null)
            {
                return new FormErrors().Add("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message").ToReply();
            }

            type = 19;
        }

        var message = EmulatedMessages.Create(_world, channel, _world.Bot, body, type);
        if (referenced is not null)
        {
            message["message_reference"] = new JsonObject { ["type"] = 0, ["channel_id"] = channel.Id, ["message_id"] = referenced.Id, ["guild_id"] = channel.Guild?.Id };
            message["referenced_message"] = referenced.ToJson(_world.Bot.Id);
        }

        var stored = new StoredMessage(message);
        channel.Messages.Add(stored);
        channel.TotalMessagesSent++;
        var response = stored.ToJson(_world.Bot.Id);

        // Discord echoes the nonce in the create response only; it is not part of the stored message.
        if (body["nonce"] is { } nonce)
        {
            response["nonce"] = nonce.DeepClone();
        }

        return Reply.Ok(response);
    });

    /// <summary>
    /// Newest first; <c>limit</c> 1-100 (default 50) and one of <c>before</c>, <c>after</c>, <c>around</c>. Without
    /// READ_MESSAGE_HISTORY the list is empty, as on Discord. Ephemeral messages are never listed.
    /// </summary>
    private Reply ListChannelMessages(Call call) => WithChannel(call, 0, channel =>
    {
        var errors = new FormErrors();
        var limit = 50;
        if (call.Query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit))
            {
                errors.Add("limit", "NUMBER_TYPE_COERCE", $"Value \"{limitText}\" is not int.");
            }
            else if (limit is < 1 or > 100)
            {
                errors.Add("limit", limit < 1 ? "NUMBER_TYPE_MIN" : "NUMBER_TYPE_MAX", limit < 1 ? "int value should be greater than or equal to 1." : "int value should be less than or equal to 100.");
            }
        }

        var anchors = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var name in new[] { "before", "after", "around" })
        {
            if (call.Query.TryGetValue(name, out var text))
            {
                if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    anchors[name] = id;
                }
                else
                {
                    errors.Add(name, "NUMBER_TYPE_COERCE", $"Value \"{text}\" is not snowflake.");
                }
            }
        }

        if (errors.Any)
        {
            return errors.ToReply();
        }

        if ((_world.BotPermissionsIn(channel) & DiscordPermission.ReadMessageHistory) == 0)
        {
            return Reply.Ok(new JsonArray());
        }

        var newestFirst = channel.Listed.Select(message => (Id: ulong.Parse(message.Id, CultureInfo.InvariantCulture), Message: message)).ToList();
        IEnumerable<StoredMessage> page;
        if (anchors.TryGetValue("around", out var around))
        {
            var older = newestFirst.Where(entry => entry.Id <= around).Take((limit + 1) / 2);
            var newer = newestFirst.Where(entry => entry.Id > around).Reverse().Take(limit / 2).Reverse();
            page = newer.Concat(older).Select(entry => entry.Message);
        }
        else if (anchors.TryGetValue("before", out var before))
        {
            page = newestFirst.Where(entry => entry.Id < before).Take(limit).Select(entry => entry.Message);
        }
        else if (anchors.TryGetValue("after", out var after))
        {
            // The page right after the anchor, still newest first.
            page = newestFirst.Where(entry => entry.Id > after).Reverse().Take(limit).Reverse().Select(entry => entry.Message);
        }
        else
        {
            page = newestFirst.Take(limit).Select(entry => entry.Message);
        }

        return Reply.Ok(new JsonArray([.. page.Select(message => (JsonNode)message.ToJson(_world.Bot.Id))]));
    });

    private Reply EditChannelMessage(Call call) => WithMessage(call, 0, (channel, message) =>
    {
        if (message.AuthorId != _world.Bot.Id)
        {
            // Others' messages only allow flag changes (suppressing embeds), which needs MANAGE_MESSAGES.
            if (call.Object is not { } flagsOnly || flagsOnly.Any(field => field.Key != "flags"))
            {
                return DiscordErrors.CannotEditOthersMessage;
            }

            if ((_world.BotPermissionsIn(channel) & DiscordPermission.ManageMessages) == 0)
            {
                return DiscordErrors.MissingPermissions;
            }
        }

        var patch = call.Object ?? [];
        if (EmulatedMessages.Check(patch) is { } errors)
        {
            return errors.ToReply();
        }

        EmulatedMessages.Edit(_world, channel, message, patch);
        return Reply.Ok(message.ToJson(_world.Bot.Id));
    });

    private Reply DeleteChannelMessage(Call call) => WithMessage(call, 0, (channel, message) =>
    {
        if (message.AuthorId != _world.Bot.Id && (_world.BotPermissionsIn(channel) & DiscordPermission.ManageMessages) == 0)
        {
            return DiscordErrors.MissingPermissions;
        }

        message.Deleted = true;
        return Reply.NoContent;
    });

    /// <summary>Unicode emoji only: the emulated guilds have no custom emoji, so <c>name:id</c> is Unknown Emoji.</summary>
    private Reply React(Call call, bool add) => WithMessage(call, DiscordPermission.ReadMessageHistory, (channel, message) =>
    {
        var emoji = call["emoji_name"];
        if (emoji.Contains(':', StringComparison.Ordinal) || emoji.Length == 0)
        {
            return DiscordErrors.UnknownEmoji;
        }

        if (!message.Reactions.TryGetValue(emoji, out var users))
        {
            if (!add)
            {
                return Reply.NoContent;
            }

            // Adding a new emoji needs ADD_REACTIONS; joining an existing reaction does not.
            if ((_world.BotPermissionsIn(channel) & DiscordPermission.AddReactions) == 0)
            {
                return DiscordErrors.MissingPermissions;
            }

            message.Reactions[emoji] = users = [];
        }

        if (add && !users.Contains(_world.Bot.Id))
        {
            users.Add(_world.Bot.Id);
        }
        else if (!add)
        {
            users.Remove(_world.Bot.Id);
        }

        return Reply.NoContent;
    });

    private Reply ListReactions(Call call) => WithMessage(call, DiscordPermission.ReadMessageHistory, (_, message) =>
    {
        var emoji = call["emoji_name"];
        if (emoji.Contains(':', StringComparison.Ordinal))
        {
            return DiscordErrors.UnknownEmoji;
        }

        var limit = call.Query.TryGetValue("limit", out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var parsed) ? Math.Clamp(parsed, 1, 100) : 25;
        var after = call.Query.TryGetValue("after", out var afterText) && ulong.TryParse(afterText, CultureInfo.InvariantCulture, out var afterId) ? afterId : 0;
        var users = (message.Reactions.GetValueOrDefault(emoji) ?? [])
            .Select(id => _world.FindUser(id)!)
            .Where(user => ulong.Parse(user.Id, CultureInfo.InvariantCulture) > after)
            .OrderBy(user => ulong.Parse(user.Id, CultureInfo.InvariantCulture))
            .Take(limit);
        return Reply.Ok(new JsonArray([.. users.Select(user => (JsonNode)DiscordObjects.User(user))]));
    });

    private Reply ClearReactions(Call call, string? emoji) => WithMessage(call, DiscordPermission.ManageMessages, (_, message) =>
    {
        if (emoji is null)
        {
            message.Reactions.Clear();
        }
        else
        {
            message.Reactions.Remove(emoji);
        }

        return Reply.NoContent;
    });

    /// <summary>A public thread whose id is the message's id, as Discord does; the message gets HAS_THREAD and <c>thread</c>.</summary>
    private Reply StartThreadFromMessage(Call call) => WithMessage(call, DiscordPermission.CreatePublicThreads | DiscordPermission.ReadMessageHistory, (channel, message) =>
    {
        if (channel.IsThread || channel.Type != 0)
        {
            return DiscordErrors.Error(400, 50024, "Cannot execute action on this channel type");
        }

        var body = call.Object ?? [];
        if (CheckThreadFields(body, nameRequired: true) is { } errors)
        {
            return errors.ToReply();
        }

        if (_world.FindChannel(message.Id) is not null)
        {
            return DiscordErrors.ThreadAlreadyCreated;
        }

        var thread = OpenThread(channel, message.Id, 11, body);
        message.Flags |= MessageFlags.HasThread;
        message.Json["thread"] = _world.ThreadJson(thread);
        return Reply.Created(_world.ThreadJson(thread));
    });

    private Reply StartThread(Call call) => WithChannel(call, 0, channel =>
    {
        if (channel.IsThread || channel.Type != 0)
        {
            return DiscordErrors.Error(400, 50024, "Cannot execute action on this channel type");
        }

        var body = call.Object ?? [];
        var errors = CheckThreadFields(body, nameRequired: true) ?? new FormErrors();
        var type = body["type"]?.GetValue<int>() ?? 12;
        if (type is not (11 or 12))
        {
            errors.Add("type", "BASE_TYPE_CHOICES", "Value must be one of {11, 12}.");
        }

        if (errors.Any)
        {
            return errors.ToReply();
        }

        var needed = type == 11 ? DiscordPermission.CreatePublicThreads : DiscordPermission.CreatePrivateThreads;
        if ((_world.BotPermissionsIn(channel) & needed) == 0)
        {
            return DiscordErrors.MissingPermissions;
        }

        var thread = OpenThread(channel, _world.Snowflakes.Next(), type, body);
        var json = _world.ThreadJson(thread);
        json["member"] = ThreadMember(thread);
        return Reply.Created(json);
    });

    private Reply JoinThread(Call call, bool join) => WithChannel(call, 0, channel =>
    {
        if (!channel.IsThread)
        {
            return DiscordErrors.Error(400, 50024, "Cannot execute action on this channel type");
        }

        if (join)
        {
            channel.MemberIds.Add(_world.Bot.Id);
        }
        else
        {
            channel.MemberIds.Remove(_world.Bot.Id);
        }

        return Reply.NoContent;
    });

    private ChannelState OpenThread(ChannelState parent, string id, int type, JsonObject body)
    {
        var thread = _world.AddChannel(new ChannelState(id, type, parent.Guild, null)
        {
            ParentId = parent.Id,
            OwnerId = _world.Bot.Id,
            CreatedAt = _world.Now,
            ArchiveTimestamp = _world.Now,
        });
        thread.Name = body["name"]!.GetValue<string>();
        thread.AutoArchiveDuration = body["auto_archive_duration"]?.GetValue<int>() ?? 1440;
        thread.MemberIds.Add(_world.Bot.Id);
        var created = _world.ThreadJson(thread);
        created["newly_created"] = true;
        Dispatch("THREAD_CREATE", created);
        return thread;
    }

    private JsonObject ThreadMember(ChannelState thread) => new()
    {
        ["id"] = thread.Id,
        ["user_id"] = _world.Bot.Id,
        ["join_timestamp"] = DiscordObjects.Timestamp(thread.CreatedAt),
        ["flags"] = 0,
    };

    private static FormErrors? CheckThreadFields(JsonObject body, bool nameRequired)
    {
        var errors = new FormErrors();
        var name = body["name"]?.GetValue<string>();
        if (name is null && nameRequired)
        {
            errors.Required("name");
        }
        else if (name is not null && (name.Length == 0 || name.Length > MaxThreadNameLength))
        {
            errors.OutOfRange("name", 1, MaxThreadNameLength);
        }

        if (body["auto_archive_duration"]?.GetValue<int>() is { } duration && !AutoArchiveDurations.Contains(duration))
        {
            errors.Add("auto_archive_duration", "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}.");
        }

        return errors.Any ? errors : null;
    }
}
