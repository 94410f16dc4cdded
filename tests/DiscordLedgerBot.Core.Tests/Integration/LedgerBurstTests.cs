using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Tests.Support;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Core.Tests.Integration;

public class LedgerBurstTests
{
    [Fact]
    public async Task Thousand_writes_under_a_one_million_points_budget_lose_nothing_duplicate_nothing_and_never_hit_429()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        await using var env = await EmulatedLedger.StartAsync(time, o => o.RateLimits.ComplexityPerMinute = 1_000_000);
        Assert.True(env.Client.Budget.HasReading);
        var writesBefore = env.Transport.Writes;
        var commands = Enumerable.Range(0, 1000)
            .Select(i => (LedgerCommand)new CreateLedgerEntry($"burst-{i}", LedgerKey.Parse($"api:burst-{i}"), $"Burst item {i}", LedgerSource.Api))
            .ToList();

        var results = await Eventually.CompletesAsync(time, env.Ledger.ExecuteBatchAsync(commands, CancellationToken.None), TimeSpan.FromSeconds(1));

        Assert.All(results, r => Expect.Applied(r));
        var keys = env.Emulator.Items(env.BoardId).Select(EmulatorItems.LedgerKey).Where(k => k?.StartsWith("api:burst-", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(1000, keys.Distinct().Count());
        Assert.Equal(1000, keys.Count);
        Assert.Equal(0, env.Client.Statistics.RateLimitedAfterFirstReading);
        Assert.Equal(0, env.Emulator.Stats.RateLimited);
        var writeRequests = env.Transport.Writes - writesBefore;
        Assert.True(1000.0 / writeRequests >= 20, $"{writeRequests} write requests for 1000 writes");
        Assert.True(env.Client.Statistics.PacingWaits > 0, "a 10M-point burst under a 1M budget must have waited for resets");
    }
}
