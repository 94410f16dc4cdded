using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>Application commands, interaction callbacks, follow-ups and <c>@original</c>, and preparing injected interactions.</summary>
internal sealed partial class EmulatedRest
{
    private const int AttachmentSizeLimit = 10_485_760;

    private static readonly Dictionary<int, int[]> CallbacksByInteractionType = new()
    {
        [1] = [1],
        [2] = [4, 5, 9],
        [3] = [4, 5, 6, 7, 9],
        [4] = [8],
        [5] = [4, 5, 6, 7],
    };

    /// <summary>
    /// Completes the <c>d</c> of an INTERACTION_CREATE the way Discord fills it for the bot and registers the
    /// interaction. Fields the caller gave win; missing ones are filled: id, token, application_id, guild, channel,
    /// member (computed permissions), command id and type, the component's message, the modal's triggering interaction.
    /// </summary>
    /// <exception cref="EmulatorRequestException">Discord could not deliver such an interaction (unknown user, hidden channel, no such button...).</exception>
    public (InteractionState Interaction, JsonObject Payload) PrepareInteraction(JsonObject requested)
    {
        var payload = (JsonObject)requested.DeepClone();
        var type = payload["type"]?.GetValue<int>() ?? throw new EmulatorRequestException("type is required (2 command, 3 component, 4 autocomplete, 5 modal submit).");
        if (type is < 2 or > 5)
        {
            throw new EmulatorRequestException($"Interaction type {type} is not delivered over the gateway (2-5 are).");
        }

        var guildId = payload["guild_id"]?.GetValue<string>() ?? _world.Guilds[0].Id;
        var guild = _world.FindGuild(guildId) ?? throw new EmulatorRequestException($"Unknown guild {guildId}.");
        var userId = payload["member"]?["user"]?["id"]?.GetValue<string>() ?? payload["user"]?["id"]?.GetValue<string>() ?? DefaultUser(guild).User.Id;
        var member = guild.FindMember(userId) ?? throw new EmulatorRequestException($"User {userId} is not a member of guild {guild.Id}.");
        var channelId = payload["channel_id"]?.GetValue<string>() ?? payload["channel"]?["id"]?.GetValue<string>() ?? DefaultChannel(guild, userId).Id;
        var channel = _world.FindChannel(channelId);
        if (channel?.Guild != guild)
        {
            throw new EmulatorRequestException($"Channel {channelId} is not a channel of guild {guild.Id}.");
        }

        var permissions = _world.PermissionsIn(userId, channel);
        if ((permissions & DiscordPermission.ViewChannel) == 0)
        {
            throw new EmulatorRequestException($"{member.User.Username} cannot see channel {channelId}, so cannot interact there.");
        }

        var data = payload["data"] as JsonObject ?? throw new EmulatorRequestException("data is required.");
        string? triggeringInteractionId = null;
        switch (type)
        {
            case 2 or 4:
                FillCommandData(guild, data, permissions);
                break;
            case 3:
                payload["message"] ??= ComponentMessage(channel, data, payload["message"]?["id"]?.GetValue<string>());
                break;
            case 5:
                var triggering = FindOpenModal(userId, data);
                triggeringInteractionId = triggering.Id;
                if (triggering.ComponentMessageId is { } componentMessageId && _world.FindMessage(componentMessageId) is { } fromMessage)
                {
                    payload["message"] ??= fromMessage.ToJson(_world.Bot.Id);
                }

                break;
        }

        var memberJson = DiscordObjects.Member(guild, member);
        memberJson["permissions"] = DiscordObjects.Bits(permissions);
        var channelJson = _world.ChannelJson(channel);
        channelJson["permissions"] = DiscordObjects.Bits(permissions);
        payload["member"] = Overlay(memberJson, payload["member"] as JsonObject);
        payload.Remove("user");
        payload["id"] ??= _world.Snowflakes.Next();
        payload["token"] ??= "emu-interaction-token-" + _world.Snowflakes.Next();
        payload["application_id"] ??= _options.ApplicationId;
        payload["version"] ??= 1;
        payload["guild_id"] = guild.Id;
        payload["channel_id"] = channel.Id;
        payload["channel"] = Overlay(channelJson, payload["channel"] as JsonObject);
        payload["app_permissions"] ??= DiscordObjects.Bits(_world.BotPermissionsIn(channel));
        payload["locale"] ??= "en-US";
        payload["guild_locale"] ??= "en-US";
        payload["context"] ??= 0;
        payload["authorizing_integration_owners"] ??= new JsonObject { ["0"] = guild.Id };
        payload["entitlements"] ??= new JsonArray();
        payload["attachment_size_limit"] ??= AttachmentSizeLimit;
        var interaction = new InteractionState(payload["id"]!.GetValue<string>(), payload["token"]!.GetValue<string>(), type, (JsonObject)payload.DeepClone())
        {
            TriggeringInteractionId = triggeringInteractionId,
        };
        _world.Interactions[interaction.Id] = interaction;
        return (interaction, payload);
    }

