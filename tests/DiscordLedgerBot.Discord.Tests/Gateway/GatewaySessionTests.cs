using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Emulators.Discord;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Discord.Tests.Gateway;

/// <summary>The gateway client against the emulator over real loopback sockets; every wait awaits an event.</summary>
public sealed class GatewaySessionTests
{
    [Fact]
    public async Task Identifies_with_minimal_intents_and_answers_an_injected_slash_command()
    {
        await using var harness = await DiscordClientHarness.StartAsync(configureServices: services =>
            services.AddSingleton<IGatewayEventHandler<InteractionCreated>, PongResponder>());

        var ready = await harness.StartAndWaitForReadyAsync();
        var interaction = await harness.InjectSlashCommandAsync("ping");
        var response = await harness.Emulator.InteractionResponses.WaitForAsync(r => r.InteractionId == interaction.Id);

        var identify = await harness.Emulator.GatewayClientFrames.WaitForAsync(f => f.Op == 2);
        Assert.Equal(129, identify.Data!["intents"]!.GetValue<int>());
        Assert.Equal("[0,1]", identify.Data["shard"]!.ToJsonString());
        Assert.Equal("DiscordLedgerBot", identify.Data["properties"]!["browser"]!.GetValue<string>());
        Assert.Equal(harness.Emulator.CurrentSessionId, ready.SessionId);
        Assert.Equal(harness.Emulator.Options.BotUserId, harness.Gateway.Session!.UserId);
        Assert.Equal(4, response.CallbackType);
        Assert.Equal("pong", response.Data!["content"]!.GetValue<string>());
        Assert.Contains(harness.Emulator.MessagesIn(EmulatedInteractions.DefaultChannelId), m => m.Message["content"]!.GetValue<string>() == "pong");
        Assert.Equal(GatewayStatus.Ready, harness.Gateway.Status);
    }

    [Fact]
    public async Task Dropped_connection_resumes_and_every_dispatch_sent_meanwhile_is_handled_exactly_once_in_order()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        await harness.StartAndWaitForReadyAsync();
        await harness.Emulator.DispatchAsync("TEST_EVENT", new JsonObject { ["n"] = -1 });
        await harness.Events.Log.WaitForAsync(e => e is UnknownDispatch { EventName: "TEST_EVENT" });

        harness.Emulator.DropGatewayConnection();
        var sent = new List<long>();
        var interactions = new List<string>();
        for (var n = 0; n < 10; n++)
        {
            sent.Add(await harness.Emulator.DispatchAsync("TEST_EVENT", new JsonObject { ["n"] = n }));
            interactions.Add((await harness.InjectSlashCommandAsync("ping")).Id);
        }

        await harness.Events.Log.WaitForAsync(e => e is Resumed);
        await harness.Events.Log.WaitForAsync(e => e is UnknownDispatch { Data: var d } && d.GetProperty("n").GetInt32() == 9);

        var testEvents = harness.Events.Log.Snapshot().OfType<UnknownDispatch>().Where(e => e.EventName == "TEST_EVENT").ToList();
        Assert.Equal(Enumerable.Range(-1, 11), testEvents.Select(e => e.Data.GetProperty("n").GetInt32()));
        Assert.Equal(sent, testEvents.Skip(1).Select(e => e.Sequence));
        // Interactions are handled concurrently (each has its own 3 s deadline), so only "exactly once" is asserted for them.
        foreach (var id in interactions)
        {
            await harness.Events.Log.WaitForAsync(e => e is InteractionCreated i && i.Interaction.GetProperty("id").GetString() == id);
        }

