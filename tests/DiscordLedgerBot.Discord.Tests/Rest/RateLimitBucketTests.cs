using DiscordLedgerBot.Discord.Rest;

namespace DiscordLedgerBot.Discord.Tests.Rest;

public sealed class RateLimitBucketTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task While_numbers_are_unknown_one_probe_goes_and_the_rest_wait_for_its_headers()
    {
        var bucket = new RateLimitBucket();

        var probe = bucket.TryReserve(Now);
        var waiting = bucket.TryReserve(Now);
        Assert.True(probe.IsGranted);
        Assert.NotNull(waiting.WaitFor);
        Assert.False(waiting.WaitFor.IsCompleted);

        bucket.Update(remaining: 1, TimeSpan.FromSeconds(5), Now);
        await waiting.WaitFor.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(bucket.TryReserve(Now).IsGranted);
        Assert.Equal(TimeSpan.FromSeconds(5), bucket.TryReserve(Now).Wait);
        Assert.True(bucket.TryReserve(Now.AddSeconds(5)).IsGranted);
    }

    [Fact]
    public async Task A_probe_without_headers_releases_the_waiters()
    {
        var bucket = new RateLimitBucket();
        bucket.TryReserve(Now);
        var waiting = bucket.TryReserve(Now);

        bucket.AttemptFinished();

        await waiting.WaitFor!.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(bucket.TryReserve(Now).IsGranted);
    }

    [Fact]
    public void A_429_blocks_until_retry_after()
    {
        var bucket = new RateLimitBucket();
        bucket.Update(remaining: 3, TimeSpan.FromSeconds(1), Now);

        bucket.Exhaust(TimeSpan.FromSeconds(2), Now);

        Assert.Equal(TimeSpan.FromSeconds(2), bucket.TryReserve(Now).Wait);
    }
}
