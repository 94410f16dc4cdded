using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Core.Sync;

/// <summary>The bot's local view of the ledger that sync keeps current (the surface's item index).</summary>
public interface ILedgerLocalView
{
    /// <summary>The cached active entry with <paramref name="key"/>, null when none.</summary>
    LedgerEntry? Find(LedgerKey key);

    /// <summary>Stores <paramref name="entry"/>; an inactive (archived) entry leaves the view.</summary>
    void Upsert(LedgerEntry entry);
}

/// <summary>What one poll did.</summary>
/// <param name="Deferred">True when writes needed the budget and nothing was read; the next poll catches up.</param>
public sealed record SyncPollResult(int ItemsRead, int Changes, int Requests, bool Deferred, DateTimeOffset? Watermark);

/// <summary>
/// monday → bot reconciliation: reads what changed on the board (polls, or one item when a webhook hints at it),
/// compares it with the local view, stores monday's version and publishes <see cref="LedgerItemChangedOnMonday"/> for
/// every entry that differs. monday is the canonical ledger: its version always wins the local view.
/// </summary>
public sealed partial class LedgerSync(MondayChangeFeed feed, ILedger ledger, ILedgerLocalView view, IEventBus bus, TimeProvider time, ILogger<LedgerSync> logger) : IDisposable
{
    // One reconcile at a time: a poll and a webhook re-read of the same item must not publish the same change twice.
    private readonly SemaphoreSlim _reconcile = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _ownWrites = new(StringComparer.Ordinal);
    private DateTimeOffset? _watermark;

    /// <summary>The newest <c>updated_at</c> the last complete poll saw; null before the first poll.</summary>
    public DateTimeOffset? Watermark => _watermark;

    public async Task<SyncPollResult> PollAsync(CancellationToken cancellationToken)
    {
        ChangedItems changed;
        try
        {
            changed = await feed.ReadChangedSinceAsync(_watermark, cancellationToken);
        }
        catch (MondayReadDeferredException)
        {
            LogDeferred(logger);
            return new SyncPollResult(0, 0, 0, Deferred: true, _watermark);
        }

        var changes = await ReconcileAsync(changed.Entries, cancellationToken);
        if (changed.Complete)
        {
            _watermark = changed.Watermark;
        }

        return new SyncPollResult(changed.Entries.Count, changes.Count, changed.Requests, Deferred: false, _watermark);
    }

    /// <summary>Own writes confirmed but not yet absorbed into the view.</summary>
    public int PendingOwnWrites => _ownWrites.Count;

    /// <summary>
    /// The bot itself changed <paramref name="ledgerKey"/> on monday (an outbox confirmation). Until
    /// <see cref="AbsorbOwnWritesAsync"/> has stored monday's version, a poll or webhook re-read stores it silently
    /// instead of announcing the bot's own write as a change made on monday.
    /// </summary>
    public void NoteOwnWrite(string ledgerKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ledgerKey);
        _ownWrites[ledgerKey] = 0;
    }

    /// <summary>
    /// Re-reads entries the bot just wrote (100 per request) and stores them in the view without raising events, so the
    /// view matches monday after the bot's own writes, whatever surface made them. The marks are cleared even when the
    /// read fails: a mark left behind would hide later edits made on monday.
    /// </summary>
    public async Task AbsorbOwnWritesAsync(IReadOnlyCollection<(string LedgerKey, string MondayItemId)> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        try
        {
            var entries = await ledger.GetByIdsAsync([.. writes.Select(w => w.MondayItemId).Distinct(StringComparer.Ordinal)], cancellationToken);
            await _reconcile.WaitAsync(cancellationToken);
            try
            {
                foreach (var entry in entries)
                {
                    view.Upsert(entry);
                }
            }
            finally
            {
                _reconcile.Release();
            }
        }
        finally
        {
            foreach (var (key, _) in writes)
            {
                _ownWrites.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Re-reads one item (a webhook's hint: its payload is never trusted) and reconciles it.</summary>
    public async Task<LedgerItemChangedOnMonday?> RefreshItemAsync(string mondayItemId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mondayItemId);
        var entries = await ledger.GetByIdsAsync([mondayItemId], cancellationToken);
        var changes = await ReconcileAsync(entries, cancellationToken);
        return changes.Count > 0 ? changes[0] : null;
    }

    public void Dispose() => _reconcile.Dispose();

    private async Task<List<LedgerItemChangedOnMonday>> ReconcileAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        var changes = new List<LedgerItemChangedOnMonday>();
        await _reconcile.WaitAsync(cancellationToken);
        try
        {
            var observedAt = time.GetUtcNow();
            foreach (var after in entries)
            {
                var before = view.Find(after.Key);
                var fields = LedgerChangeDetector.Compare(before, after);
                view.Upsert(after);
                var ownWrite = _ownWrites.ContainsKey(after.Key.Value);
                // An entry the view never held carries a ledger key, so the ledger (this bot, the CLI, another process)
                // created it, not a person on monday: it joins the view silently. So does the bot's own latest write.
                if (fields == LedgerFields.None || before is null || ownWrite)
                {
                    continue;
                }

                var change = new LedgerItemChangedOnMonday(before, after, fields, observedAt);
                changes.Add(change);
                LogChanged(logger, after.Key.Value, after.MondayItemId, LedgerChangeDetector.Describe(fields));
                bus.Publish(change);
            }
        }
        finally
        {
            _reconcile.Release();
        }

        return changes;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "monday changed {LedgerKey} (item {ItemId}): {Fields}")]
    private static partial void LogChanged(ILogger logger, string ledgerKey, string itemId, string fields);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sync poll deferred: writes need the complexity budget")]
    private static partial void LogDeferred(ILogger logger);
}