    /// <summary>The interaction's initial response, edits, follow-ups and deletions for the control API.</summary>
    public JsonArray? ResponsesOf(string interactionId) =>
        _world.Interactions.TryGetValue(interactionId, out var interaction) ? new JsonArray([.. interaction.Responses.Select(entry => entry.DeepClone())]) : null;

    private static JsonObject Overlay(JsonObject computed, JsonObject? given)
    {
        foreach (var (key, value) in given ?? [])
        {
            computed[key] = value is JsonObject nested && computed[key] is JsonObject existing ? Overlay(existing, nested) : value?.DeepClone();
        }

        return computed;
    }

    private static EmulatedMember DefaultUser(EmulatedGuild guild) =>
        guild.FindMember(EmulatedGuild.Ids.Member) ?? guild.Members.First(member => !member.User.Bot);

    private ChannelState DefaultChannel(EmulatedGuild guild, string userId) =>
        _world.FindChannel(EmulatedGuild.Ids.General) is { } general && general.Guild == guild
            ? general
            : guild.Channels.Where(channel => channel.Type == 0).Select(channel => _world.FindChannel(channel.Id)!)
                .FirstOrDefault(channel => (_world.PermissionsIn(userId, channel) & DiscordPermission.ViewChannel) != 0)
              ?? throw new EmulatorRequestException($"No text channel in guild {guild.Id} that the user can see.");

    private void FillCommandData(EmulatedGuild guild, JsonObject data, ulong memberPermissions)
    {
        var name = data["name"]?.GetValue<string>() ?? throw new EmulatorRequestException("data.name is required for commands.");
        var registered = _world.FindCommand(guild.Id, name);
        data["id"] ??= registered?["id"]?.DeepClone() ?? _world.UnregisteredCommandId(name);
        data["type"] ??= registered?["type"]?.DeepClone() ?? 1;
        if (registered?["guild_id"] is { } commandGuild)
        {
            data["guild_id"] ??= commandGuild.DeepClone();
        }

        // Discord hides a command from members without its default_member_permissions ("0": administrators only).
        if (registered?["default_member_permissions"]?.GetValue<string>() is { } text && ulong.TryParse(text, CultureInfo.InvariantCulture, out var required))
        {
            var allowed = required == 0 ? memberPermissions == EmulatedGuild.AllPermissions : (memberPermissions & required) == required;
            if (!allowed)
            {
                throw new EmulatorRequestException($"/{name} needs permissions {required}; the member has {memberPermissions}, so Discord would not offer it.");
            }
        }
    }

    private JsonObject ComponentMessage(ChannelState channel, JsonObject data, string? messageId)
    {
        var customId = data["custom_id"]?.GetValue<string>() ?? throw new EmulatorRequestException("data.custom_id is required for components.");
        var message = channel.Messages.Where(candidate => !candidate.Deleted && (messageId is null || candidate.Id == messageId))
            .LastOrDefault(candidate => EmulatedMessages.CustomIds(candidate.Json["components"]).Any(component => component.CustomId == customId))
            ?? throw new EmulatorRequestException($"No message in channel {channel.Id} has a component with custom_id '{customId}'.");
        data["component_type"] ??= EmulatedMessages.CustomIds(message.Json["components"]).First(component => component.CustomId == customId).Type;
        return message.ToJson(_world.Bot.Id);
    }

    private InteractionState FindOpenModal(string userId, JsonObject data)
    {
        var customId = data["custom_id"]?.GetValue<string>() ?? throw new EmulatorRequestException("data.custom_id is required for modal submits.");
        data["components"] ??= new JsonArray();
        return _world.Interactions.Values
            .Where(interaction => interaction.CallbackType == 9 && interaction.User["id"]?.GetValue<string>() == userId && interaction.ModalCustomId == customId)
            .LastOrDefault()
            ?? throw new EmulatorRequestException($"No modal '{customId}' was opened for user {userId}.");
    }

