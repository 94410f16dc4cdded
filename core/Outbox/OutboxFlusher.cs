using System.Diagnostics;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>What one flush did with the records it claimed.</summary>
/// <param name="LeasesLost">Claimed records not sent because another flusher claimed them again meanwhile.</param>
public sealed record OutboxFlushReport(int Claimed, int Sent, int Confirmed, int Reconciled, int Retrying, int DeadLettered, int LeasesLost = 0)
{
    public static OutboxFlushReport Nothing { get; } = new(0, 0, 0, 0, 0, 0);
}

/// <summary>
/// Moves recorded commands to monday. Each flush claims a batch (the store hands out one record per ledger key, so
/// commands about one entry apply in order while different entries travel together), checks re-sent creates against
/// the board first, sends the rest through <see cref="ILedger.ExecuteBatchAsync"/> as one batched call (comments and
/// follow-ups each on their own, see <see cref="SendAsync"/>), and records
/// each outcome: confirmed with the monday item id, retried later with back-off, or dead-lettered with the reason.
/// </summary>
public sealed partial class OutboxFlusher
{
    private readonly IOutboxStore _store;
    private readonly ILedger _ledger;
    private readonly OutboxReconciler _reconciler;
    private readonly OutboxOptions _options;
    private readonly OutboxRetryPolicy _retry;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxFlusher> _logger;
    private readonly OutboxOutcomeRecorder _outcomes;

    public OutboxFlusher(
        IOutboxStore store,
        ILedger ledger,
        OutboxReconciler reconciler,
        IOutboxEventSink events,
        IOptions<OutboxOptions> options,
        TimeProvider time,
        ILogger<OutboxFlusher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _ledger = ledger;
        _reconciler = reconciler;
        _options = options.Value;
        _retry = new OutboxRetryPolicy(_options);
        _time = time;
        _logger = logger;
        _outcomes = new OutboxOutcomeRecorder(store, events, logger);
    }

    /// <summary>
    /// Claims and sends one batch. Throws only when the store fails (or on cancellation): the claimed records then stay
    /// Sent until their claim lapses and are reconciled, so nothing is lost and nothing is sent twice.
    /// </summary>
    public async Task<OutboxFlushReport> FlushOnceAsync(CancellationToken cancellationToken)
    {
        var claimed = await _store.ClaimBatchAsync(_options.BatchSize, _options.ClaimDuration, cancellationToken).ConfigureAwait(false);
        if (claimed.Count == 0)
        {
            return OutboxFlushReport.Nothing;
        }

        // A span only for flushes that claimed work: the idle polls would drown the traces.
        // Linked to every recording request's trace: the flush runs on its own schedule, so it has no parent.
        using var activity = CoreTelemetry.Source.StartActivity(
            "outbox.flush",
            ActivityKind.Internal,
            parentContext: default,
            links: [.. claimed.Select(r => OutboxCommandCodec.OriginOf(r.PayloadJson)).OfType<ActivityContext>().Distinct().Select(origin => new ActivityLink(origin))]);
        activity?.SetTag("outbox.claimed", claimed.Count);
        var tally = new Tally { Claimed = claimed.Count };
        await using var leases = new OutboxLeaseKeeper(_store, claimed, _options, _time, _logger);
        var decoded = new List<DecodedRecord>(claimed.Count);
        foreach (var record in claimed)
        {
            try
            {
                decoded.Add(new DecodedRecord(record, OutboxCommandCodec.Deserialize(record.CommandKind, record.PayloadJson)));
            }
            catch (OutboxPayloadException unreadable)
            {
                await FailAsync(record, $"Unreadable payload: {unreadable.Message}", retryAt: null, tally, leases, cancellationToken).ConfigureAwait(false);
            }
        }

        var toSend = await SettleAlreadyAppliedAsync(decoded, tally, leases, cancellationToken).ConfigureAwait(false);
        if (toSend.Count > 0)
        {
            foreach (var (sent, result) in await SendAsync(toSend, tally, leases, cancellationToken).ConfigureAwait(false))
            {
                await RecordResultAsync(sent.Record, result, tally, leases, cancellationToken).ConfigureAwait(false);
            }
        }

        tally.LeasesLost = leases.Lost;
        var report = tally.ToReport();
        activity?.SetTag("outbox.sent", report.Sent);
        activity?.SetTag("outbox.confirmed", report.Confirmed);
        activity?.SetTag("outbox.retrying", report.Retrying);
        activity?.SetTag("outbox.dead_lettered", report.DeadLettered);
        activity?.SetTag("outbox.commands", string.Join(",", claimed.Select(r => r.IdempotencyKey)));
        LogFlushed(_logger, report.Claimed, report.Sent, report.Confirmed, report.Reconciled, report.Retrying, report.DeadLettered, report.LeasesLost);
        return report;
    }

