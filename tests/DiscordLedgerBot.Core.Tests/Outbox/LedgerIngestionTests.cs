using System.Diagnostics;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Core.Tests.Outbox;

public sealed class LedgerIngestionTests
{
    [Fact]
    public async Task RecordingAppendsAPendingRecordPartitionedByTheLedgerKey()
    {
        await using var outbox = new OutboxHarness();

        var recorded = await outbox.RecordAsync(OutboxHarness.Create("1234"));

        Assert.Equal(new LedgerRecorded("slash:1234", OutboxHarness.Key("1234"), OutboxState.Pending, IsDuplicate: false), recorded);
        var record = await outbox.RecordOf("slash:1234");
        Assert.Equal("slash:1234", record.PartitionKey);
        Assert.Equal("create", record.CommandKind);
        Assert.Empty(outbox.Fake.Sent);
    }

    [Fact]
    public async Task RecordingTheSameOriginTwiceReturnsTheExistingRecord()
    {
        await using var outbox = new OutboxHarness();
        await outbox.RecordAsync(OutboxHarness.Create("retry"));
        await outbox.FlushAsync();

        var again = await outbox.RecordAsync(OutboxHarness.Create("retry"));

        Assert.True(again.IsDuplicate);
        Assert.Equal(OutboxState.Confirmed, again.State);
        Assert.Equal(1, (await outbox.Store.CountAsync()).Total);
    }

    [Fact]
    public async Task The_same_command_retried_from_another_trace_is_a_duplicate_not_a_conflict()
    {
        await using var outbox = new OutboxHarness();
        using (var first = new Activity("first request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            await outbox.RecordAsync(OutboxHarness.Create("traced"));
        }

        LedgerRecorded again;
        using (var retry = new Activity("retried request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            again = await outbox.RecordAsync(OutboxHarness.Create("traced"));
        }

        Assert.True(again.IsDuplicate);
        Assert.NotNull(OutboxCommandCodec.OriginOf((await outbox.RecordOf("slash:traced")).PayloadJson));
        Assert.Equal(1, (await outbox.Store.CountAsync()).Total);
    }

    [Fact]
    public async Task ReusingAnIdempotencyKeyForADifferentCommandIsRefused()
    {
        await using var outbox = new OutboxHarness();
        await outbox.RecordAsync(OutboxHarness.Create("clash"));

        var clash = await Assert.ThrowsAsync<OutboxIdempotencyConflictException>(() =>
            outbox.RecordAsync(new CreateLedgerEntry("slash:clash", OutboxHarness.Key("clash"), "A different title", LedgerSource.Slash)));

        Assert.Contains("slash:clash", clash.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await outbox.Store.CountAsync()).Total);
    }

    [Fact]
    public async Task AnInvalidCommandIsRejectedAndNothingIsRecorded()
    {
        await using var outbox = new OutboxHarness();

        var rejected = await Assert.ThrowsAsync<LedgerCommandRejectedException>(() =>
            outbox.RecordAsync(new CreateLedgerEntry("slash:empty", OutboxHarness.Key("empty"), "   ", LedgerSource.Slash)));

        Assert.Equal(LedgerRejectionKind.Validation, rejected.Rejection.Kind);
        Assert.Equal(0, (await outbox.Store.CountAsync()).Total);
    }
}