    private Route[] CommandRoutes(string collection, Func<Call, string> scopeOf)
    {
        var single = collection + "/{command_id}";
        return
        [
            new("PUT", collection, true, call => WithCommandScope(call, scopeOf, scope => BulkOverwrite(call, scope))),
            new("GET", collection, true, call => WithCommandScope(call, scopeOf, scope => Reply.Ok(new JsonArray([.. _world.Commands(scope).Select(command => command.DeepClone())])))),
            new("POST", collection, true, call => WithCommandScope(call, scopeOf, scope => CreateCommand(call, scope))),
            new("GET", single, true, call => WithCommand(call, scopeOf, (_, command) => Reply.Ok(command.DeepClone()))),
            new("PATCH", single, true, call => WithCommand(call, scopeOf, (scope, command) => UpdateCommand(call, scope, command))),
            new("DELETE", single, true, call => WithCommand(call, scopeOf, (scope, command) =>
            {
                _world.Commands(scope).Remove(command);
                return Reply.NoContent;
            })),
        ];
    }

    private Reply WithCommandScope(Call call, Func<Call, string> scopeOf, Func<string, Reply> handle)
    {
        if (call["application_id"] != _options.ApplicationId)
        {
            return DiscordErrors.MissingAccess;
        }

        // An application can only manage commands of guilds it is in.
        return call.Values.TryGetValue("guild_id", out var guildId) && _world.FindGuild(guildId) is null ? DiscordErrors.MissingAccess : handle(scopeOf(call));
    }

    private Reply WithCommand(Call call, Func<Call, string> scopeOf, Func<string, JsonObject, Reply> handle) =>
        WithCommandScope(call, scopeOf, scope =>
            _world.Commands(scope).FirstOrDefault(command => command["id"]!.GetValue<string>() == call["command_id"]) is { } command
                ? handle(scope, command)
                : DiscordErrors.UnknownApplicationCommand);

    private Reply BulkOverwrite(Call call, string scope)
    {
        if (call.Body is not JsonArray requested)
        {
            return DiscordErrors.Error(400, 50035, "Invalid Form Body", new JsonObject { ["_errors"] = new JsonArray(new JsonObject { ["code"] = "BASE_TYPE_ARRAY", ["message"] = "Must be an array." }) });
        }

        var errors = new FormErrors();
        var commands = requested.Select((command, index) => (Index: index, Command: command as JsonObject ?? [])).ToList();
        foreach (var (index, command) in commands)
        {
            CheckCommand(command, index.ToString(CultureInfo.InvariantCulture) + ".", errors);
        }

        if (errors.Any)
        {
            return errors.ToReply();
        }

        var previous = _world.Commands(scope).ToList();
        var stored = commands.Select(entry =>
        {
            // Overwriting keeps the id of a command with the same name and type, as Discord does.
            var existing = previous.FirstOrDefault(command => SameCommand(command, entry.Command));
            return StoredCommand(scope, entry.Command, existing?["id"]!.GetValue<string>());
        }).ToList();
        _world.Commands(scope).Clear();
        _world.Commands(scope).AddRange(stored);
        return Reply.Ok(new JsonArray([.. stored.Select(command => command.DeepClone())]));
    }

    /// <summary>Creating a command whose name and type exist overwrites it (200); a new one is 201.</summary>
    private Reply CreateCommand(Call call, string scope)
    {
        var request = call.Object ?? [];
        var errors = new FormErrors();
        CheckCommand(request, string.Empty, errors);
        if (errors.Any)
        {
            return errors.ToReply();
        }

        var commands = _world.Commands(scope);
        var existing = commands.FirstOrDefault(command => SameCommand(command, request));
        var stored = StoredCommand(scope, request, existing?["id"]!.GetValue<string>());
        if (existing is not null)
        {
            commands[commands.IndexOf(existing)] = stored;
            return Reply.Ok(stored.DeepClone());
        }

        commands.Add(stored);
        return Reply.Created(stored.DeepClone());
    }

