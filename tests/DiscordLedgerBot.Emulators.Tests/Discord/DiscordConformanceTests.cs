using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord;

namespace DiscordLedgerBot.Emulators.Tests.Discord;

/// <summary>
/// The emulator driven the way ordinary bots drive Discord (raw REST and gateway, no client of ours), with every request,
/// response and dispatch validated against Discord's OpenAPI spec and the gateway facts. One test per finding of issue
/// 11 pins the behaviour that a widely used client library tripped over.
/// </summary>
public sealed class DiscordConformanceTests
{
    private static readonly string General = EmulatedGuild.Ids.General;

    private static JsonObject Button(string customId, string label = "Approve") => new()
    {
        ["content"] = "Ship v2 is ready <@" + EmulatedGuild.Ids.Member + ">",
        ["embeds"] = new JsonArray(new JsonObject { ["title"] = "Ship v2", ["fields"] = new JsonArray(new JsonObject { ["name"] = "Status", ["value"] = "Done" }) }),
        ["components"] = new JsonArray(new JsonObject
        {
            ["type"] = 1,
            ["components"] = new JsonArray(new JsonObject { ["type"] = 2, ["style"] = 3, ["custom_id"] = customId, ["label"] = label }),
        }),
    };

    [Fact]
    public async Task An_ordinary_bot_session_gets_only_spec_valid_responses_and_dispatches()
    {
        await using var bot = await RawBot.StartAsync();
        var app = bot.Emulator.Options.ApplicationId;
        var guild = bot.GuildId;

        await bot.OkAsync(HttpMethod.Get, "gateway/bot");
        await bot.OkAsync(HttpMethod.Get, "users/@me");
        await bot.OkAsync(HttpMethod.Get, "users/@me/guilds");
        await bot.OkAsync(HttpMethod.Get, $"guilds/{guild}");
        await bot.OkAsync(HttpMethod.Get, $"guilds/{guild}/channels");
        await bot.OkAsync(HttpMethod.Get, $"guilds/{guild}/roles");
        await bot.OkAsync(HttpMethod.Get, $"guilds/{guild}/members/{EmulatedGuild.Ids.Member}");
        await bot.OkAsync(HttpMethod.Get, $"channels/{General}");
        await bot.OkAsync(HttpMethod.Put, $"applications/{app}/guilds/{guild}/commands", JsonNode.Parse("""[{"name":"ledger","description":"Ledger","options":[{"type":3,"name":"title","description":"Title","autocomplete":true}]}]"""));
        var created = await bot.OkAsync(HttpMethod.Post, $"applications/{app}/commands", JsonNode.Parse("""{"name":"ping","description":"Ping","default_member_permissions":"0"}"""));
        var command = $"applications/{app}/commands/{created["id"]}";
        await bot.OkAsync(HttpMethod.Get, command);
        await bot.OkAsync(HttpMethod.Patch, command, JsonNode.Parse("""{"description":"Pong back"}"""));
        await bot.OkAsync(HttpMethod.Get, $"applications/{app}/commands");
        await bot.SendAsync(HttpMethod.Delete, command);

        var posted = await bot.OkAsync(HttpMethod.Post, $"channels/{General}/messages", Button("approve:1"));
        var message = $"channels/{General}/messages/{posted["id"]}";
        await bot.OkAsync(HttpMethod.Get, message);
        await bot.OkAsync(HttpMethod.Patch, message, JsonNode.Parse("""{"content":"Ship v2 shipped"}"""));
        await bot.SendAsync(HttpMethod.Put, message + "/reactions/%E2%9C%85/@me");
        await bot.OkAsync(HttpMethod.Get, message + "/reactions/%E2%9C%85");
        await bot.OkAsync(HttpMethod.Get, $"channels/{General}/messages?limit=10");
        var thread = await bot.OkAsync(HttpMethod.Post, message + "/threads", JsonNode.Parse("""{"name":"Ship v2 discussion"}"""));
        await bot.OkAsync(HttpMethod.Post, $"channels/{thread["id"]}/messages", JsonNode.Parse("""{"content":"In the thread"}"""));
        await bot.OkAsync(HttpMethod.Patch, $"channels/{thread["id"]}", JsonNode.Parse("""{"archived":true}"""));
        await bot.OkAsync(HttpMethod.Get, $"channels/{thread["id"]}");
        var dm = await bot.OkAsync(HttpMethod.Post, "users/@me/channels", new JsonObject { ["recipient_id"] = EmulatedGuild.Ids.Member });
        await bot.OkAsync(HttpMethod.Post, $"channels/{dm["id"]}/messages", JsonNode.Parse("""{"content":"Hi Linus"}"""));

        var slash = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger"));
        await bot.OkAsync(HttpMethod.Post, $"interactions/{slash["id"]}/{slash["token"]}/callback?with_response=true", new JsonObject { ["type"] = 4, ["data"] = Button("done:2") });
        var webhook = $"webhooks/{app}/{slash["token"]}";
        await bot.OkAsync(HttpMethod.Post, webhook, JsonNode.Parse("""{"content":"Only you see this","flags":64}"""));
        await bot.OkAsync(HttpMethod.Get, webhook + "/messages/@original");
        await bot.OkAsync(HttpMethod.Patch, webhook + "/messages/@original", JsonNode.Parse("""{"content":"Edited"}"""));
        var press = await bot.InjectAsync(EmulatedInteractions.ComponentInteraction("done:2"));
        await bot.SendAsync(HttpMethod.Post, $"interactions/{press["id"]}/{press["token"]}/callback", JsonNode.Parse("""{"type":7,"data":{"content":"Done","components":[]}}"""));
        var typing = await bot.InjectAsync(EmulatedInteractions.Autocomplete("ledger", "title", "Sh"));
        await bot.SendAsync(HttpMethod.Post, $"interactions/{typing["id"]}/{typing["token"]}/callback", JsonNode.Parse("""{"type":8,"data":{"choices":[{"name":"Ship v2","value":"ship"}]}}"""));
        var deferred = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger"));
        await bot.OkAsync(HttpMethod.Post, $"interactions/{deferred["id"]}/{deferred["token"]}/callback?with_response=true", JsonNode.Parse("""{"type":5,"data":{"flags":64}}"""));
        await bot.OkAsync(HttpMethod.Patch, $"webhooks/{app}/{deferred["token"]}/messages/@original", JsonNode.Parse("""{"content":"Synchronised"}"""));

        await bot.SendAsync(HttpMethod.Get, "channels/1/messages");
        await bot.SendAsync(HttpMethod.Get, $"channels/{EmulatedGuild.Ids.ModeratorsOnly}");
        await bot.SendAsync(HttpMethod.Get, $"channels/{General}/messages/1");
        await bot.SendAsync(HttpMethod.Post, $"channels/{General}/messages", new JsonObject { ["content"] = new string('x', 2001) });
        await bot.SendAsync(HttpMethod.Get, $"applications/{app}/commands/1");

        bot.AssertConforms();
        var answered = bot.Emulator.RestRequests.Snapshot().Select(request => request.StatusCode).ToHashSet();
        Assert.Superset(new HashSet<int> { 200, 201, 204, 400, 403, 404 }, answered);
        var dispatched = bot.Dispatches.Snapshot().Select(frame => frame["t"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "READY", "GUILD_CREATE", "INTERACTION_CREATE", "THREAD_CREATE", "THREAD_UPDATE" }, dispatched);
    }

