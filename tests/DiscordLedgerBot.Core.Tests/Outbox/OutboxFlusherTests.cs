using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Core.Tests.Outbox;

public sealed class OutboxFlusherTests
{
    [Fact]
    public async Task CommandsForDifferentEntriesGoOutAsOneBatchAndAreConfirmedWithTheirItemIds()
    {
        await using var outbox = new OutboxHarness();
        foreach (var origin in new[] { "a", "b", "c" })
        {
            await outbox.RecordAsync(OutboxHarness.Create(origin));
        }

        var report = await outbox.FlushAsync();

        Assert.Equal(new OutboxFlushReport(3, 3, 3, 0, 0, 0), report);
        Assert.Single(outbox.Fake.Batches);
        Assert.Equal(3, outbox.Fake.Batches[0].Count);
        var confirmed = outbox.DrainEvents().Cast<OutboxCommandConfirmed>().ToList();
        Assert.Equal(["slash:a", "slash:b", "slash:c"], confirmed.Select(c => c.IdempotencyKey).Order());
        foreach (var outcome in confirmed)
        {
            var record = await outbox.RecordOf(outcome.IdempotencyKey);
            Assert.Equal(OutboxState.Confirmed, record.State);
            Assert.Equal(outcome.MondayItemId, record.MondayItemId);
            Assert.False(outcome.Reconciled);
        }
    }

    [Fact]
    public async Task CommandsForOneEntryAreAppliedOneAtATimeInTheOrderTheyWereRecorded()
    {
        await using var outbox = new OutboxHarness();
        var key = OutboxHarness.Key("ordered");
        await outbox.RecordAsync(OutboxHarness.Create("ordered"));
        await outbox.RecordAsync(new ChangeLedgerStatus("slash:ordered-start", key, LedgerStatus.Requested, LedgerStatus.InProgress));
        await outbox.RecordAsync(new CommentOnLedgerEntry("slash:ordered-note", key, "started"));
        await outbox.RecordAsync(OutboxHarness.Create("other"));

        await outbox.FlushAsync();
        await outbox.FlushAsync();
        await outbox.FlushAsync();

        var batches = outbox.Fake.Batches;
        Assert.Equal(3, batches.Count);
        Assert.Equal(["slash:ordered", "slash:other"], batches[0].Select(c => c.IdempotencyKey).Order());
        Assert.Equal(["slash:ordered-start"], batches[1].Select(c => c.IdempotencyKey));
        Assert.Equal(["slash:ordered-note"], batches[2].Select(c => c.IdempotencyKey));
        Assert.Equal(new OutboxCounts(0, 0, 4, 0), await outbox.Store.CountAsync());
    }

    [Fact]
    public async Task CommentsAndFollowUpsTravelAloneSoEveryResendCarriesTheirOwnIdempotencyKey()
    {
        await using var outbox = new OutboxHarness();
        foreach (var origin in new[] { "a", "b", "c", "d" })
        {
            outbox.Fake.Seed(OutboxHarness.Key(origin));
        }

        await outbox.RecordAsync(new CommentOnLedgerEntry("slash:a-note", OutboxHarness.Key("a"), "first note"));
        await outbox.RecordAsync(new AddLedgerFollowUp("slash:b-follow", OutboxHarness.Key("b"), "write the runbook"));
        await outbox.RecordAsync(new ChangeLedgerStatus("slash:c-start", OutboxHarness.Key("c"), LedgerStatus.Requested, LedgerStatus.InProgress));
        await outbox.RecordAsync(OutboxHarness.Create("e"));

        var report = await outbox.FlushAsync();

        Assert.Equal(4, report.Confirmed);
        var batches = outbox.Fake.Batches;
        Assert.Equal(3, batches.Count);
        Assert.Equal(["slash:c-start", "slash:e"], batches[0].Select(c => c.IdempotencyKey).Order());
        Assert.Equal(["slash:a-note"], batches[1].Select(c => c.IdempotencyKey));
        Assert.Equal(["slash:b-follow"], batches[2].Select(c => c.IdempotencyKey));
    }

    [Fact]
    public async Task TemporaryFailuresBackOffExponentiallyThenDeadLetterWithTheReason()
    {
        await using var outbox = new OutboxHarness();
        outbox.Fake.Answer = command => new LedgerRetryable(command, "monday is busy", null);
        await outbox.RecordAsync(OutboxHarness.Create("flaky"));
        var start = outbox.Clock.GetUtcNow();

        await outbox.FlushAsync();
        var first = await outbox.RecordOf("slash:flaky");
        Assert.Equal(OutboxState.Failed, first.State);
        Assert.Equal(start + TimeSpan.FromSeconds(10), first.NextAttemptAt);
        Assert.Equal(OutboxFlushReport.Nothing, await outbox.FlushAsync());

        outbox.Clock.Advance(TimeSpan.FromSeconds(10));
        await outbox.FlushAsync();
        Assert.Equal(outbox.Clock.GetUtcNow() + TimeSpan.FromSeconds(20), (await outbox.RecordOf("slash:flaky")).NextAttemptAt);

        outbox.Clock.Advance(TimeSpan.FromSeconds(20));
        await outbox.FlushAsync();
        Assert.Equal(outbox.Clock.GetUtcNow() + TimeSpan.FromSeconds(40), (await outbox.RecordOf("slash:flaky")).NextAttemptAt);

        outbox.Clock.Advance(TimeSpan.FromSeconds(40));
        var last = await outbox.FlushAsync();

        Assert.Equal(1, last.DeadLettered);
        var dead = await outbox.RecordOf("slash:flaky");
        Assert.True(dead.IsTerminal);
        Assert.Null(dead.NextAttemptAt);
        Assert.Contains("Gave up after 4 attempts: monday is busy", dead.LastError, StringComparison.Ordinal);
        var failures = outbox.DrainEvents().Cast<OutboxCommandFailed>().ToList();
        Assert.Equal(4, failures.Count);
        Assert.Equal([false, false, false, true], failures.Select(f => f.IsDeadLettered));
    }

