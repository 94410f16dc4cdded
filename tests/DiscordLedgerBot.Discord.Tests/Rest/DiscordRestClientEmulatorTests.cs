using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Discord.Tests.Gateway;
using DiscordLedgerBot.Emulators.Discord;

namespace DiscordLedgerBot.Discord.Tests.Rest;

/// <summary>The REST client against the emulator's rate limits over real loopback HTTP.</summary>
public sealed class DiscordRestClientEmulatorTests
{
    private static readonly string ChannelId = EmulatedGuild.Ids.General;

    [Fact]
    public async Task Burst_to_one_channel_is_delivered_in_order_without_a_single_429()
    {
        await using var harness = await DiscordClientHarness.StartAsync(
            emulator =>
            {
                emulator.RouteLimits.Add(new EmulatedRouteLimit("POST", "/channels/{channel_id}/messages", 25, TimeSpan.FromMilliseconds(100)));
                emulator.GlobalRequestsPerSecond = 10_000;
            },
            client => client["Discord:GlobalRequestsPerSecond"] = "10000");

        var sends = Enumerable.Range(0, 500).Select(n => harness.Rest.SendAsync(PostMessage(ChannelId, $"m{n}"), CancellationToken.None)).ToList();
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, harness.Emulator.RateLimitedCount);
        Assert.Equal(
            Enumerable.Range(0, 500).Select(n => $"m{n}"),
            harness.Emulator.MessagesIn(ChannelId).Select(m => m.Message["content"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Global_429_is_honoured_before_the_next_request()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        harness.Emulator.ForceRateLimit(EmulatedRateLimitScope.Global, TimeSpan.FromMilliseconds(300));

        await harness.Rest.SendAsync(PostMessage(ChannelId, "after global"), CancellationToken.None);
        await harness.Rest.SendAsync(PostMessage(EmulatedGuild.Ids.Ledger, "other channel"), CancellationToken.None);

        var requests = harness.Emulator.RestRequests.Snapshot().Where(r => r.Method == "POST").ToList();
        Assert.Equal([429, 200, 200], requests.Select(r => r.StatusCode));
        Assert.True(TimeProvider.System.GetElapsedTime(requests[0].ReceivedTimestamp, requests[1].ReceivedTimestamp) >= TimeSpan.FromMilliseconds(290));
        Assert.Equal(0, harness.Emulator.RateLimitViolations);
    }

    [Fact]
    public async Task Route_429_waits_retry_after_and_is_not_retried_early()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        harness.Emulator.ForceRateLimit(EmulatedRateLimitScope.User, TimeSpan.FromMilliseconds(200), "/channels/{channel_id}/messages");

        var message = await harness.Rest.SendAsync(PostMessage(ChannelId, "eventually"), CancellationToken.None);

        Assert.Equal("eventually", message!.Value.GetProperty("content").GetString());
        Assert.Equal(1, harness.Emulator.RateLimitedCount);
        Assert.Equal(0, harness.Emulator.RateLimitViolations);
    }

    [Fact]
    public async Task Unauthorized_stops_all_authenticated_requests_until_reconfigured()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        harness.Emulator.RevokeToken();

        var rejected = await Assert.ThrowsAsync<DiscordRestException>(() => harness.Rest.SendAsync(PostMessage(ChannelId, "x"), CancellationToken.None));
        var countAfterFirst = harness.Emulator.RestRequests.Count;
        var refused = await Assert.ThrowsAsync<DiscordRestUnavailableException>(() => harness.Rest.SendAsync(PostMessage(ChannelId, "y"), CancellationToken.None));

        Assert.Equal(401, rejected.StatusCode);
        Assert.Contains("Discord__Token", refused.Message, StringComparison.Ordinal);
        Assert.Equal(countAfterFirst, harness.Emulator.RestRequests.Count);
    }

    [Fact]
    public async Task Requests_carry_bot_authorization_user_agent_and_json_and_errors_surface_discord_codes()
    {
        await using var harness = await DiscordClientHarness.StartAsync();

        await harness.Rest.SendAsync(PostMessage(ChannelId, "hello"), CancellationToken.None);
        var empty = await Assert.ThrowsAsync<DiscordRestException>(() =>
            harness.Rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, "/channels/{channel_id}/messages", Channel(ChannelId), new JsonObject()), CancellationToken.None));

        var recorded = harness.Emulator.RestRequests.Snapshot()[0];
        Assert.True(recorded.HadBotAuthorization);
        Assert.StartsWith("DiscordBot (https://", recorded.UserAgent, StringComparison.Ordinal);
        Assert.StartsWith("application/json", recorded.ContentType, StringComparison.Ordinal);
        Assert.Equal("/channels/{channel_id}/messages", recorded.PathTemplate);
        Assert.Equal(400, empty.StatusCode);
        Assert.Equal(50006, empty.ErrorCode);
    }

    [Fact]
    public async Task Edits_and_deletes_reach_the_stored_message()
    {
        await using var harness = await DiscordClientHarness.StartAsync();
        var created = await harness.Rest.SendAsync(PostMessage(ChannelId, "draft"), CancellationToken.None);
        var id = created!.Value.GetProperty("id").GetString()!;
        var route = new Dictionary<string, string> { ["channel_id"] = ChannelId, ["message_id"] = id };

        await harness.Rest.SendAsync(new DiscordRestRequest(HttpMethod.Patch, "/channels/{channel_id}/messages/{message_id}", route, new JsonObject { ["content"] = "final" }), CancellationToken.None);
        Assert.Equal("final", harness.Emulator.MessagesIn(ChannelId).Single().Message["content"]!.GetValue<string>());
        var deleted = await harness.Rest.SendAsync(new DiscordRestRequest(HttpMethod.Delete, "/channels/{channel_id}/messages/{message_id}", route), CancellationToken.None);

        Assert.Null(deleted);
        Assert.Empty(harness.Emulator.MessagesIn(ChannelId));
    }

    private static Dictionary<string, string> Channel(string id) => new() { ["channel_id"] = id };

    private static DiscordRestRequest PostMessage(string channelId, string content) =>
        new(HttpMethod.Post, "/channels/{channel_id}/messages", Channel(channelId), new JsonObject { ["content"] = content });
}