    [Fact]
    public async Task Finding_1_interaction_replies_carry_full_interaction_metadata()
    {
        await using var bot = await RawBot.StartAsync();
        var slash = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger"));
        await bot.SendAsync(HttpMethod.Post, $"interactions/{slash["id"]}/{slash["token"]}/callback", JsonNode.Parse("""{"type":4,"data":{"content":"Done"}}"""));

        var original = await bot.OkAsync(HttpMethod.Get, $"webhooks/{bot.Emulator.Options.ApplicationId}/{slash["token"]}/messages/@original");

        var metadata = original["interaction_metadata"]!;
        Assert.Equal(EmulatedInteractions.DefaultUserId, metadata["user"]!["id"]!.GetValue<string>());
        Assert.Equal(bot.GuildId, metadata["authorizing_integration_owners"]!["0"]!.GetValue<string>());
        Assert.Equal(20, original["type"]!.GetValue<int>());
        Assert.Empty(RawBot.Validator.ValidateSchema("MessageResponse", original));
    }

    [Fact]
    public async Task Finding_2_component_interactions_carry_the_message_the_component_is_on()
    {
        await using var bot = await RawBot.StartAsync();
        var posted = await bot.OkAsync(HttpMethod.Post, $"channels/{General}/messages", Button("approve:7"));

        var press = await bot.InjectAsync(EmulatedInteractions.ComponentInteraction("approve:7"));

        Assert.Equal(posted["id"]!.GetValue<string>(), press["message"]!["id"]!.GetValue<string>());
        Assert.Equal(2, press["data"]!["component_type"]!.GetValue<int>());
        Assert.Empty(RawBot.Validator.ValidateDispatch("INTERACTION_CREATE", press));
        var pressWithoutMessage = (JsonObject)press.DeepClone();
        pressWithoutMessage.Remove("message");
        Assert.NotEmpty(RawBot.Validator.ValidateDispatch("INTERACTION_CREATE", pressWithoutMessage));
    }

