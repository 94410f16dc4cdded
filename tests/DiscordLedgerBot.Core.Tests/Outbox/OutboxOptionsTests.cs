using DiscordLedgerBot.Core.Outbox;

namespace DiscordLedgerBot.Core.Tests.Outbox;

public sealed class OutboxOptionsTests
{
    [Fact]
    public void DefaultsAreValid() => Assert.True(new OutboxOptionsValidator().Validate(null, new OutboxOptions()).Succeeded);

    [Fact]
    public void EveryBadSettingIsNamedWithItsEnvironmentVariable()
    {
        var result = new OutboxOptionsValidator().Validate(null, new OutboxOptions
        {
            FlushInterval = TimeSpan.Zero,
            BatchSize = 0,
            ClaimDuration = TimeSpan.FromMilliseconds(10),
            ReconcileInterval = TimeSpan.Zero,
            RetryBaseDelay = TimeSpan.FromMinutes(20),
            MaxAttempts = 0,
        });

        Assert.True(result.Failed);
        foreach (var key in new[] { "Outbox__FlushInterval", "Outbox__BatchSize", "Outbox__ClaimDuration", "Outbox__ReconcileInterval", "Outbox__RetryBaseDelay", "Outbox__MaxAttempts" })
        {
            Assert.Contains(result.Failures!, f => f.Contains(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void BackOffDoublesUpToTheCapAndHonoursALongerServerHint()
    {
        var policy = new OutboxRetryPolicy(new OutboxOptions { RetryBaseDelay = TimeSpan.FromSeconds(5), RetryMaxDelay = TimeSpan.FromSeconds(60), MaxAttempts = 50 });
        var now = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

        Assert.Equal(now.AddSeconds(5), policy.NextAttempt(1, null, now));
        Assert.Equal(now.AddSeconds(40), policy.NextAttempt(4, null, now));
        Assert.Equal(now.AddSeconds(60), policy.NextAttempt(40, null, now));
        Assert.Equal(now.AddSeconds(30), policy.NextAttempt(1, TimeSpan.FromSeconds(30), now));
        Assert.Equal(now.AddSeconds(60), policy.NextAttempt(1, TimeSpan.FromHours(3), now));
        Assert.Null(policy.NextAttempt(50, null, now));
    }
}
