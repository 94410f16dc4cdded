using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Core.Tests.Outbox;

/// <summary>
/// Two flushers on one store (as two bot processes on one Redis), on the fake clock: a flusher renews the leases of a
/// batch while monday is slow, so the other never claims it; one that lost its lease while paused does not send.
/// </summary>
public sealed class OutboxLeaseRenewalTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_flusher_renews_its_leases_while_a_slow_batch_runs_so_no_other_flusher_claims_it()
    {
        var board = new FakeLedger();
        var slow = new HeldLedger(board);
        await using var outbox = new OutboxHarness(Options(), slow);
        await outbox.RecordAsync(OutboxHarness.Create("a"));
        await outbox.RecordAsync(OutboxHarness.Create("b"));

        var release = slow.Hold();
        var first = outbox.Flusher.FlushOnceAsync(CancellationToken.None);
        await slow.Entered.Task.WaitAsync(Eventually.DefaultTimeout);
        var other = SecondFlusher(outbox, outbox.Store, board);

        // Four renewal periods: past the first lease by a third, and the records stay with the first flusher.
        for (var i = 1; i <= 4; i++)
        {
            outbox.Clock.Advance(Lease / 3);
            var leaseEnd = outbox.Clock.GetUtcNow() + Lease;
            await Eventually.TrueAsync(async () => (await outbox.RecordOf("slash:a")).NextAttemptAt == leaseEnd && (await outbox.RecordOf("slash:b")).NextAttemptAt == leaseEnd, $"renewal {i}");
            Assert.Equal(OutboxFlushReport.Nothing, await other.FlushOnceAsync(CancellationToken.None));
        }

        release.SetResult();
        Assert.Equal(new OutboxFlushReport(2, 2, 2, 0, 0, 0), await first);
        Assert.Equal(["slash:a", "slash:b"], board.Sent.Select(c => c.IdempotencyKey).Order(StringComparer.Ordinal));
        Assert.Equal(1, (await outbox.RecordOf("slash:a")).Attempts);
    }

    [Fact]
    public async Task A_flusher_whose_lease_moved_while_it_was_paused_does_not_send_the_record()
    {
        var board = new FakeLedger();
        var slow = new HeldLedger(board);
        await using var outbox = new OutboxHarness(Options(), slow);
        var paused = new PausableRenewals(outbox.Store);
        var stale = SecondFlusher(outbox, paused, slow);
        var other = SecondFlusher(outbox, outbox.Store, board);
        await outbox.RecordAsync(OutboxHarness.Create("e"));
        await outbox.RecordAsync(OutboxHarness.Create("c"));
        await other.FlushOnceAsync(CancellationToken.None);

        // The stale flusher claims a status change (sent in the batch) and a comment (sent alone, after the batch).
        await outbox.RecordAsync(new ChangeLedgerStatus("slash:e-start", OutboxHarness.Key("e"), LedgerStatus.Requested, LedgerStatus.InProgress));
        await outbox.RecordAsync(new CommentOnLedgerEntry("slash:c-note", OutboxHarness.Key("c"), "looked at it"));
        var release = slow.Hold();
        var flush = stale.FlushOnceAsync(CancellationToken.None);
        await slow.Entered.Task.WaitAsync(Eventually.DefaultTimeout);

        // It stalls (its renewals reach the store only later) past its lease; the other flusher claims and sends both.
        var resume = paused.Pause();
        outbox.Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => paused.Waiting > 0, "the stale flusher tried to renew");
        var taken = await other.FlushOnceAsync(CancellationToken.None);
        Assert.Equal((2, 2, 2), (taken.Claimed, taken.Sent, taken.Confirmed));

        // Back from the stall: its renewal is refused, its batch outcome is fenced off, and the comment is not sent again.
        resume.SetResult();
        release.SetResult();
        var report = await flush;
        Assert.Equal(new OutboxFlushReport(2, 1, 0, 0, 0, 0, LeasesLost: 1), report);
        Assert.Single(board.Sent, c => c.IdempotencyKey == "slash:c-note");
        Assert.Equal(OutboxState.Confirmed, (await outbox.RecordOf("slash:c-note")).State);
        Assert.Equal(2, (await outbox.RecordOf("slash:c-note")).Attempts);
    }

    [Fact]
    public async Task Without_renewal_a_slow_batch_is_claimed_and_sent_again_by_another_flusher()
    {
        // What Outbox:RenewLeases=false measures: the lease lapses under a slow call and the other flusher re-sends.
        var board = new FakeLedger();
        var slow = new HeldLedger(board);
        var options = Options();
        options.RenewLeases = false;
        await using var outbox = new OutboxHarness(options, slow);
        await outbox.RecordAsync(new CommentOnLedgerEntry("slash:x-note", OutboxHarness.Key("x"), "note"));
        var release = slow.Hold();
        var first = outbox.Flusher.FlushOnceAsync(CancellationToken.None);
        await slow.Entered.Task.WaitAsync(Eventually.DefaultTimeout);

        outbox.Clock.Advance(Lease);
        var other = SecondFlusher(outbox, outbox.Store, board, options);
        Assert.Equal(1, (await other.FlushOnceAsync(CancellationToken.None)).Sent);
        release.SetResult();
        await first;
        Assert.Equal(2, board.Sent.Count(c => c.IdempotencyKey == "slash:x-note"));
    }

    private static OutboxOptions Options() => new()
    {
        BatchSize = 50,
        ClaimDuration = Lease,
        RetryBaseDelay = TimeSpan.FromSeconds(10),
        RetryMaxDelay = TimeSpan.FromMinutes(5),
        MaxAttempts = 4,
        FlushInterval = TimeSpan.FromSeconds(1),
        ReconcileInterval = TimeSpan.FromMinutes(1),
    };

    private static OutboxFlusher SecondFlusher(OutboxHarness outbox, IOutboxStore store, ILedger ledger, OutboxOptions? options = null)
    {
        var reconciler = new OutboxReconciler(store, new PerKeyLedgerLookup(ledger), outbox.Events, outbox.Clock, NullLogger<OutboxReconciler>.Instance);
        return new OutboxFlusher(store, ledger, reconciler, outbox.Events, Microsoft.Extensions.Options.Options.Create(options ?? outbox.Options), outbox.Clock, NullLogger<OutboxFlusher>.Instance);
    }

    /// <summary>A monday that answers a held batch only when released (a slow call); other calls go straight through.</summary>
    private sealed class HeldLedger(FakeLedger board) : ILedger
    {
        private TaskCompletionSource? _hold;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The next batch waits until the returned source is completed.</summary>
        public TaskCompletionSource Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IReadOnlyList<LedgerResult>> ExecuteBatchAsync(IReadOnlyList<LedgerCommand> commands, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _hold, null) is { } hold)
            {
                Entered.TrySetResult();
                await hold.Task.WaitAsync(cancellationToken);
            }

            return await board.ExecuteBatchAsync(commands, cancellationToken);
        }

        public async Task<LedgerResult> ExecuteAsync(LedgerCommand command, CancellationToken cancellationToken) =>
            (await ExecuteBatchAsync([command], cancellationToken))[0];

        public Task<LedgerEntry?> FindByKeyAsync(LedgerKey key, CancellationToken cancellationToken) => board.FindByKeyAsync(key, cancellationToken);

        public Task<IReadOnlyList<LedgerEntry>> GetByIdsAsync(IReadOnlyCollection<string> mondayItemIds, CancellationToken cancellationToken) => board.GetByIdsAsync(mondayItemIds, cancellationToken);

        public Task<IReadOnlyList<LedgerEntry>> QueryAsync(LedgerQuery query, CancellationToken cancellationToken) => board.QueryAsync(query, cancellationToken);
    }

    /// <summary>The store as a stalled process reaches it: while paused, its lease renewals arrive only after the stall.</summary>
    private sealed class PausableRenewals(IOutboxStore inner) : IOutboxStore
    {
        private TaskCompletionSource? _resume;
        private int _waiting;

        public int Waiting => Volatile.Read(ref _waiting);

        public TaskCompletionSource Pause() => _resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IReadOnlyList<OutboxRecord>> RenewClaimsAsync(IReadOnlyList<OutboxClaim> claims, TimeSpan claimDuration, CancellationToken cancellationToken = default)
        {
            if (_resume is { } resume)
            {
                Interlocked.Increment(ref _waiting);
                await resume.Task.WaitAsync(cancellationToken);
            }

            return await inner.RenewClaimsAsync(claims, claimDuration, cancellationToken);
        }

        public Task<OutboxAppendResult> AppendAsync(OutboxAppend command, CancellationToken cancellationToken = default) => inner.AppendAsync(command, cancellationToken);

        public Task<IReadOnlyList<OutboxRecord>> ClaimBatchAsync(int maxRecords, TimeSpan claimDuration, CancellationToken cancellationToken = default) => inner.ClaimBatchAsync(maxRecords, claimDuration, cancellationToken);

        public Task<OutboxRecord> MarkConfirmedAsync(string idempotencyKey, string mondayItemId, int? claimVersion = null, CancellationToken cancellationToken = default) => inner.MarkConfirmedAsync(idempotencyKey, mondayItemId, claimVersion, cancellationToken);

        public Task<OutboxRecord> MarkFailedAsync(string idempotencyKey, string reason, DateTimeOffset? retryAt, int? claimVersion = null, CancellationToken cancellationToken = default) => inner.MarkFailedAsync(idempotencyKey, reason, retryAt, claimVersion, cancellationToken);

        public Task<OutboxRecord?> GetAsync(string idempotencyKey, CancellationToken cancellationToken = default) => inner.GetAsync(idempotencyKey, cancellationToken);

        public Task<IReadOnlyList<OutboxRecord>> ListAsync(OutboxState state, int limit, CancellationToken cancellationToken = default) => inner.ListAsync(state, limit, cancellationToken);

        public Task<OutboxCounts> CountAsync(CancellationToken cancellationToken = default) => inner.CountAsync(cancellationToken);

        public Task<int> PurgeConfirmedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) => inner.PurgeConfirmedAsync(olderThan, cancellationToken);
    }
}