    [Fact]
    public async Task Finding_3_with_response_answers_the_interaction_callback_response()
    {
        await using var bot = await RawBot.StartAsync();
        var slash = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger"));

        var (status, body) = await bot.SendAsync(HttpMethod.Post, $"interactions/{slash["id"]}/{slash["token"]}/callback?with_response=true", JsonNode.Parse("""{"type":4,"data":{"content":"Hi"}}"""));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(slash["id"]!.GetValue<string>(), body!["interaction"]!["id"]!.GetValue<string>());
        Assert.Equal("Hi", body["resource"]!["message"]!["content"]!.GetValue<string>());
        Assert.Empty(RawBot.Validator.ValidateResponse(HttpMethod.Post, "/interactions/1/t/callback", 200, body));
    }

    [Fact]
    public async Task Finding_4_the_routes_bots_use_exist_with_discords_status_codes()
    {
        await using var bot = await RawBot.StartAsync();
        var app = bot.Emulator.Options.ApplicationId;
        var posted = await bot.OkAsync(HttpMethod.Post, $"channels/{General}/messages", JsonNode.Parse("""{"content":"React to me"}"""));

        var channel = await bot.SendAsync(HttpMethod.Get, $"channels/{General}");
        var created = await bot.SendAsync(HttpMethod.Post, $"applications/{app}/commands", JsonNode.Parse("""{"name":"ping","description":"Ping"}"""));
        var fetched = await bot.SendAsync(HttpMethod.Get, $"applications/{app}/commands/{created.Body!["id"]}");
        var reacted = await bot.SendAsync(HttpMethod.Put, $"channels/{General}/messages/{posted["id"]}/reactions/%F0%9F%91%8D/@me");
        var reactors = await bot.OkAsync(HttpMethod.Get, $"channels/{General}/messages/{posted["id"]}/reactions/%F0%9F%91%8D");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.NoContent), (channel.Status, created.Status, fetched.Status, reacted.Status));
        Assert.Equal(bot.Emulator.Options.BotUserId, reactors[0]!["id"]!.GetValue<string>());
        bot.AssertConforms();
    }

    [Fact]
    public async Task Finding_5_guild_create_lists_the_guilds_channels()
    {
        await using var bot = await RawBot.StartAsync();

        var guild = (await bot.DispatchAsync("GUILD_CREATE"))["d"]!;

        var channels = guild["channels"]!.AsArray().Select(channel => (Id: channel!["id"]!.GetValue<string>(), Type: channel["type"]!.GetValue<int>())).ToList();
        Assert.Contains((General, 0), channels);
        Assert.Contains((EmulatedGuild.Ids.Voice, 2), channels);
        Assert.Equal(5, guild["members"]!.AsArray().Count);
        Assert.Empty(RawBot.Validator.ValidateDispatch("GUILD_CREATE", guild));
    }

    [Fact]
    public async Task Finding_6_listing_messages_honours_limit_before_after_around_and_hides_ephemeral_ones()
    {
        await using var bot = await RawBot.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await bot.OkAsync(HttpMethod.Post, $"channels/{General}/messages", new JsonObject { ["content"] = "m" + i }))["id"]!.GetValue<string>());
        }

        var slash = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger"));
        await bot.SendAsync(HttpMethod.Post, $"interactions/{slash["id"]}/{slash["token"]}/callback", JsonNode.Parse("""{"type":4,"data":{"content":"secret","flags":64}}"""));
        async Task<List<string>> Page(string query) =>
            [.. (await bot.OkAsync(HttpMethod.Get, $"channels/{General}/messages?{query}")).AsArray().Select(message => message!["content"]!.GetValue<string>())];

        Assert.Equal(["m6", "m5", "m4", "m3", "m2", "m1", "m0"], await Page("limit=50"));
        Assert.Equal(["m6", "m5"], await Page("limit=2"));
        Assert.Equal(["m2", "m1", "m0"], await Page($"before={ids[3]}"));
        Assert.Equal(["m5", "m4"], await Page($"after={ids[3]}&limit=2"));
        Assert.Equal(["m4", "m3", "m2"], await Page($"around={ids[3]}&limit=3"));
        var tooMany = await bot.SendAsync(HttpMethod.Get, $"channels/{General}/messages?limit=101");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        Assert.Equal(50035, tooMany.Body!["code"]!.GetValue<int>());
        Assert.NotNull(tooMany.Body["errors"]!["limit"]!["_errors"]);
        Assert.Equal(HttpStatusCode.NotFound, (await bot.SendAsync(HttpMethod.Get, $"channels/{General}/messages/{bot.Emulator.MessagesIn(General)[^1].Id}")).Status);
    }

    [Fact]
    public async Task Finding_7_snowflakes_come_from_the_clock_are_unique_and_miss_the_fixed_ids()
    {
        await using var bot = await RawBot.StartAsync();
        var posted = await bot.OkAsync(HttpMethod.Post, $"channels/{General}/messages", JsonNode.Parse("""{"content":"when?"}"""));
        var slash = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger"));
        var generated = Enumerable.Range(0, 5000).Select(_ => bot.Emulator.Snowflakes.Next()).Append(posted["id"]!.GetValue<string>()).Append(slash["id"]!.GetValue<string>()).ToList();

        var id = ulong.Parse(posted["id"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var stamped = DateTimeOffset.Parse(posted["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.InRange((SnowflakeGenerator.TimestampOf(id) - stamped).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(generated.Count, generated.Distinct(StringComparer.Ordinal).Count());
        Assert.All(generated, snowflake => Assert.Equal(SnowflakeGenerator.GeneratedWorker, SnowflakeGenerator.WorkerOf(ulong.Parse(snowflake, CultureInfo.InvariantCulture))));
        string[] fixedIds = [bot.Emulator.Options.ApplicationId, bot.GuildId, General, EmulatedInteractions.DefaultUserId, .. bot.Emulator.Guilds[0].Roles.Select(role => role.Id)];
        Assert.All(fixedIds, snowflake => Assert.Equal(SnowflakeGenerator.FixtureWorker, SnowflakeGenerator.WorkerOf(ulong.Parse(snowflake, CultureInfo.InvariantCulture))));
        Assert.Empty(generated.Intersect(fixedIds));
    }

    [Fact]
    public async Task Finding_8_messages_have_every_field_edits_store_only_message_fields_and_deferred_edits_clear_loading()
    {
        await using var bot = await RawBot.StartAsync();
        var app = bot.Emulator.Options.ApplicationId;
        var posted = await bot.OkAsync(HttpMethod.Post, $"channels/{General}/messages", JsonNode.Parse($$"""{"content":"Hi <@{{EmulatedGuild.Ids.Member}}> <@&{{EmulatedGuild.Ids.MembersRole}}>","nonce":"n-1","enforce_nonce":true}"""));
        var edited = await bot.OkAsync(HttpMethod.Patch, $"channels/{General}/messages/{posted["id"]}", JsonNode.Parse("""{"content":"Hi again","enforce_nonce":true,"allowed_mentions":{"parse":[]}}"""));
        var deferred = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger"));
        await bot.SendAsync(HttpMethod.Post, $"interactions/{deferred["id"]}/{deferred["token"]}/callback", JsonNode.Parse("""{"type":5,"data":{"flags":64}}"""));
        var loading = await bot.OkAsync(HttpMethod.Get, $"webhooks/{app}/{deferred["token"]}/messages/@original");
        var completed = await bot.OkAsync(HttpMethod.Patch, $"webhooks/{app}/{deferred["token"]}/messages/@original", JsonNode.Parse("""{"content":"Done"}"""));

        foreach (var field in new[] { "mentions", "mention_roles", "mention_everyone", "attachments", "pinned", "tts", "flags", "edited_timestamp" })
        {
            Assert.True(posted.AsObject().ContainsKey(field), field);
        }

        Assert.Equal(EmulatedGuild.Ids.Member, posted["mentions"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(EmulatedGuild.Ids.MembersRole, posted["mention_roles"]![0]!.GetValue<string>());
        Assert.True(posted["author"]!.AsObject().ContainsKey("global_name") && posted["author"]!.AsObject().ContainsKey("avatar"));
        Assert.False(edited.AsObject().ContainsKey("enforce_nonce"));
        Assert.False(edited.AsObject().ContainsKey("nonce"));
        Assert.Empty(edited["mentions"]!.AsArray());
        Assert.NotNull(edited["edited_timestamp"]);
        Assert.Equal(64 | 128, loading["flags"]!.GetValue<int>());
        Assert.Equal(64, completed["flags"]!.GetValue<int>());
        bot.AssertConforms();
    }

    [Fact]
    public async Task Member_permissions_in_interactions_come_from_roles_and_overwrites()
    {
        await using var bot = await RawBot.StartAsync();

        var member = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger", channelId: EmulatedGuild.Ids.Ledger));
        var moderator = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger", channelId: EmulatedGuild.Ids.ModeratorsOnly, userId: EmulatedGuild.Ids.Moderator));
        var visitor = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger", userId: EmulatedGuild.Ids.Visitor));
        using var hidden = await bot.Http.PostAsync(
            new Uri(bot.Emulator.BaseUrl, "/__emulator/interactions"),
            new StringContent(EmulatedInteractions.SlashCommand("ledger", channelId: EmulatedGuild.Ids.ModeratorsOnly).ToJsonString()));

        static ulong Permissions(JsonObject interaction) => ulong.Parse(interaction["member"]!["permissions"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.Equal(0UL, Permissions(member) & DiscordPermission.SendMessages);
        Assert.NotEqual(0UL, Permissions(member) & DiscordPermission.UseApplicationCommands);
        Assert.NotEqual(0UL, Permissions(moderator) & DiscordPermission.ManageMessages);
        Assert.Equal(DiscordPermission.ViewChannel | DiscordPermission.ReadMessageHistory, Permissions(visitor));
        Assert.Equal(0UL, ulong.Parse(member["app_permissions"]!.GetValue<string>(), CultureInfo.InvariantCulture) & DiscordPermission.ManageMessages);
        Assert.Equal(HttpStatusCode.BadRequest, hidden.StatusCode);
        bot.AssertConforms();
    }

    [Fact]
    public async Task Bad_input_gets_discords_error_bodies()
    {
        await using var bot = await RawBot.StartAsync();

        var unknownChannel = await bot.SendAsync(HttpMethod.Get, "channels/1");
        var missingAccess = await bot.SendAsync(HttpMethod.Post, $"channels/{EmulatedGuild.Ids.ModeratorsOnly}/messages", JsonNode.Parse("""{"content":"x"}"""));
        var unknownMessage = await bot.SendAsync(HttpMethod.Patch, $"channels/{General}/messages/1", JsonNode.Parse("""{"content":"x"}"""));
        var invalid = await bot.SendAsync(HttpMethod.Post, $"channels/{General}/messages", new JsonObject { ["content"] = new string('x', 2001) });
        var noThreadName = await bot.SendAsync(HttpMethod.Post, $"channels/{General}/threads", new JsonObject());

        Assert.Equal((HttpStatusCode.NotFound, 10003), (unknownChannel.Status, unknownChannel.Body!["code"]!.GetValue<int>()));
        Assert.Equal((HttpStatusCode.Forbidden, 50001), (missingAccess.Status, missingAccess.Body!["code"]!.GetValue<int>()));
        Assert.Equal((HttpStatusCode.NotFound, 10008), (unknownMessage.Status, unknownMessage.Body!["code"]!.GetValue<int>()));
        Assert.Equal(50035, invalid.Body!["code"]!.GetValue<int>());
        Assert.Equal("BASE_TYPE_MAX_LENGTH", invalid.Body["errors"]!["content"]!["_errors"]![0]!["code"]!.GetValue<string>());
        Assert.Equal("BASE_TYPE_REQUIRED", noThreadName.Body!["errors"]!["name"]!["_errors"]![0]!["code"]!.GetValue<string>());
        bot.AssertConforms(includeRequests: false);
    }

    [Fact]
    public async Task Control_api_lists_an_interactions_responses_in_order_as_stored()
    {
        await using var bot = await RawBot.StartAsync();
        var app = bot.Emulator.Options.ApplicationId;
        var slash = await bot.InjectAsync(EmulatedInteractions.SlashCommand("ledger"));
        await bot.SendAsync(HttpMethod.Post, $"interactions/{slash["id"]}/{slash["token"]}/callback", JsonNode.Parse("""{"type":5}"""));
        await bot.SendAsync(HttpMethod.Patch, $"webhooks/{app}/{slash["token"]}/messages/@original", JsonNode.Parse("""{"content":"Working"}"""));
        var followUp = await bot.OkAsync(HttpMethod.Post, $"webhooks/{app}/{slash["token"]}", JsonNode.Parse("""{"content":"Step 2","flags":64}"""));
        await bot.SendAsync(HttpMethod.Patch, $"webhooks/{app}/{slash["token"]}/messages/{followUp["id"]}", JsonNode.Parse("""{"content":"Step 2 done"}"""));

        var responses = JsonNode.Parse(await bot.Http.GetStringAsync(new Uri(bot.Emulator.BaseUrl, $"/__emulator/interactions/{slash["id"]}/responses")))!.AsArray();
        var listed = await bot.OkAsync(HttpMethod.Get, $"channels/{General}/messages");

        Assert.Equal(["callback", "edit", "follow_up", "edit"], responses.Select(entry => entry!["kind"]!.GetValue<string>()));
        Assert.Equal(128, responses[0]!["message"]!["flags"]!.GetValue<int>());
        Assert.Equal("Working", responses[1]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal(0, responses[1]!["message"]!["flags"]!.GetValue<int>());
        Assert.Equal("Step 2 done", responses[3]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal(["Working"], listed.AsArray().Select(message => message!["content"]!.GetValue<string>()));
        using var unknown = await bot.Http.GetAsync(new Uri(bot.Emulator.BaseUrl, "/__emulator/interactions/1/responses"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
