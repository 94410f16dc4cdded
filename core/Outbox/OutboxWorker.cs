using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>Totals of a drain and where the outbox stands at its end.</summary>
public sealed record OutboxDrainReport(int Flushes, int Sent, int Confirmed, int Reconciled, int Retried, int DeadLettered, OutboxCounts Final);

/// <summary>
/// The loop around <see cref="OutboxFlusher"/> and <see cref="OutboxReconciler"/>: reconcile at start and every
/// <see cref="OutboxOptions.ReconcileInterval"/>, flush back to back while there is work and every
/// <see cref="OutboxOptions.FlushInterval"/> when idle. A failing store or monday is logged and tried again on the
/// next turn; the loop itself only ends by cancellation (<see cref="RunAsync"/>) or once settled (<see cref="DrainAsync"/>).
/// </summary>
public sealed partial class OutboxWorker
{
    private readonly OutboxFlusher _flusher;
    private readonly OutboxReconciler _reconciler;
    private readonly IOutboxStore _store;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxWorker> _logger;

    public OutboxWorker(OutboxFlusher flusher, OutboxReconciler reconciler, IOutboxStore store, IOptions<OutboxOptions> options, TimeProvider time, ILogger<OutboxWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _flusher = flusher;
        _reconciler = reconciler;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires (the bot host).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => LoopAsync(stopWhenSettled: false, cancellationToken);

    /// <summary>
    /// Runs until every record is confirmed or dead-lettered (nothing Pending, Sent, or waiting for a retry) — the
    /// operator's `bot ingest drain`. Cancellation ends it early with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public Task<OutboxDrainReport> DrainAsync(CancellationToken cancellationToken) => LoopAsync(stopWhenSettled: true, cancellationToken);

    /// <summary>True when nothing is left to send: no Pending or Sent record and no failed record waiting for a retry.</summary>
    public async Task<bool> IsSettledAsync(CancellationToken cancellationToken)
    {
        var counts = await _store.CountAsync(cancellationToken).ConfigureAwait(false);
        if (counts.Pending > 0 || counts.Sent > 0)
        {
            return false;
        }

        if (counts.Failed == 0)
        {
            return true;
        }

        var failed = await _store.ListAsync(OutboxState.Failed, (int)Math.Min(counts.Failed, int.MaxValue), cancellationToken).ConfigureAwait(false);
        return failed.All(r => r.NextAttemptAt is null);
    }

    private async Task<OutboxDrainReport> LoopAsync(bool stopWhenSettled, CancellationToken cancellationToken)
    {
        var totals = new Totals();
        await ReconcileAsync(totals, cancellationToken).ConfigureAwait(false);
        var nextReconcile = _time.GetUtcNow() + _options.ReconcileInterval;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var flush = await FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush is not null)
            {
                totals.Add(flush);
            }

            if (_time.GetUtcNow() >= nextReconcile)
            {
                await ReconcileAsync(totals, cancellationToken).ConfigureAwait(false);
                nextReconcile = _time.GetUtcNow() + _options.ReconcileInterval;
            }

            var idle = flush is null || flush.Claimed == 0;
            if (idle && stopWhenSettled && await SettledAsync(cancellationToken).ConfigureAwait(false))
            {
                var final = await _store.CountAsync(cancellationToken).ConfigureAwait(false);
                return new OutboxDrainReport(totals.Flushes, totals.Sent, totals.Confirmed, totals.Reconciled, totals.Retried, totals.DeadLettered, final);
            }

            if (idle)
            {
                await Task.Delay(_options.FlushInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<OutboxFlushReport?> FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _flusher.FlushOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            LogFlushFailed(_logger, failure);
            return null;
        }
    }

    private async Task ReconcileAsync(Totals totals, CancellationToken cancellationToken)
    {
        try
        {
            var report = await _reconciler.ReconcileAsync(cancellationToken).ConfigureAwait(false);
            totals.Reconciled += report.Confirmed;
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            LogReconcileFailed(_logger, failure);
        }
    }

    private async Task<bool> SettledAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await IsSettledAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException failure)
        {
            LogFlushFailed(_logger, failure);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox flush failed; claimed records stay Sent until their claim lapses and are reconciled then")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox reconciliation failed; it runs again at the next interval, and the flusher checks re-sent creates itself")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);

    private sealed class Totals
    {
        public int Flushes { get; set; }

        public int Sent { get; set; }

        public int Confirmed { get; set; }

        public int Reconciled { get; set; }

        public int Retried { get; set; }

        public int DeadLettered { get; set; }

        public void Add(OutboxFlushReport flush)
        {
            if (flush.Claimed == 0)
            {
                return;
            }

            Flushes++;
            Sent += flush.Sent;
            Confirmed += flush.Confirmed;
            Reconciled += flush.Reconciled;
            Retried += flush.Retrying;
            DeadLettered += flush.DeadLettered;
        }
    }
}