    [Fact]
    public async Task MondaysWaitHintWinsOverAShorterBackOff()
    {
        await using var outbox = new OutboxHarness();
        outbox.Fake.Answer = command => new LedgerRetryable(command, "rate limited", TimeSpan.FromSeconds(45));
        await outbox.RecordAsync(OutboxHarness.Create("hinted"));

        await outbox.FlushAsync();

        Assert.Equal(outbox.Clock.GetUtcNow() + TimeSpan.FromSeconds(45), (await outbox.RecordOf("slash:hinted")).NextAttemptAt);
    }

    [Fact]
    public async Task PermanentRejectionsAreDeadLetteredAtOnceAndTheEntrysNextCommandStillRuns()
    {
        await using var outbox = new OutboxHarness();
        var key = OutboxHarness.Key("gone");
        await outbox.RecordAsync(new ArchiveLedgerEntry("slash:gone-archive", key));
        outbox.Fake.Seed(key);
        outbox.Fake.Answer = command => command is ArchiveLedgerEntry ? new LedgerRejected(command, LedgerRejectionKind.Unauthorized, "token may not archive") : null;
        await outbox.RecordAsync(new CommentOnLedgerEntry("slash:gone-note", key, "still here"));

        var first = await outbox.FlushAsync();
        var second = await outbox.FlushAsync();

        Assert.Equal(1, first.DeadLettered);
        Assert.Equal(1, second.Confirmed);
        var dead = await outbox.RecordOf("slash:gone-archive");
        Assert.Equal("Rejected (Unauthorized): token may not archive", dead.LastError);
        var failed = Assert.Single(outbox.DrainEvents().OfType<OutboxCommandFailed>());
        Assert.True(failed.IsDeadLettered);
        Assert.Equal(key.Value, failed.EntryKey);
    }

    [Fact]
    public async Task ACreateWhoseAnswerWasLostIsFoundOnTheBoardAndConfirmedWithoutASecondCreate()
    {
        await using var outbox = new OutboxHarness();
        outbox.Fake.LoseAnswerFor.Add("slash:lost");
        await outbox.RecordAsync(OutboxHarness.Create("lost"));

        await outbox.FlushAsync();
        Assert.Equal(OutboxState.Failed, (await outbox.RecordOf("slash:lost")).State);
        Assert.True(outbox.Fake.Holds(OutboxHarness.Key("lost")));

        outbox.Clock.Advance(outbox.Options.RetryBaseDelay);
        var retry = await outbox.FlushAsync();

        Assert.Equal(new OutboxFlushReport(1, 0, 0, 1, 0, 0), retry);
        Assert.Single(outbox.Fake.Sent);
        var confirmed = Assert.Single(outbox.DrainEvents().OfType<OutboxCommandConfirmed>());
        Assert.True(confirmed.Reconciled);
        Assert.Equal(OutboxState.Confirmed, (await outbox.RecordOf("slash:lost")).State);
    }

    [Fact]
    public async Task WhenMondayCannotBeAskedAboutAnEarlierAttemptTheCreateWaitsInsteadOfBeingResent()
    {
        await using var outbox = new OutboxHarness();
        outbox.Fake.Answer = command => new LedgerRetryable(command, "timeout", null);
        await outbox.RecordAsync(OutboxHarness.Create("unsure"));
        await outbox.FlushAsync();
        outbox.Fake.Answer = null;
        outbox.Fake.LookupFailure = new HttpRequestException("monday unreachable");

        outbox.Clock.Advance(outbox.Options.RetryBaseDelay);
        var report = await outbox.FlushAsync();

        Assert.Equal(new OutboxFlushReport(1, 0, 0, 0, 1, 0), report);
        Assert.Single(outbox.Fake.Sent);
        var record = await outbox.RecordOf("slash:unsure");
        Assert.Equal(OutboxState.Failed, record.State);
        Assert.Contains("monday unreachable", record.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreadablePayloadIsDeadLetteredNotGuessedAt()
    {
        await using var outbox = new OutboxHarness();
        await outbox.Store.AppendAsync(new OutboxAppend("slash:mangled", "slash:mangled", "create", "{\"title\":"));

        var report = await outbox.FlushAsync();

        Assert.Equal(1, report.DeadLettered);
        Assert.Empty(outbox.Fake.Sent);
        Assert.StartsWith("Unreadable payload", (await outbox.RecordOf("slash:mangled")).LastError, StringComparison.Ordinal);
    }
}