    private Reply UpdateCommand(Call call, string scope, JsonObject command)
    {
        var merged = (JsonObject)command.DeepClone();
        foreach (var (key, value) in call.Object ?? [])
        {
            merged[key] = value?.DeepClone();
        }

        var errors = new FormErrors();
        CheckCommand(merged, string.Empty, errors);
        if (errors.Any)
        {
            return errors.ToReply();
        }

        var stored = StoredCommand(scope, merged, command["id"]!.GetValue<string>());
        var commands = _world.Commands(scope);
        commands[commands.IndexOf(command)] = stored;
        return Reply.Ok(stored.DeepClone());
    }

    private static bool SameCommand(JsonObject a, JsonObject b) =>
        a["name"]?.GetValue<string>() == b["name"]?.GetValue<string>() && (a["type"]?.GetValue<int>() ?? 1) == (b["type"]?.GetValue<int>() ?? 1);

    private static void CheckCommand(JsonObject command, string prefix, FormErrors errors)
    {
        var type = command["type"]?.GetValue<int>() ?? 1;
        var name = command["name"]?.GetValue<string>();
        if (name is null)
        {
            errors.Required(prefix + "name");
        }
        else if (type == 1 && (!CommandName().IsMatch(name) || name != name.ToLowerInvariant()))
        {
            errors.Add(prefix + "name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid");
        }
        else if (name.Length is < 1 or > 32)
        {
            errors.OutOfRange(prefix + "name", 1, 32);
        }

        var description = command["description"]?.GetValue<string>();
        if (type == 1 && description is null)
        {
            errors.Required(prefix + "description");
        }
        else if (type == 1 && description!.Length is < 1 or > 100)
        {
            errors.OutOfRange(prefix + "description", 1, 100);
        }
    }

    /// <summary>A command as Discord returns it: id, application_id, a new version, description and default_member_permissions as strings.</summary>
    private JsonObject StoredCommand(string scope, JsonObject request, string? existingId)
    {
        var command = (JsonObject)request.DeepClone();
        command["id"] = existingId ?? _world.Snowflakes.Next();
        command["application_id"] = _options.ApplicationId;
        command["version"] = _world.Snowflakes.Next();
        command["type"] = request["type"]?.GetValue<int>() ?? 1;
        command["description"] ??= string.Empty;
        command["default_member_permissions"] = request["default_member_permissions"] is JsonValue permissions
            ? permissions.ToString()
            : null;
        command["nsfw"] ??= false;
        if (scope.StartsWith("guild:", StringComparison.Ordinal))
        {
            command["guild_id"] = scope["guild:".Length..];
        }

        return command;
    }

