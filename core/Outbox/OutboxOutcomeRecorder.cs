using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>Writes an outcome to the store first and publishes the event only once the store holds it.</summary>
internal sealed partial class OutboxOutcomeRecorder(IOutboxStore store, IOutboxEventSink events, ILogger logger)
{
    /// <summary>Sent → Confirmed and a Confirmed event; false when the record had moved on (then nothing is published).</summary>
    public async Task<bool> ConfirmAsync(OutboxRecord record, string mondayItemId, bool reconciled, CancellationToken cancellationToken)
    {
        OutboxRecord confirmed;
        try
        {
            // Fenced by the version this flusher claimed (or the reconciler listed): a record claimed again since is not ours to settle.
            confirmed = await store.MarkConfirmedAsync(record.IdempotencyKey, mondayItemId, record.Version, cancellationToken).ConfigureAwait(false);
        }
        catch (OutboxStateConflictException conflict)
        {
            // Another flusher (shared Redis) or an earlier reconcile settled it; a different item id means two items
            // carry one ledger key, which only an operator can untangle.
            if (conflict.Current.State == OutboxState.Confirmed && conflict.Current.MondayItemId != mondayItemId)
            {
                LogConfirmedElsewhere(logger, record.IdempotencyKey, conflict.Current.MondayItemId, mondayItemId);
            }
            else
            {
                LogMovedOn(logger, record.IdempotencyKey, conflict.Current.State.ToString());
            }

            return false;
        }

        events.Publish(new OutboxCommandConfirmed(confirmed.IdempotencyKey, confirmed.PartitionKey, confirmed.CommandKind, confirmed.Attempts, mondayItemId, reconciled));
        return true;
    }

    /// <summary>Sent → Failed (retry at <paramref name="retryAt"/>, or dead-lettered when null) and a Failed event.</summary>
    public async Task<bool> FailAsync(OutboxRecord record, string reason, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        OutboxRecord failed;
        try
        {
            failed = await store.MarkFailedAsync(record.IdempotencyKey, reason, retryAt, record.Version, cancellationToken).ConfigureAwait(false);
        }
        catch (OutboxStateConflictException conflict)
        {
            LogMovedOn(logger, record.IdempotencyKey, conflict.Current.State.ToString());
            return false;
        }

        if (retryAt is null)
        {
            LogDeadLettered(logger, failed.IdempotencyKey, failed.CommandKind, failed.PartitionKey, failed.Attempts, reason);
        }
        else
        {
            LogRetrying(logger, failed.IdempotencyKey, failed.Attempts, retryAt.Value, reason);
        }

        events.Publish(new OutboxCommandFailed(failed.IdempotencyKey, failed.PartitionKey, failed.CommandKind, failed.Attempts, reason, retryAt));
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox record {IdempotencyKey} is already confirmed with item {ExistingItemId}, but monday also reports item {OtherItemId}; check the board for a duplicate")]
    private static partial void LogConfirmedElsewhere(ILogger logger, string idempotencyKey, string? existingItemId, string otherItemId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox record {IdempotencyKey} is {State} already; leaving it as it is")]
    private static partial void LogMovedOn(ILogger logger, string idempotencyKey, string state);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dead-lettered {IdempotencyKey} ({Kind} for {EntryKey}) after {Attempts} attempt(s): {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string idempotencyKey, string kind, string entryKey, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Attempt {Attempts} of {IdempotencyKey} failed; retrying at {RetryAt:O}: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string idempotencyKey, int attempts, DateTimeOffset retryAt, string reason);
}
