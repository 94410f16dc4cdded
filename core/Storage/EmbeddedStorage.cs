using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Core.Storage;

/// <summary>
/// The in-process store: <see cref="CreateInMemory"/> for tests and throwaway runs, <see cref="OpenFile"/> for the
/// default durable store (journal + snapshots, see <see cref="FileJournal"/>). Both run the same state machine, so
/// they behave identically; the file store acknowledges a change only once it is fsynced.
/// </summary>
public sealed class EmbeddedStorage : IStorageBackend
{
    private readonly object _gate = new();
    private readonly OutboxBook _book = new();
    private readonly TimeProvider _time;
    private FileJournal? _journal;
    private bool _disposed;

    private EmbeddedStorage(string name, TimeProvider time)
    {
        Name = name;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public string Name { get; }

    /// <summary>Only for the file store: the journal generation now being written (grows with each snapshot).</summary>
    internal long? JournalGeneration => _journal?.Generation;

    public static EmbeddedStorage CreateInMemory(TimeProvider time) => new("memory", time);

    /// <summary>
    /// Opens (creating if needed) a data directory: takes its lock, loads the snapshot, replays the journal, truncating
    /// a torn tail (logged). Throws <see cref="StorageLockedException"/> when another writer holds it and
    /// <see cref="StorageCorruptedException"/> on corruption that is not a torn tail (unless repair is requested).
    /// </summary>
    public static EmbeddedStorage OpenFile(string dataDirectory, TimeProvider time, ILogger<EmbeddedStorage>? logger = null, int snapshotEvery = 10_000, bool repairCorruptJournal = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(snapshotEvery, 1);
        var storage = new EmbeddedStorage("file", time);
        storage._journal = FileJournal.Open(
            Path.GetFullPath(dataDirectory),
            snapshotEvery,
            repairCorruptJournal,
            storage._book,
            storage.CaptureForSnapshot,
            time,
            (ILogger?)logger ?? NullLogger.Instance);
        return storage;
    }

    public Task<OutboxAppendResult> AppendAsync(OutboxAppend command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return MutateAsync(now => _book.Append(command, now));
    }

    public Task<IReadOnlyList<OutboxRecord>> ClaimBatchAsync(int maxRecords, TimeSpan claimDuration, CancellationToken cancellationToken = default) =>
        MutateAsync(now => _book.Claim(maxRecords, claimDuration, now));

    public Task<IReadOnlyList<OutboxRecord>> RenewClaimsAsync(IReadOnlyList<OutboxClaim> claims, TimeSpan claimDuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(claimDuration, TimeSpan.Zero);
        return MutateAsync(now => _book.Renew(claims, claimDuration, now));
    }

    public Task<OutboxRecord> MarkConfirmedAsync(string idempotencyKey, string mondayItemId, int? claimVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(mondayItemId);
        return MutateAsync(now => _book.MarkConfirmed(idempotencyKey, mondayItemId, claimVersion, now));
    }

    public Task<OutboxRecord> MarkFailedAsync(string idempotencyKey, string reason, DateTimeOffset? retryAt, int? claimVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return MutateAsync(now => _book.MarkFailed(idempotencyKey, reason, retryAt, claimVersion, now));
    }

    public Task<OutboxRecord?> GetAsync(string idempotencyKey, CancellationToken cancellationToken = default) =>
        ReadAsync(() => _book.Get(idempotencyKey));

    public Task<IReadOnlyList<OutboxRecord>> ListAsync(OutboxState state, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync(() => _book.List(state, limit));
    }

    public Task<OutboxCounts> CountAsync(CancellationToken cancellationToken = default) => ReadAsync(_book.Count);

    public Task<int> PurgeConfirmedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        return MutateAsync(now => _book.PurgeConfirmed(now - olderThan));
    }

    public Task<LedgerCacheEntry?> GetEntryAsync(string ledgerKey, CancellationToken cancellationToken = default) =>
        ReadAsync(() => _book.GetLedger(ledgerKey));

    public Task SetEntryAsync(LedgerCacheEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        OutboxAppend.ValidateKey(entry.LedgerKey, nameof(entry.LedgerKey), OutboxAppend.MaxKeyLength);
        return MutateAsync(_ => (true, _book.SetLedger(entry)));
    }

