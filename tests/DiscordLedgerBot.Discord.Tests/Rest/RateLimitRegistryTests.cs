using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Time.Testing;

namespace DiscordLedgerBot.Discord.Tests.Rest;

public sealed class RateLimitRegistryTests
{
    [Fact]
    public async Task Buckets_of_one_use_interaction_routes_are_dropped_once_their_window_has_passed()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var registry = new RateLimitRegistry(time);
        for (var i = 0; i < 2 * RateLimitRegistry.SweepEvery; i++)
        {
            var route = DiscordRoute.Resolve(new DiscordRestRequest(
                HttpMethod.Post,
                "/interactions/{interaction_id}/{interaction_token}/callback",
                new Dictionary<string, string> { ["interaction_id"] = $"{1000 + i}", ["interaction_token"] = $"token-{i}" }));
            var bucket = await registry.WaitForSlotAsync(route, CancellationToken.None);
            using var response = new HttpResponseMessage();
            response.Headers.Add("X-RateLimit-Bucket", "callback");
            response.Headers.Add("X-RateLimit-Remaining", "0");
            response.Headers.Add("X-RateLimit-Reset-After", "0.5");
            registry.Learn(route, response.Headers);
            bucket.AttemptFinished();
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(registry.Count <= 1, $"{registry.Count} buckets kept");
    }

    [Fact]
    public async Task A_bucket_whose_window_still_runs_is_kept_and_still_limits()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var registry = new RateLimitRegistry(time);
        var channel = DiscordRoute.Resolve(new DiscordRestRequest(HttpMethod.Post, "/channels/{channel_id}/messages", new Dictionary<string, string> { ["channel_id"] = "42" }));
        var first = await registry.WaitForSlotAsync(channel, CancellationToken.None);
        using var response = new HttpResponseMessage();
        response.Headers.Add("X-RateLimit-Bucket", "messages");
        response.Headers.Add("X-RateLimit-Remaining", "0");
        response.Headers.Add("X-RateLimit-Reset-After", "3600");
        registry.Learn(channel, response.Headers);
        first.AttemptFinished();

        for (var i = 0; i < RateLimitRegistry.SweepEvery; i++)
        {
            var route = DiscordRoute.Resolve(new DiscordRestRequest(HttpMethod.Get, "/users/{user_id}", new Dictionary<string, string> { ["user_id"] = $"{i}" }));
            (await registry.WaitForSlotAsync(route, CancellationToken.None)).AttemptFinished();
        }

        var waiting = registry.WaitForSlotAsync(channel, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromHours(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
