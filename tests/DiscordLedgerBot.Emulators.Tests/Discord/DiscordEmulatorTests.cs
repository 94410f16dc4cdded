using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Emulators.Tests.Discord;

/// <summary>The emulator spoken to with raw sockets and HTTP, the way Discord would be.</summary>
public sealed class DiscordEmulatorTests
{
    [Fact]
    public async Task Gateway_says_hello_acknowledges_heartbeats_and_answers_identify_with_ready_and_guilds()
    {
        await using var emulator = await DiscordEmulator.StartAsync(new DiscordEmulatorOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(45_000) });
        using var socket = await ConnectAsync(emulator);

        var hello = await ReceiveAsync(socket);
        await SendAsync(socket, new JsonObject { ["op"] = 1, ["d"] = null });
        var ack = await ReceiveAsync(socket);
        await SendAsync(socket, Identify(emulator.Options.BotToken, 129));
        var ready = await ReceiveAsync(socket);
        var guild = await ReceiveAsync(socket);

        Assert.Equal(45_000, hello["d"]!["heartbeat_interval"]!.GetValue<int>());
        Assert.Equal(11, ack["op"]!.GetValue<int>());
        Assert.Equal("READY", ready["t"]!.GetValue<string>());
        Assert.Equal(1, ready["s"]!.GetValue<long>());
        Assert.Equal(emulator.CurrentSessionId, ready["d"]!["session_id"]!.GetValue<string>());
        Assert.EndsWith("/gateway-resume", ready["d"]!["resume_gateway_url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("GUILD_CREATE", guild["t"]!.GetValue<string>());
    }

    [Fact]
    public async Task Resume_replays_missed_dispatches_in_order_then_resumed()
    {
        await using var emulator = await DiscordEmulator.StartAsync();
        string sessionId;
        using (var first = await ConnectAsync(emulator))
        {
            await ReceiveAsync(first);
            await SendAsync(first, Identify(emulator.Options.BotToken, 129));
            sessionId = (await ReceiveAsync(first))["d"]!["session_id"]!.GetValue<string>();
            await ReceiveAsync(first);
            await first.CloseAsync((WebSocketCloseStatus)4000, "going", CancellationToken.None);
        }

        await emulator.GatewayClosures.WaitForAsync(c => c.ConnectionId == 1);
        await emulator.DispatchAsync("TEST_EVENT", new JsonObject { ["n"] = 1 });
        await emulator.DispatchAsync("TEST_EVENT", new JsonObject { ["n"] = 2 });
        using var second = await ConnectAsync(emulator, "/gateway-resume");
        await ReceiveAsync(second);
        await SendAsync(second, new JsonObject { ["op"] = 6, ["d"] = new JsonObject { ["token"] = emulator.Options.BotToken, ["session_id"] = sessionId, ["seq"] = 2 } });

        var replayed = new[] { await ReceiveAsync(second), await ReceiveAsync(second), await ReceiveAsync(second) };
        Assert.Equal(["TEST_EVENT", "TEST_EVENT", "RESUMED"], replayed.Select(f => f["t"]!.GetValue<string>()));
        Assert.Equal([3L, 4L, 5L], replayed.Select(f => f["s"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Resume_of_an_unknown_session_gets_invalid_session()
    {
        await using var emulator = await DiscordEmulator.StartAsync();
        using var socket = await ConnectAsync(emulator);
        await ReceiveAsync(socket);

        await SendAsync(socket, new JsonObject { ["op"] = 6, ["d"] = new JsonObject { ["token"] = emulator.Options.BotToken, ["session_id"] = "nope", ["seq"] = 1 } });
        var invalid = await ReceiveAsync(socket);

        Assert.Equal(9, invalid["op"]!.GetValue<int>());
        Assert.False(invalid["d"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("wrong-token", 129, 4004)]
    [InlineData(null, 129 | (1 << 15), 4014)]
    public async Task Identify_is_refused_with_the_matching_close_code(string? token, int intents, int expectedClose)
    {
        await using var emulator = await DiscordEmulator.StartAsync(new DiscordEmulatorOptions { DisallowedIntents = 1 << 15 });
        using var socket = await ConnectAsync(emulator);
        await ReceiveAsync(socket);

        await SendAsync(socket, Identify(token ?? emulator.Options.BotToken, intents));
        var result = await socket.ReceiveAsync(new byte[1024], CancellationToken.None);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(expectedClose, (int?)socket.CloseStatus);
    }

    [Fact]
    public async Task Identifies_beyond_max_concurrency_get_invalid_session_until_the_bucket_window_passes()
    {
        var clock = new FakeTimeProvider(TestTime.Start);
        await using var emulator = await DiscordEmulator.StartAsync(new DiscordEmulatorOptions
        {
            RecommendedShards = 4, MaxConcurrency = 2, EnforceIdentifyConcurrency = true, TimeProvider = clock,
        });
        using var shard0 = await ConnectAsync(emulator);
        using var shard1 = await ConnectAsync(emulator);
        using var shard2 = await ConnectAsync(emulator);
        foreach (var socket in new[] { shard0, shard1, shard2 })
        {
            await ReceiveAsync(socket);
        }

        // Shards 0 and 1 are different buckets (id % 2): both may identify at once. Shard 2 shares shard 0's bucket.
        await SendAsync(shard0, Identify(emulator.Options.BotToken, 129, shard: [0, 4]));
        await SendAsync(shard1, Identify(emulator.Options.BotToken, 129, shard: [1, 4]));
        Assert.Equal("READY", (await ReceiveAsync(shard0))["t"]!.GetValue<string>());
        Assert.Equal("READY", (await ReceiveAsync(shard1))["t"]!.GetValue<string>());
        await SendAsync(shard2, Identify(emulator.Options.BotToken, 129, shard: [2, 4]));
        var refused = await ReceiveAsync(shard2);
        Assert.Equal(9, refused["op"]!.GetValue<int>());
        Assert.False(refused["d"]!.GetValue<bool>());

        clock.Advance(TimeSpan.FromSeconds(5));
        await SendAsync(shard2, Identify(emulator.Options.BotToken, 129, shard: [2, 4]));
        Assert.Equal("READY", (await ReceiveAsync(shard2))["t"]!.GetValue<string>());
        Assert.Equal([true, true, false, true], emulator.GatewayIdentifies.Snapshot().Select(i => i.Accepted));

        using var http = Client(emulator);
        var gatewayBot = JsonNode.Parse(await http.GetStringAsync(new Uri("gateway/bot", UriKind.Relative)))!;
        Assert.Equal(4, gatewayBot["shards"]!.GetValue<int>());
        Assert.Equal(2, gatewayBot["session_start_limit"]!["max_concurrency"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_bot_that_must_shard_is_closed_with_4011_when_it_identifies_with_too_few_shards()
    {
        await using var emulator = await DiscordEmulator.StartAsync(new DiscordEmulatorOptions { RecommendedShards = 2 });
        using var socket = await ConnectAsync(emulator);
        await ReceiveAsync(socket);

        await SendAsync(socket, Identify(emulator.Options.BotToken, 129));
        var result = await socket.ReceiveAsync(new byte[1024], CancellationToken.None);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(4011, (int?)socket.CloseStatus);
    }

    [Fact]
    public async Task A_connection_without_api_version_10_is_closed_with_4012()
    {
        await using var emulator = await DiscordEmulator.StartAsync();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{emulator.Port}/gateway?v=6&encoding=json"), CancellationToken.None);

        var result = await socket.ReceiveAsync(new byte[1024], CancellationToken.None);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(4012, (int?)socket.CloseStatus);
    }

    [Fact]
    public async Task Sending_more_than_the_limit_closes_with_4008()
    {
        await using var emulator = await DiscordEmulator.StartAsync(new DiscordEmulatorOptions { GatewaySendLimit = 3 });
        using var socket = await ConnectAsync(emulator);
        await ReceiveAsync(socket);

        for (var i = 0; i < 4; i++)
        {
            await SendAsync(socket, new JsonObject { ["op"] = 1, ["d"] = null });
        }

        var closure = await emulator.GatewayClosures.WaitForAsync(_ => true);
        Assert.Equal(4008, closure.CloseCode);
    }

    [Fact]
    public async Task Rest_answers_with_bucket_headers_and_a_429_body_when_the_window_is_spent()
    {
        var options = new DiscordEmulatorOptions();
        options.RouteLimits.Add(new EmulatedRouteLimit("POST", "/channels/{channel_id}/messages", 2, TimeSpan.FromSeconds(5)));
        await using var emulator = await DiscordEmulator.StartAsync(options);
        using var http = Client(emulator);

        var first = await PostMessageAsync(http, EmulatedGuild.Ids.General, "a");
        var second = await PostMessageAsync(http, EmulatedGuild.Ids.General, "b");
        var third = await PostMessageAsync(http, EmulatedGuild.Ids.General, "c");
        var otherChannel = await PostMessageAsync(http, EmulatedGuild.Ids.Ledger, "d");

        Assert.Equal("1", first.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal("0", second.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal(first.Headers.GetValues("X-RateLimit-Bucket").Single(), second.Headers.GetValues("X-RateLimit-Bucket").Single());
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("user", third.Headers.GetValues("X-RateLimit-Scope").Single());
        var body = JsonNode.Parse(await third.Content.ReadAsStringAsync())!;
        Assert.InRange(body["retry_after"]!.GetValue<double>(), 4, 5);
        Assert.False(body["global"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, otherChannel.StatusCode);
        Assert.Equal([200, 200, 429, 200], emulator.RestRequests.Snapshot().Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Forced_global_429_carries_the_global_header()
    {
        await using var emulator = await DiscordEmulator.StartAsync();
        using var http = Client(emulator);
        emulator.ForceRateLimit(EmulatedRateLimitScope.Global, TimeSpan.FromSeconds(1.5));

        var response = await PostMessageAsync(http, EmulatedGuild.Ids.General, "a");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("true", response.Headers.GetValues("X-RateLimit-Global").Single());
        Assert.Equal("2", response.Headers.GetValues("Retry-After").Single());
        Assert.True(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["global"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Bot_routes_need_the_bot_token()
    {
        await using var emulator = await DiscordEmulator.StartAsync();
        using var http = Client(emulator);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bot", "wrong");

        var response = await http.GetAsync(new Uri("gateway/bot", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Bulk_overwrite_returns_ids_and_keeps_them_for_the_same_command()
    {
        await using var emulator = await DiscordEmulator.StartAsync();
        using var http = Client(emulator);
        var uri = new Uri($"applications/{emulator.Options.ApplicationId}/guilds/{emulator.Guilds[0].Id}/commands", UriKind.Relative);

        var first = JsonNode.Parse(await (await http.PutAsync(uri, Json("[{\"name\":\"task\",\"description\":\"d\",\"type\":1}]"))).Content.ReadAsStringAsync())!.AsArray();
        var second = JsonNode.Parse(await (await http.PutAsync(uri, Json("[{\"name\":\"task\",\"description\":\"new\",\"type\":1},{\"name\":\"other\",\"description\":\"o\"}]"))).Content.ReadAsStringAsync())!.AsArray();

        Assert.Equal(first[0]!["id"]!.GetValue<string>(), second[0]!["id"]!.GetValue<string>());
        Assert.Equal(2, emulator.RegisteredCommands(emulator.Guilds[0].Id).Count);
        Assert.Empty(emulator.RegisteredCommands());
    }

    [Fact]
    public async Task Interaction_callback_is_accepted_once_and_followups_and_original_edits_work()
    {
        await using var emulator = await DiscordEmulator.StartAsync();
        using var http = Client(emulator);
        using var socket = await IdentifiedAsync(emulator);
        var interaction = await emulator.InjectInteractionAsync(EmulatedInteractions.SlashCommand("task"));
        var callback = new Uri($"interactions/{interaction.Id}/{interaction.Token}/callback", UriKind.Relative);
        var webhook = $"webhooks/{emulator.Options.ApplicationId}/{interaction.Token}";

        var accepted = await http.PostAsync(callback, Json("{\"type\":5}"));
        var again = await http.PostAsync(callback, Json("{\"type\":4,\"data\":{\"content\":\"x\"}}"));
        var edited = await http.PatchAsync(new Uri(webhook + "/messages/@original", UriKind.Relative), Json("{\"content\":\"done\"}"));
        var followUp = await http.PostAsync(new Uri(webhook, UriKind.Relative), Json("{\"content\":\"more\"}"));

        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("40060", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("done", JsonNode.Parse(await edited.Content.ReadAsStringAsync())!["content"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, followUp.StatusCode);
        Assert.Equal(["done", "more"], emulator.MessagesIn(EmulatedInteractions.DefaultChannelId).Select(m => m.Message["content"]!.GetValue<string>()));
        var response = emulator.InteractionResponses.Snapshot().Single();
        Assert.Equal(5, response.CallbackType);
        Assert.True(response.Latency >= TimeSpan.Zero);
        Assert.Equal("/webhooks/{webhook_id}/{webhook_token}/messages/@original", emulator.RestRequests.Snapshot()[2].PathTemplate);
    }

    [Fact]
    public async Task A_callback_after_the_three_second_deadline_is_unknown_interaction()
    {
        var clock = new FakeTimeProvider(TestTime.Start);
        await using var emulator = await DiscordEmulator.StartAsync(new DiscordEmulatorOptions { TimeProvider = clock });
        using var http = Client(emulator);
        using var socket = await IdentifiedAsync(emulator);
        var interaction = await emulator.InjectInteractionAsync(EmulatedInteractions.SlashCommand("task"));

        clock.Advance(TimeSpan.FromSeconds(3.5));
        var late = await http.PostAsync(new Uri($"interactions/{interaction.Id}/{interaction.Token}/callback", UriKind.Relative), Json("{\"type\":5}"));

        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
        Assert.Contains("10062", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_ups_are_refused_once_the_interaction_token_is_older_than_15_minutes()
    {
        var clock = new FakeTimeProvider(TestTime.Start);
        await using var emulator = await DiscordEmulator.StartAsync(new DiscordEmulatorOptions { TimeProvider = clock });
        using var http = Client(emulator);
        using var socket = await IdentifiedAsync(emulator);
        var interaction = await emulator.InjectInteractionAsync(EmulatedInteractions.SlashCommand("task"));
        await http.PostAsync(new Uri($"interactions/{interaction.Id}/{interaction.Token}/callback", UriKind.Relative), Json("{\"type\":5}"));
        var webhook = new Uri($"webhooks/{emulator.Options.ApplicationId}/{interaction.Token}", UriKind.Relative);

        var inTime = await http.PostAsync(webhook, Json("{\"content\":\"in time\"}"));
        clock.Advance(TimeSpan.FromMinutes(15.5));
        var late = await http.PostAsync(webhook, Json("{\"content\":\"late\"}"));

        Assert.Equal(HttpStatusCode.OK, inTime.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
    }

    private static HttpClient Client(DiscordEmulator emulator)
    {
        var http = new HttpClient { BaseAddress = new Uri(emulator.RestBaseUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bot", emulator.Options.BotToken);
        return http;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static Task<HttpResponseMessage> PostMessageAsync(HttpClient http, string channelId, string content) =>
        http.PostAsync(new Uri($"channels/{channelId}/messages", UriKind.Relative), Json(new JsonObject { ["content"] = content }.ToJsonString()));

    private static JsonObject Identify(string token, int intents, int[]? shard = null)
    {
        var data = new JsonObject { ["token"] = token, ["intents"] = intents, ["properties"] = new JsonObject { ["os"] = "linux", ["browser"] = "t", ["device"] = "t" } };
        if (shard is not null)
        {
            data["shard"] = new JsonArray(shard[0], shard[1]);
        }

        return new JsonObject { ["op"] = 2, ["d"] = data };
    }

    private static async Task<ClientWebSocket> IdentifiedAsync(DiscordEmulator emulator)
    {
        var socket = await ConnectAsync(emulator);
        await ReceiveAsync(socket);
        await SendAsync(socket, Identify(emulator.Options.BotToken, 129));
        await emulator.GatewayServerFrames.WaitForAsync(f => f.EventName == "GUILD_CREATE");
        return socket;
    }

    private static async Task<ClientWebSocket> ConnectAsync(DiscordEmulator emulator, string path = "/gateway")
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{emulator.Port}{path}?v=10&encoding=json"), CancellationToken.None);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, JsonObject frame) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonObject> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var count = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), timeout.Token);
            count += result.Count;
        }
        while (!result.EndOfMessage);

        return JsonNode.Parse(buffer.AsSpan(0, count))!.AsObject();
    }
}
