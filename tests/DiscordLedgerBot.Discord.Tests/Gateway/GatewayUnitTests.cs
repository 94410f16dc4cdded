using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Discord.Tests.Gateway;

public sealed class GatewayUnitTests
{
    [Fact]
    public async Task Send_limiter_keeps_capacity_for_heartbeats_and_never_exceeds_120_per_window()
    {
        var clock = new FakeTimeProvider(TestTime.Start);
        var limiter = new GatewaySendLimiter(clock);
        limiter.ReserveFor(TimeSpan.FromSeconds(41.25));
        for (var i = 0; i < 120 - limiter.ReservedForHeartbeats; i++)
        {
            await limiter.WaitAsync(isHeartbeat: false, CancellationToken.None);
        }

        var blocked = limiter.WaitAsync(isHeartbeat: false, CancellationToken.None).AsTask();
        await limiter.WaitAsync(isHeartbeat: true, CancellationToken.None);

        Assert.False(blocked.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(blocked.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        await blocked.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Intent_names_explain_privileged_bits()
    {
        Assert.Equal(["GUILDS", "GUILD_VOICE_STATES"], GatewayIntents.Describe(129));
        Assert.Equal(["GUILD_MEMBERS", "GUILD_PRESENCES", "MESSAGE_CONTENT"], GatewayIntents.Describe(GatewayIntents.Privileged));
    }
}