    /// <summary>
    /// A record claimed before (an earlier attempt crashed, lapsed or went unanswered) may already be on monday:
    /// such creates are looked up by ledger key and confirmed when found. If monday cannot be asked, they wait for the
    /// next attempt rather than risk a duplicate. Returns what still has to be sent.
    /// </summary>
    private async Task<List<DecodedRecord>> SettleAlreadyAppliedAsync(List<DecodedRecord> decoded, Tally tally, OutboxLeaseKeeper leases, CancellationToken cancellationToken)
    {
        var suspects = decoded.Where(d => d.Record.Attempts > 1 && d.Command is CreateLedgerEntry).ToList();
        if (suspects.Count == 0)
        {
            return decoded;
        }

        IReadOnlyDictionary<string, string> applied;
        try
        {
            applied = await _reconciler.FindAppliedAsync(suspects, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception lookupFailure) when (lookupFailure is not OperationCanceledException)
        {
            var now = _time.GetUtcNow();
            foreach (var suspect in suspects)
            {
                var reason = $"Could not check monday for an earlier attempt before re-sending: {lookupFailure.Message}";
                await FailAsync(suspect.Record, reason, _retry.NextAttempt(suspect.Record.Attempts, null, now), tally, leases, cancellationToken).ConfigureAwait(false);
            }

            return decoded.Except(suspects).ToList();
        }

        foreach (var suspect in suspects.Where(s => applied.ContainsKey(s.Record.IdempotencyKey)))
        {
            leases.Release(suspect.Record);
        }

        foreach (var suspect in suspects)
        {
            if (applied.TryGetValue(suspect.Record.IdempotencyKey, out var itemId)
                && await _outcomes.ConfirmAsync(suspect.Record, itemId, reconciled: true, cancellationToken).ConfigureAwait(false))
            {
                tally.Reconciled++;
            }
        }

        return decoded.Where(d => !applied.ContainsKey(d.Record.IdempotencyKey)).ToList();
    }

    /// <summary>
    /// Sends the idempotent commands as one batch and each command that adds something new (a comment, a follow-up)
    /// in a request of its own. A one-command request carries that command's own Idempotency-Key (ledger key, origin
    /// key, operation), identical on every re-send, so monday replays it instead of adding a second update or subitem
    /// after an unanswered attempt; a batch's key changes with its composition and could not protect them.
    /// Every request goes out only for records whose lease this flusher still holds (renewed just before).
    /// </summary>
    private async Task<List<(DecodedRecord Sent, LedgerResult Result)>> SendAsync(List<DecodedRecord> toSend, Tally tally, OutboxLeaseKeeper leases, CancellationToken cancellationToken)
    {
        var results = new List<(DecodedRecord, LedgerResult)>(toSend.Count);
        var batched = await leases.KeepHeldAsync(toSend.Where(d => !MustTravelAlone(d.Command)).ToList(), d => d.Record, cancellationToken).ConfigureAwait(false);
        if (batched.Count > 0)
        {
            tally.Sent += batched.Count;
            var batchResults = await ExecuteAsync([.. batched.Select(d => d.Command)], cancellationToken).ConfigureAwait(false);
            results.AddRange(batched.Zip(batchResults));
        }

        foreach (var alone in toSend.Where(d => MustTravelAlone(d.Command)))
        {
            if ((await leases.KeepHeldAsync([alone], d => d.Record, cancellationToken).ConfigureAwait(false)).Count == 1)
            {
                tally.Sent++;
                results.Add((alone, (await ExecuteAsync([alone.Command], cancellationToken).ConfigureAwait(false))[0]));
            }
        }

        return results;
    }

    private static bool MustTravelAlone(LedgerCommand command) => command is CommentOnLedgerEntry or AddLedgerFollowUp;

    private async Task<IReadOnlyList<LedgerResult>> ExecuteAsync(List<LedgerCommand> commands, CancellationToken cancellationToken)
    {
        IReadOnlyList<LedgerResult> results;
        try
        {
            results = await _ledger.ExecuteBatchAsync(commands, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // The ledger promises per-command results; an exception here is unexpected, so treat the batch as unanswered.
            LogBatchThrew(_logger, commands.Count, failure);
            return [.. commands.Select(c => new LedgerRetryable(c, $"The ledger failed the batch: {failure.Message}", null))];
        }

        if (results.Count != commands.Count)
        {
            throw new InvalidOperationException($"The ledger returned {results.Count} results for {commands.Count} commands.");
        }

        return results;
    }

    private async Task RecordResultAsync(OutboxRecord record, LedgerResult result, Tally tally, OutboxLeaseKeeper leases, CancellationToken cancellationToken)
    {
        leases.Release(record);
        switch (result)
        {
            case LedgerApplied applied:
                if (await _outcomes.ConfirmAsync(record, applied.MondayItemId, reconciled: false, cancellationToken).ConfigureAwait(false))
                {
                    tally.Confirmed++;
                }

                break;
            case LedgerRejected rejected:
                await FailAsync(record, $"Rejected ({rejected.Kind}): {rejected.Reason}", retryAt: null, tally, leases, cancellationToken).ConfigureAwait(false);
                break;
            case LedgerRetryable retryable:
                var retryAt = _retry.NextAttempt(record.Attempts, retryable.RetryAfter, _time.GetUtcNow());
                var reason = retryAt is null ? $"Gave up after {record.Attempts} attempts: {retryable.Reason}" : retryable.Reason;
                await FailAsync(record, reason, retryAt, tally, leases, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new InvalidOperationException($"Unknown ledger result {result.GetType().Name}.");
        }
    }

    private async Task FailAsync(OutboxRecord record, string reason, DateTimeOffset? retryAt, Tally tally, OutboxLeaseKeeper leases, CancellationToken cancellationToken)
    {
        leases.Release(record);
        if (await _outcomes.FailAsync(record, reason, retryAt, cancellationToken).ConfigureAwait(false))
        {
            if (retryAt is null)
            {
                tally.DeadLettered++;
            }
            else
            {
                tally.Retrying++;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Flushed: claimed {Claimed}, sent {Sent}, confirmed {Confirmed}, reconciled {Reconciled}, retrying {Retrying}, dead-lettered {DeadLettered}, leases lost {LeasesLost}")]
    private static partial void LogFlushed(ILogger logger, int claimed, int sent, int confirmed, int reconciled, int retrying, int deadLettered, int leasesLost);

    [LoggerMessage(Level = LogLevel.Error, Message = "The ledger threw for a batch of {Count} commands; they will be retried")]
    private static partial void LogBatchThrew(ILogger logger, int count, Exception exception);

    private sealed class Tally
    {
        public int Claimed { get; init; }

        public int Sent { get; set; }

        public int Confirmed { get; set; }

        public int Reconciled { get; set; }

        public int Retrying { get; set; }

        public int DeadLettered { get; set; }

        public int LeasesLost { get; set; }

        public OutboxFlushReport ToReport() => new(Claimed, Sent, Confirmed, Reconciled, Retrying, DeadLettered, LeasesLost);
    }
}