        Assert.Equal(interactions.Order(), harness.Events.InteractionIds().Order());
        var resume = await harness.Emulator.GatewayClientFrames.WaitForAsync(f => f.Op == 6);
        Assert.Equal(harness.Emulator.CurrentSessionId, resume.Data!["session_id"]!.GetValue<string>());
        Assert.Equal("/gateway-resume", (await harness.Emulator.GatewayConnections.WaitForAsync(c => c.ConnectionId == resume.ConnectionId)).Path);
        Assert.Single(harness.Emulator.GatewayClientFrames.Snapshot(), f => f.Op == 2);
    }

    [Fact]
    public async Task Reconnect_request_resumes_the_same_session()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        var ready = await harness.StartAndWaitForReadyAsync();

        await harness.Emulator.SendReconnectAsync();
        await harness.Events.Log.WaitForAsync(e => e is Resumed);

        var closure = await harness.Emulator.GatewayClosures.WaitForAsync(c => c.ConnectionId == 1);
        Assert.NotEqual(1000, closure.CloseCode);
        Assert.Equal(ready.SessionId, harness.Gateway.Session!.SessionId);
        Assert.Single(harness.Events.Log.Snapshot(), e => e is Ready);
    }

    [Fact]
    public async Task Non_resumable_invalid_session_identifies_afresh_on_the_cached_url()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        var first = await harness.StartAndWaitForReadyAsync();

        await harness.Emulator.SendInvalidSessionAsync(resumable: false);
        var second = (Ready)await harness.Events.Log.WaitForAsync(e => e is Ready r && r.SessionId != first.SessionId);

        var identifies = harness.Emulator.GatewayClientFrames.Snapshot().Where(f => f.Op == 2).ToList();
        Assert.Equal(2, identifies.Count);
        Assert.Equal("/gateway", (await harness.Emulator.GatewayConnections.WaitForAsync(c => c.ConnectionId == identifies[1].ConnectionId)).Path);
        Assert.DoesNotContain(harness.Emulator.GatewayClientFrames.Snapshot(), f => f.Op == 6);
        Assert.Single(harness.Emulator.RestRequests.Snapshot(), r => r.Path == "/gateway/bot");
        Assert.Equal(second.SessionId, harness.Gateway.Session!.SessionId);
    }

    [Fact]
    public async Task Resumable_invalid_session_resumes()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        await harness.StartAndWaitForReadyAsync();

        await harness.Emulator.SendInvalidSessionAsync(resumable: true);
        await harness.Events.Log.WaitForAsync(e => e is Resumed);

        Assert.Single(harness.Emulator.GatewayClientFrames.Snapshot(), f => f.Op == 2);
    }

    [Fact]
    public async Task Session_timeout_close_code_starts_a_new_session()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        var first = await harness.StartAndWaitForReadyAsync();

        await harness.Emulator.CloseGatewayAsync(4009, "Session timed out.");
        await harness.Events.Log.WaitForAsync(e => e is Ready r && r.SessionId != first.SessionId);

        Assert.DoesNotContain(harness.Emulator.GatewayClientFrames.Snapshot(), f => f.Op == 6);
    }

    [Fact]
    public async Task Disallowed_intents_stop_the_gateway_with_an_error_naming_the_intent()
    {
        await using var harness = await DiscordClientHarness.StartAsync(
            emulator => emulator.DisallowedIntents = 1 << 15,
            client => client["Discord:GatewayIntents"] = (129 | (1 << 15)).ToString(System.Globalization.CultureInfo.InvariantCulture));

        harness.StartGateway();
        var error = await Assert.ThrowsAsync<GatewayFatalException>(() => harness.Running!.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(4014, error.CloseCode);
        Assert.Contains("MESSAGE_CONTENT", error.Message, StringComparison.Ordinal);
        Assert.Contains("developer portal", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, harness.Emulator.GatewayConnections.Count);
        Assert.Equal(GatewayStatus.Stopped, harness.Gateway.Status);
    }

    [Fact]
    public async Task Rejected_token_stops_the_gateway_naming_the_setting()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        await harness.StartAndWaitForReadyAsync();

        await harness.Emulator.CloseGatewayAsync(4004, "Authentication failed.");
        var error = await Assert.ThrowsAsync<GatewayFatalException>(() => harness.Running!.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(4004, error.CloseCode);
        Assert.Contains("Discord__Token", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, harness.Emulator.GatewayConnections.Count);
    }

    [Fact]
    public async Task A_token_refused_by_get_gateway_bot_stops_before_connecting()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        harness.Emulator.RevokeToken();

        harness.StartGateway();
        var error = await Assert.ThrowsAsync<GatewayFatalException>(() => harness.Running!.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("Discord__Token", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, harness.Emulator.GatewayConnections.Count);
    }

    [Fact]
    public async Task Zombie_connection_is_closed_with_a_resumable_code_and_resumed()
    {
        await using var harness = await DiscordClientHarness.StartAsync(
            emulator => emulator.HeartbeatInterval = TimeSpan.FromMilliseconds(100),
            configureServices: services => services.AddSingleton(new Random(42)));
        await harness.StartAndWaitForReadyAsync();
        await harness.Emulator.GatewayClientFrames.WaitForAsync(f => f.Op == 1);

        harness.Emulator.StopAcknowledgingHeartbeats();
        var closure = await harness.Emulator.GatewayClosures.WaitForAsync(c => c.ConnectionId == 1);
        await harness.Events.Log.WaitForAsync(e => e is Resumed);

        Assert.True(closure.ClosedByClient);
        Assert.Equal(4000, closure.CloseCode);
        Assert.Equal(2, harness.Emulator.GatewayConnections.Count);
    }

    [Fact]
    public async Task Server_requested_heartbeat_is_sent_at_once_with_the_last_sequence()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        await harness.StartAndWaitForReadyAsync();
        var sequence = await harness.Emulator.DispatchAsync("TEST_EVENT", new JsonObject { ["n"] = 1 });
        await harness.Events.Log.WaitForAsync(e => e is UnknownDispatch);

        // A periodic heartbeat sent earlier must not stand in for the one the server asks for now.
        var framesBefore = harness.Emulator.GatewayClientFrames.Count;
        await harness.Emulator.RequestHeartbeatAsync();
        var beat = await harness.Emulator.GatewayClientFrames.WaitForAfterAsync(framesBefore, f => f.Op == 1);

        Assert.Equal(sequence, beat.Data!.GetValue<long>());
    }

    [Fact]
    public async Task A_failing_handler_is_contained_and_other_handlers_and_events_continue()
    {
        await using var harness = await DiscordClientHarness.StartAsync(configureServices: services =>
            services.AddSingleton<IGatewayEventHandler<InteractionCreated>, ThrowingResponder>());
        await harness.StartAndWaitForReadyAsync();

        var first = await harness.InjectSlashCommandAsync("one");
        var second = await harness.InjectSlashCommandAsync("two");
        await harness.Events.Log.WaitForAsync(e => e is InteractionCreated i && i.Interaction.GetProperty("id").GetString() == second.Id);
        await harness.Events.Log.WaitForAsync(e => e is InteractionCreated i && i.Interaction.GetProperty("id").GetString() == first.Id);
        Assert.Equal(GatewayStatus.Ready, harness.Gateway.Status);
    }

    [Fact]
    public async Task Stopping_closes_with_1000_and_returns()
    {
        var harness = await DiscordClientHarness.StartAsync();
        await harness.StartAndWaitForReadyAsync();

        await harness.DisposeAsync();

        var closure = harness.Emulator.GatewayClosures.Snapshot().Single();
        Assert.Equal(1000, closure.CloseCode);
        Assert.True(harness.Running!.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Voice_state_update_is_sent_as_op_4_and_answered_with_voice_events()
    {
        await using var harness = await DiscordClientHarness.StartAsync(
            emulator => emulator.VoiceEndpoint = "voice.emulator:443",
            configureServices: services =>
            {
                services.AddSingleton<VoiceRecorder>();
                services.AddSingleton<IGatewayEventHandler<VoiceStateUpdated>>(p => p.GetRequiredService<VoiceRecorder>());
                services.AddSingleton<IGatewayEventHandler<VoiceServerUpdated>>(p => p.GetRequiredService<VoiceRecorder>());
            });
        await harness.StartAndWaitForReadyAsync();
        var voice = harness.Services.GetRequiredService<VoiceRecorder>();

        await harness.Gateway.UpdateVoiceStateAsync(harness.GuildId, "1300000000000000040", selfMute: false, selfDeaf: true, CancellationToken.None);
        var server = (VoiceServerUpdated)await voice.Log.WaitForAsync(e => e is VoiceServerUpdated);

        var op4 = await harness.Emulator.GatewayClientFrames.WaitForAsync(f => f.Op == 4);
        Assert.Equal("1300000000000000040", op4.Data!["channel_id"]!.GetValue<string>());
        var state = (VoiceStateUpdated)voice.Log.Snapshot()[0];
        Assert.Equal(harness.Gateway.Session!.UserId, state.UserId);
        Assert.Equal("voice.emulator:443", server.Endpoint);
        Assert.DoesNotContain(server.Token, server.ToString(), StringComparison.Ordinal);
    }

    private sealed class VoiceRecorder : IGatewayEventHandler<VoiceStateUpdated>, IGatewayEventHandler<VoiceServerUpdated>
    {
        public ObservableLog<IGatewayEvent> Log { get; } = new();

        public Task HandleAsync(VoiceStateUpdated gatewayEvent, CancellationToken cancellationToken)
        {
            Log.Add(gatewayEvent);
            return Task.CompletedTask;
        }

        public Task HandleAsync(VoiceServerUpdated gatewayEvent, CancellationToken cancellationToken)
        {
            Log.Add(gatewayEvent);
            return Task.CompletedTask;
        }
    }
}
