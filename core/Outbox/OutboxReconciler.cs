using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>What one reconciliation pass found: lapsed claims checked, and how many of them monday already held.</summary>
public sealed record OutboxReconcileReport(int Checked, int Confirmed)
{
    public static OutboxReconcileReport Nothing { get; } = new(0, 0);
}

/// <summary>
/// Makes "sent but never confirmed" harmless. A create that may have reached monday (its claim lapsed after a crash,
/// or it is being claimed again after an unanswered attempt) is looked up on the board by its ledger key before
/// anything is re-sent; found means confirmed with that item id, without a second create.
/// Pending records need no check: a record is durably claimed (Sent) before its request leaves the process.
/// Non-create commands are not looked up: re-applying a status, details, move, escalation or archive leaves the
/// item as it is (the ledger answers Replayed), and the ledger key proves nothing about them.
/// </summary>
public sealed partial class OutboxReconciler
{
    /// <summary>Lapsed claims examined per pass; the rest are reached by the next pass or by the flusher's own check.</summary>
    public const int MaxRecordsPerPass = 1_000;

    private readonly IOutboxStore _store;
    private readonly ILedgerKeyLookup _lookup;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxReconciler> _logger;
    private readonly OutboxOutcomeRecorder _outcomes;

    public OutboxReconciler(IOutboxStore store, ILedgerKeyLookup lookup, IOutboxEventSink events, TimeProvider time, ILogger<OutboxReconciler> logger)
    {
        _store = store;
        _lookup = lookup;
        _time = time;
        _logger = logger;
        _outcomes = new OutboxOutcomeRecorder(store, events, logger);
    }

    /// <summary>
    /// Confirms every Sent record whose claim lapsed and whose create monday already holds. Records not found are left
    /// for the flusher, which claims them again (and checks once more right before re-sending).
    /// Throws when the store or monday cannot be asked; nothing is changed then.
    /// </summary>
    public async Task<OutboxReconcileReport> ReconcileAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var sent = await _store.ListAsync(OutboxState.Sent, MaxRecordsPerPass, cancellationToken).ConfigureAwait(false);
        var lapsed = sent.Where(r => r.NextAttemptAt is { } lapsesAt && lapsesAt <= now).ToList();
        if (lapsed.Count == 0)
        {
            return OutboxReconcileReport.Nothing;
        }

        var creates = Decode(lapsed).Where(c => c.Command is CreateLedgerEntry).ToList();
        var applied = await FindAppliedAsync(creates, cancellationToken).ConfigureAwait(false);
        var confirmed = 0;
        foreach (var (record, _) in creates)
        {
            if (applied.TryGetValue(record.IdempotencyKey, out var itemId)
                && await _outcomes.ConfirmAsync(record, itemId, reconciled: true, cancellationToken).ConfigureAwait(false))
            {
                confirmed++;
            }
        }

        LogPass(_logger, lapsed.Count, confirmed);
        return new OutboxReconcileReport(lapsed.Count, confirmed);
    }

    /// <summary>
    /// Of the given commands, the creates whose entry already exists on the board: idempotency key → monday item id.
    /// Only creates are looked up (see the class remarks). Throws when monday cannot be asked.
    /// </summary>
    internal async Task<IReadOnlyDictionary<string, string>> FindAppliedAsync(IReadOnlyCollection<DecodedRecord> candidates, CancellationToken cancellationToken)
    {
        var creates = candidates.Where(c => c.Command is CreateLedgerEntry).ToList();
        if (creates.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        var found = await _lookup.FindByKeysAsync([.. creates.Select(c => c.Command.Key).Distinct()], cancellationToken).ConfigureAwait(false);
        return creates
            .Where(c => found.ContainsKey(c.Command.Key))
            .ToDictionary(c => c.Record.IdempotencyKey, c => found[c.Command.Key].MondayItemId, StringComparer.Ordinal);
    }

    private IEnumerable<DecodedRecord> Decode(IEnumerable<OutboxRecord> records)
    {
        foreach (var record in records)
        {
            LedgerCommand command;
            try
            {
                command = OutboxCommandCodec.Deserialize(record.CommandKind, record.PayloadJson);
            }
            catch (OutboxPayloadException unreadable)
            {
                // The flusher dead-letters it when it claims it; nothing to look up here.
                LogUnreadable(_logger, record.IdempotencyKey, unreadable.Message);
                continue;
            }

            yield return new DecodedRecord(record, command);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciled {Checked} lapsed claim(s) against monday; {Confirmed} were already on the board")]
    private static partial void LogPass(ILogger logger, int @checked, int confirmed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox record {IdempotencyKey} has an unreadable payload: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string idempotencyKey, string problem);
}

/// <summary>An outbox record with its command read back from the payload.</summary>
internal sealed record DecodedRecord(OutboxRecord Record, LedgerCommand Command);