    private Reply InteractionCallback(Call call)
    {
        if (!_world.Interactions.TryGetValue(call["interaction_id"], out var interaction) || interaction.Token != call["interaction_token"])
        {
            return DiscordErrors.UnknownInteraction;
        }

        if (interaction.CallbackType is not null)
        {
            return DiscordErrors.AlreadyAcknowledged;
        }

        var now = _options.TimeProvider.GetTimestamp();
        var dispatchedAt = _gateway.DispatchedAt(interaction.Id) ?? now;
        var latency = _options.TimeProvider.GetElapsedTime(dispatchedAt, now);
        if (latency > _options.InteractionResponseDeadline)
        {
            return DiscordErrors.UnknownInteraction;
        }

        if (call.Object?["type"]?.GetValue<int>() is not { } type)
        {
            return new FormErrors().Required("type").ToReply();
        }

        var allowed = CallbacksByInteractionType[interaction.Type];
        if (!allowed.Contains(type))
        {
            return new FormErrors().Add("type", "BASE_TYPE_CHOICES", $"Value must be one of {{{string.Join(", ", allowed)}}}.").ToReply();
        }

        var data = call.Object["data"] as JsonObject ?? [];
        if (type is 4 or 7 && EmulatedMessages.Check(data, "data.") is { } errors)
        {
            return errors.ToReply();
        }

        if (type == 4 && !EmulatedMessages.HasContent(data))
        {
            return DiscordErrors.EmptyMessage;
        }

        var channel = _world.FindChannel(interaction.ChannelId!)!;
        StoredMessage? message = null;
        switch (type)
        {
            case 4:
                message = StoreInteractionMessage(interaction, channel, data, CommandMessageType(interaction), 0);
                interaction.OriginalMessageId = message.Id;
                break;
            case 5:
                message = StoreInteractionMessage(interaction, channel, new JsonObject { ["flags"] = (data["flags"]?.GetValue<int>() ?? 0) & MessageFlags.Ephemeral }, CommandMessageType(interaction), MessageFlags.Loading);
                interaction.OriginalMessageId = message.Id;
                break;
            case 6 or 7:
                interaction.OriginalMessageId = interaction.ComponentMessageId;
                message = _world.FindMessage(interaction.ComponentMessageId ?? string.Empty);
                if (type == 7 && message is not null)
                {
                    EmulatedMessages.Edit(_world, channel, message, data);
                }

                break;
            case 9:
                interaction.ModalCustomId = data["custom_id"]?.GetValue<string>();
                break;
        }

        interaction.CallbackType = type;
        interaction.Responses.Add(ResponseEntry("callback", message, new JsonObject { ["callback_type"] = type, ["data"] = data.DeepClone() }));
        InteractionResponses.Add(new InteractionResponseRecord(interaction.Id, type, call.Object["data"]?.DeepClone(), dispatchedAt, now, latency));
        if (call.Query["with_response"] != "true")
        {
            return Reply.NoContent;
        }

        var callbackResponse = new JsonObject
        {
            ["interaction"] = new JsonObject
            {
                ["id"] = interaction.Id,
                ["type"] = interaction.Type,
                ["response_message_id"] = message?.Id,
                ["response_message_loading"] = message is not null ? (message.Flags & MessageFlags.Loading) != 0 : null,
                ["response_message_ephemeral"] = message?.Ephemeral,
                ["channel_id"] = channel.Id,
                ["guild_id"] = interaction.GuildId,
            },
        };
        foreach (var key in new[] { "response_message_id", "response_message_loading", "response_message_ephemeral" }.Where(key => callbackResponse["interaction"]![key] is null))
        {
            callbackResponse["interaction"]!.AsObject().Remove(key);
        }

        if (type is 4 or 7 && message is not null)
        {
            callbackResponse["resource"] = new JsonObject { ["type"] = type, ["message"] = message.ToJson(_world.Bot.Id) };
        }

        return Reply.Ok(callbackResponse);
    }

    /// <summary>Chat-input command replies are type 20, context-menu replies 23; component and modal replies are default messages.</summary>
    private static int CommandMessageType(InteractionState interaction) =>
        interaction.Type == 2 ? (interaction.Payload["data"]?["type"]?.GetValue<int>() ?? 1) == 1 ? 20 : 23 : 0;

    private StoredMessage StoreInteractionMessage(InteractionState interaction, ChannelState channel, JsonObject body, int type, int extraFlags)
    {
        var json = EmulatedMessages.Create(_world, channel, _world.Bot, body, type, extraFlags);
        json["application_id"] = _options.ApplicationId;
        json["webhook_id"] = _options.ApplicationId;
        json["interaction_metadata"] = InteractionMetadata(interaction);
        if (interaction.Type == 2)
        {
            json["interaction"] = new JsonObject
            {
                ["id"] = interaction.Id,
                ["type"] = interaction.Type,
                ["name"] = interaction.Payload["data"]?["name"]?.GetValue<string>(),
                ["user"] = interaction.User.DeepClone(),
            };
        }

        var message = new StoredMessage(json) { InteractionId = interaction.Id };
        channel.Messages.Add(message);
        channel.TotalMessagesSent++;
        return message;
    }

    /// <summary>Who triggered the message and how: the shape depends on the interaction type (spec: *InteractionMetadataResponse).</summary>
    private JsonObject InteractionMetadata(InteractionState interaction)
    {
        var metadata = new JsonObject
        {
            ["id"] = interaction.Id,
            ["type"] = interaction.Type,
            ["user"] = interaction.User.DeepClone(),
            ["authorizing_integration_owners"] = interaction.Payload["authorizing_integration_owners"]?.DeepClone() ?? new JsonObject(),
        };
        if (interaction.OriginalMessageId is { } original)
        {
            metadata["original_response_message_id"] = original;
        }

        var target = interaction.Payload["data"]?["target_id"]?.GetValue<string>();
        if (interaction.Type == 2 && target is not null)
        {
            if (interaction.Payload["data"]?["type"]?.GetValue<int>() == 2)
            {
                metadata["target_user"] = _world.FindUser(target) is { } user ? DiscordObjects.User(user) : null;
            }
            else
            {
                metadata["target_message_id"] = target;
            }
        }
        else if (interaction.Type == 3)
        {
            metadata["interacted_message_id"] = interaction.ComponentMessageId;
        }
        else if (interaction.Type == 5 && interaction.TriggeringInteractionId is { } triggering && _world.Interactions.TryGetValue(triggering, out var opener))
        {
            metadata["triggering_interaction_metadata"] = InteractionMetadata(opener);
        }

        return metadata;
    }

