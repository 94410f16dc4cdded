using DiscordLedgerBot.Discord.Rest;

namespace DiscordLedgerBot.Discord.Tests.Rest;

public sealed class DiscordRouteTests
{
    [Fact]
    public void Fills_and_escapes_placeholders_and_keys_by_major_parameter()
    {
        var route = DiscordRoute.Resolve(new DiscordRestRequest(
            HttpMethod.Patch,
            "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
            new Dictionary<string, string> { ["webhook_id"] = "1", ["webhook_token"] = "a/b", ["message_id"] = "@original" },
            Query: new Dictionary<string, string> { ["wait"] = "true" }));

        Assert.Equal("webhooks/1/a%2Fb/messages/%40original?wait=true", route.RelativeUri);
        Assert.Equal("webhook_id=1/a/b", route.MajorParameter);
        Assert.Equal("PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", route.RouteKey);
        Assert.True(route.CountsTowardsGlobalLimit);
    }

    [Fact]
    public void Interaction_callbacks_do_not_count_towards_the_global_limit()
    {
        var route = DiscordRoute.Resolve(new DiscordRestRequest(
            HttpMethod.Post,
            "/interactions/{interaction_id}/{interaction_token}/callback",
            new Dictionary<string, string> { ["interaction_id"] = "5", ["interaction_token"] = "t" }));

        Assert.False(route.CountsTowardsGlobalLimit);
    }

    [Fact]
    public void Channels_are_separate_lanes_of_the_same_route()
    {
        var first = DiscordRoute.Resolve(new DiscordRestRequest(HttpMethod.Post, "/channels/{channel_id}/messages", new Dictionary<string, string> { ["channel_id"] = "1" }));
        var second = DiscordRoute.Resolve(new DiscordRestRequest(HttpMethod.Post, "/channels/{channel_id}/messages", new Dictionary<string, string> { ["channel_id"] = "2" }));

        Assert.Equal(first.RouteKey, second.RouteKey);
        Assert.NotEqual(first.QueueKey, second.QueueKey);
    }

    [Fact]
    public void A_missing_route_value_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            DiscordRoute.Resolve(new DiscordRestRequest(HttpMethod.Get, "/channels/{channel_id}", new Dictionary<string, string>())));

        Assert.Contains("channel_id", error.Message, StringComparison.Ordinal);
    }
}