    public Task<bool> RemoveEntryAsync(string ledgerKey, CancellationToken cancellationToken = default) =>
        MutateAsync(_ =>
        {
            var changes = _book.RemoveLedger(ledgerKey);
            return (changes is not null, changes);
        });

    public Task<bool> CompareAndSetEntryAsync(string ledgerKey, string? expectedJson, LedgerCacheEntry? replacement, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ledgerKey);
        if (replacement is not null && replacement.LedgerKey != ledgerKey)
        {
            throw new ArgumentException($"The replacement is for '{replacement.LedgerKey}', not '{ledgerKey}'.", nameof(replacement));
        }

        OutboxAppend.ValidateKey(ledgerKey, nameof(ledgerKey), OutboxAppend.MaxKeyLength);
        return MutateAsync(_ =>
        {
            if (_book.GetLedger(ledgerKey)?.EntryJson != expectedJson)
            {
                return (false, (StorageChangeSet?)null);
            }

            return replacement is null ? (true, _book.RemoveLedger(ledgerKey)) : (true, _book.SetLedger(replacement));
        });
    }

    public Task<bool> TryMarkAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        OutboxAppend.ValidateKey(key, nameof(key), OutboxAppend.MaxKeyLength);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        return MutateAsync(now => _book.TryMarkDedupe(key, now + timeToLive, now));
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        if (_journal is not null)
        {
            await _journal.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Everything this store holds that another store should take over (failover reconciliation).</summary>
    internal StorageTransfer ExportForTransfer()
    {
        lock (_gate)
        {
            return new StorageTransfer(_book.AllRecords(), _book.AllLedgerEntries(), _book.LiveDedupeMarks(_time.GetUtcNow()));
        }
    }

    /// <summary>Forgets what was transferred; ledger entries only if unchanged since the export.</summary>
    internal Task ForgetTransferredAsync(StorageTransfer transfer) =>
        MutateAsync(_ =>
        {
            var removed = _book.RemoveRecords([.. transfer.Records.Select(r => r.IdempotencyKey)]);
            var ledgerKeys = transfer.LedgerEntries
                .Where(entry => _book.GetLedger(entry.LedgerKey) == entry)
                .Select(entry => entry.LedgerKey)
                .ToList();
            foreach (var key in ledgerKeys)
            {
                _book.RemoveLedger(key);
            }

            var changes = removed is null && ledgerKeys.Count == 0
                ? null
                : new StorageChangeSet { RemovedRecords = removed?.RemovedRecords, RemovedLedgerKeys = ledgerKeys };
            return (true, changes);
        });

    private StorageChangeSet CaptureForSnapshot()
    {
        lock (_gate)
        {
            return _book.Capture(_time.GetUtcNow());
        }
    }

    private async Task<T> MutateAsync<T>(Func<DateTimeOffset, (T Result, StorageChangeSet? Changes)> mutation)
    {
        T result;
        Task durable;
        lock (_gate)
        {
            ThrowIfUnusable();
            (result, var changes) = mutation(_time.GetUtcNow());
            durable = _journal is null ? Task.CompletedTask : changes is null ? _journal.LastCommit : _journal.Append(changes);
        }

        // Answers that changed nothing (a duplicate append, a repeated confirm) still wait for whatever they
        // reflect to be on disk, so no caller is ever told about something a crash could take back.
        await durable.ConfigureAwait(false);
        return result;
    }

    private async Task<T> ReadAsync<T>(Func<T> read)
    {
        T result;
        Task durable;
        lock (_gate)
        {
            ThrowIfUnusable();
            result = read();
            durable = _journal?.LastCommit ?? Task.CompletedTask;
        }

        await durable.ConfigureAwait(false);
        return result;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_journal?.Fault is { } fault)
        {
            throw new StorageException($"The file store is unusable after a journal write failure: {fault.Message}", fault);
        }
    }
}

/// <summary>A store's content handed to another store.</summary>
internal sealed record StorageTransfer(IReadOnlyList<OutboxRecord> Records, IReadOnlyList<LedgerCacheEntry> LedgerEntries, IReadOnlyList<DedupeMark> DedupeMarks)
{
    public bool IsEmpty => Records.Count == 0 && LedgerEntries.Count == 0 && DedupeMarks.Count == 0;
}