    private Reply CreateFollowUp(Call call)
    {
        var found = FindWebhookInteraction(call);
        if (found.Interaction is not { } interaction)
        {
            return found.Error!;
        }

        if (interaction.CallbackType is null)
        {
            return DiscordErrors.UnknownWebhook;
        }

        var body = call.Object ?? [];
        if (EmulatedMessages.Check(body) is { } errors)
        {
            return errors.ToReply();
        }

        if (!EmulatedMessages.HasContent(body))
        {
            return DiscordErrors.EmptyMessage;
        }

        var message = StoreInteractionMessage(interaction, _world.FindChannel(interaction.ChannelId!)!, body, 0, 0);
        interaction.Responses.Add(ResponseEntry("follow_up", message, []));
        return Reply.Ok(message.ToJson(_world.Bot.Id));
    }

    private Reply WebhookMessage(Call call, string messageId, WebhookAction action)
    {
        var found = FindWebhookInteraction(call);
        if (found.Interaction is not { } interaction)
        {
            return found.Error!;
        }

        var id = messageId == "@original" ? interaction.OriginalMessageId : messageId;
        var message = id is null ? null : _world.FindMessage(id);
        if (message is null || (message.InteractionId != interaction.Id && message.Id != interaction.ComponentMessageId))
        {
            return DiscordErrors.UnknownMessage;
        }

        switch (action)
        {
            case WebhookAction.Edit:
                var patch = call.Object ?? [];
                if (EmulatedMessages.Check(patch) is { } errors)
                {
                    return errors.ToReply();
                }

                EmulatedMessages.Edit(_world, _world.FindChannel(message.ChannelId)!, message, patch);
                interaction.Responses.Add(ResponseEntry("edit", message, new JsonObject { ["target"] = messageId }));
                break;
            case WebhookAction.Delete:
                message.Deleted = true;
                interaction.Responses.Add(ResponseEntry("delete", null, new JsonObject { ["target"] = messageId, ["message_id"] = message.Id }));
                return Reply.NoContent;
        }

        return Reply.Ok(message.ToJson(_world.Bot.Id));
    }

    private JsonObject ResponseEntry(string kind, StoredMessage? message, JsonObject details)
    {
        var entry = new JsonObject { ["kind"] = kind, ["at"] = _world.Timestamp() };
        foreach (var (key, value) in details)
        {
            entry[key] = value?.DeepClone();
        }

        if (message is not null)
        {
            entry["message"] = message.ToJson(_world.Bot.Id);
        }

        return entry;
    }

    /// <summary>The interaction whose token this webhook route uses, while the token is valid (15 minutes from dispatch).</summary>
    private WebhookLookup FindWebhookInteraction(Call call)
    {
        if (call["webhook_id"] != _options.ApplicationId)
        {
            return new WebhookLookup(null, DiscordErrors.UnknownWebhook);
        }

        var interaction = _world.Interactions.Values.FirstOrDefault(candidate => candidate.Token == call["webhook_token"]);
        var now = _options.TimeProvider.GetTimestamp();
        if (interaction is null || _options.TimeProvider.GetElapsedTime(_gateway.DispatchedAt(interaction.Id) ?? now, now) > InteractionTokenLifetime)
        {
            return new WebhookLookup(null, DiscordErrors.InvalidWebhookToken);
        }

        return new WebhookLookup(interaction, null);
    }

    [GeneratedRegex(@"^[-_'\p{L}\p{N}\p{IsDevanagari}\p{IsThai}]{1,32}$")]
    private static partial Regex CommandName();

    private sealed record WebhookLookup(InteractionState? Interaction, Reply? Error);
}

/// <summary>A control request the emulator cannot honour because Discord could not produce such an event.</summary>
public sealed class EmulatorRequestException(string message) : InvalidOperationException(message);
