using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Tests.Support;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Core.Tests.Integration;

public class LedgerResilienceTests
{
    [Fact]
    public async Task Create_whose_response_is_dropped_is_replayed_by_key_and_yields_exactly_one_item()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        await using var env = await EmulatedLedger.StartAsync(time);
        var key = LedgerKey.Parse("voice:utt-42");
        await WarmUpAsync(env, time);
        env.Emulator.Faults.ExecuteThenDropResponseNext();

        var result = await Eventually.CompletesAsync(time, env.Ledger.ExecuteAsync(new CreateLedgerEntry("voice-utt-42", key, "Dropped once", LedgerSource.Voice), CancellationToken.None), TimeSpan.FromMilliseconds(250));

        var applied = Expect.Applied(result);
        Assert.True(applied.Replayed);
        Assert.Single(env.Emulator.Items(env.BoardId), i => EmulatorItems.LedgerKey(i) == key.Value);
        Assert.Equal(1, env.Emulator.Stats.IdempotentReplays);
        Assert.Equal(applied.MondayItemId, (await Eventually.CompletesAsync(time, env.Ledger.FindByKeyAsync(key, CancellationToken.None), TimeSpan.FromMilliseconds(250)))?.MondayItemId);
    }

    [Fact]
    public async Task Server_errors_are_retried_and_the_write_lands_once()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        await using var env = await EmulatedLedger.StartAsync(time);
        await WarmUpAsync(env, time);
        env.Emulator.Faults.FailNext(2, 502);

        var result = await Eventually.CompletesAsync(time, env.Ledger.ExecuteAsync(new CreateLedgerEntry("api-5xx", LedgerKey.Parse("api:5xx"), "After two 502s", LedgerSource.Api), CancellationToken.None), TimeSpan.FromMilliseconds(250));

        Expect.Applied(result);
        Assert.Single(env.Emulator.Items(env.BoardId), i => EmulatorItems.LedgerKey(i) == "api:5xx");
    }

    [Fact]
    public async Task Dropped_connection_before_execution_is_retried()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        await using var env = await EmulatedLedger.StartAsync(time);
        await WarmUpAsync(env, time);
        env.Emulator.Faults.DropConnectionNext();

        var result = await Eventually.CompletesAsync(time, env.Ledger.ExecuteAsync(new CreateLedgerEntry("api-drop", LedgerKey.Parse("api:drop"), "After a drop", LedgerSource.Api), CancellationToken.None), TimeSpan.FromMilliseconds(250));

        Assert.False(Expect.Applied(result).Replayed);
        Assert.Single(env.Emulator.Items(env.BoardId), i => EmulatorItems.LedgerKey(i) == "api:drop");
    }

    /// <summary>Binds the board's groups so the next request is the write under test.</summary>
    private static async Task WarmUpAsync(EmulatedLedger env, FakeTimeProvider time) =>
        Expect.Applied(await Eventually.CompletesAsync(time, env.Ledger.ExecuteAsync(new CreateLedgerEntry("warm-up", LedgerKey.Parse("api:warm-up"), "Warm-up", LedgerSource.Api), CancellationToken.None), TimeSpan.FromMilliseconds(250)));
}
