using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Core.Tests.Outbox;

public sealed class OutboxReconcilerTests
{
    [Fact]
    public async Task LapsedClaimsWhoseCreateLandedAreConfirmedWithoutResendingAndTheRestAreSentOnce()
    {
        await using var outbox = new OutboxHarness();
        await outbox.RecordAsync(OutboxHarness.Create("landed"));
        await outbox.RecordAsync(OutboxHarness.Create("lost"));
        // A flusher claimed both, monday executed one, and the process died before recording anything.
        Assert.Equal(2, (await outbox.Store.ClaimBatchAsync(10, outbox.Options.ClaimDuration)).Count);
        var landedItem = outbox.Fake.Seed(OutboxHarness.Key("landed"));

        Assert.Equal(OutboxReconcileReport.Nothing, await outbox.Reconciler.ReconcileAsync(CancellationToken.None));
        outbox.Clock.Advance(outbox.Options.ClaimDuration);
        var report = await outbox.Reconciler.ReconcileAsync(CancellationToken.None);

        Assert.Equal(new OutboxReconcileReport(Checked: 2, Confirmed: 1), report);
        var landed = await outbox.RecordOf("slash:landed");
        Assert.Equal(OutboxState.Confirmed, landed.State);
        Assert.Equal(landedItem, landed.MondayItemId);
        Assert.Equal(OutboxState.Sent, (await outbox.RecordOf("slash:lost")).State);
        Assert.True(Assert.Single(outbox.DrainEvents().OfType<OutboxCommandConfirmed>()).Reconciled);

        var flush = await outbox.FlushAsync();

        Assert.Equal(1, flush.Confirmed);
        Assert.Equal(["slash:lost"], outbox.Fake.Sent.Select(c => c.IdempotencyKey));
        Assert.Equal(new OutboxCounts(0, 0, 2, 0), await outbox.Store.CountAsync());
    }

    [Fact]
    public async Task ReclaimedCreatesAreCheckedEvenWhenNoReconcilePassRan()
    {
        await using var outbox = new OutboxHarness();
        await outbox.RecordAsync(OutboxHarness.Create("crashed"));
        await outbox.Store.ClaimBatchAsync(10, outbox.Options.ClaimDuration);
        outbox.Fake.Seed(OutboxHarness.Key("crashed"));

        outbox.Clock.Advance(outbox.Options.ClaimDuration);
        var flush = await outbox.FlushAsync();

        Assert.Equal(1, flush.Reconciled);
        Assert.Empty(outbox.Fake.Sent);
    }

    [Fact]
    public async Task OtherCommandsWithLapsedClaimsAreLeftForTheFlusherToReapply()
    {
        await using var outbox = new OutboxHarness();
        var key = OutboxHarness.Key("moved");
        outbox.Fake.Seed(key);
        await outbox.RecordAsync(new MoveLedgerEntry("slash:moved-1", key, LedgerGroup.Active));
        await outbox.Store.ClaimBatchAsync(10, outbox.Options.ClaimDuration);
        outbox.Clock.Advance(outbox.Options.ClaimDuration);

        var report = await outbox.Reconciler.ReconcileAsync(CancellationToken.None);
        var flush = await outbox.FlushAsync();

        Assert.Equal(new OutboxReconcileReport(1, 0), report);
        Assert.Equal(0, outbox.Fake.Lookups);
        Assert.Equal(1, flush.Confirmed);
    }

    [Fact]
    public async Task DrainRunsUntilEveryCommandIsConfirmedOrDeadLettered()
    {
        await using var outbox = new OutboxHarness();
        outbox.Fake.Answer = command => command.IdempotencyKey == "slash:bad" ? new LedgerRejected(command, LedgerRejectionKind.Validation, "no") : null;
        for (var i = 0; i < 120; i++)
        {
            await outbox.RecordAsync(OutboxHarness.Create($"n{i}"));
        }

        await outbox.RecordAsync(OutboxHarness.Create("bad"));

        var report = await outbox.Worker.DrainAsync(CancellationToken.None);

        Assert.Equal(120, report.Confirmed);
        Assert.Equal(1, report.DeadLettered);
        Assert.Equal(new OutboxCounts(0, 0, 120, 1), report.Final);
        Assert.Equal(3, outbox.Fake.Batches.Count);
        Assert.True(await outbox.Worker.IsSettledAsync(CancellationToken.None));
    }
}
