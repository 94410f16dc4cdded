namespace DiscordLedgerBot.Core.Storage;

/// <summary>
/// Everything the embedded (memory and file) stores hold, and the rules of the outbox state machine. Not thread-safe:
/// <see cref="EmbeddedStorage"/> serialises access. Every mutation returns a <see cref="StorageChangeSet"/> holding the
/// full new state of what it touched, so replaying change sets is idempotent (the journal relies on that).
/// </summary>
internal sealed class OutboxBook
{
    private readonly Dictionary<string, OutboxRecord> _records = new(StringComparer.Ordinal);

    // Unfinished (non-terminal) records per partition, in append order; the first is the partition's head.
    private readonly Dictionary<string, List<string>> _partitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LedgerCacheEntry> _ledger = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _dedupe = new(StringComparer.Ordinal);
    private long _lastSequence;

    public int RecordCount => _records.Count;

    public (OutboxAppendResult Result, StorageChangeSet? Changes) Append(OutboxAppend command, DateTimeOffset now)
    {
        if (_records.TryGetValue(command.IdempotencyKey, out var existing))
        {
            return (new OutboxAppendResult(existing, Created: false), null);
        }

        var record = new OutboxRecord
        {
            IdempotencyKey = command.IdempotencyKey,
            PartitionKey = command.PartitionKey,
            CommandKind = command.CommandKind,
            PayloadJson = command.PayloadJson,
            State = OutboxState.Pending,
            CreatedAt = now,
            UpdatedAt = now,
            Sequence = ++_lastSequence,
            Version = 1,
        };
        Store(record);
        return (new OutboxAppendResult(record, Created: true), StorageChangeSet.ForRecords([record]));
    }

    public (IReadOnlyList<OutboxRecord> Claimed, StorageChangeSet? Changes) Claim(int maxRecords, TimeSpan claimDuration, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(claimDuration, TimeSpan.Zero);

        // Same order as the Redis store: by the time each head became claimable, ties by partition key.
        var due = _partitions
            .Select(partition => (Partition: partition.Key, Head: _records[partition.Value[0]]))
            .Select(p => (p.Partition, p.Head, ReadyAt: ReadyAt(p.Head)))
            .Where(p => p.ReadyAt <= now)
            .OrderBy(p => p.ReadyAt)
            .ThenBy(p => p.Partition, StringComparer.Ordinal)
            .Take(maxRecords)
            .ToList();
        if (due.Count == 0)
        {
            return ([], null);
        }

        var claimed = new List<OutboxRecord>(due.Count);
        foreach (var (_, head, _) in due)
        {
            var updated = head with
            {
                State = OutboxState.Sent,
                Attempts = head.Attempts + 1,
                NextAttemptAt = now + claimDuration,
                UpdatedAt = now,
                Version = head.Version + 1,
            };
            _records[updated.IdempotencyKey] = updated;
            claimed.Add(updated);
        }

        return (claimed, StorageChangeSet.ForRecords(claimed));
    }

    public (IReadOnlyList<OutboxRecord> Renewed, StorageChangeSet? Changes) Renew(IReadOnlyList<OutboxClaim> claims, TimeSpan claimDuration, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(claimDuration, TimeSpan.Zero);
        var renewed = new List<OutboxRecord>(claims.Count);
        foreach (var claim in claims)
        {
            if (_records.TryGetValue(claim.IdempotencyKey, out var current) && current.State == OutboxState.Sent && current.Version == claim.Version)
            {
                var updated = current with { NextAttemptAt = now + claimDuration, UpdatedAt = now };
                _records[updated.IdempotencyKey] = updated;
                renewed.Add(updated);
            }
        }

        return renewed.Count == 0 ? ([], null) : (renewed, StorageChangeSet.ForRecords(renewed));
    }

    public (OutboxRecord Record, StorageChangeSet? Changes) MarkConfirmed(string idempotencyKey, string mondayItemId, int? claimVersion, DateTimeOffset now)
    {
        var current = Find(idempotencyKey);
        if (claimVersion is { } fence && current.Version != fence)
        {
            throw new OutboxStateConflictException(current, $"confirm (item {mondayItemId}) under claim version {fence}");
        }

        if (current.State == OutboxState.Confirmed && current.MondayItemId == mondayItemId)
        {
            return (current, null);
        }

        if (current.State != OutboxState.Sent)
        {
            throw new OutboxStateConflictException(current, $"confirm (item {mondayItemId})");
        }

        var updated = current with
        {
            State = OutboxState.Confirmed,
            MondayItemId = mondayItemId,
            NextAttemptAt = null,
            UpdatedAt = now,
            Version = current.Version + 1,
        };
        Store(updated);
        return (updated, StorageChangeSet.ForRecords([updated]));
    }

    public (OutboxRecord Record, StorageChangeSet? Changes) MarkFailed(string idempotencyKey, string reason, DateTimeOffset? retryAt, int? claimVersion, DateTimeOffset now)
    {
        var current = Find(idempotencyKey);
        if (claimVersion is { } fence && current.Version != fence)
        {
            throw new OutboxStateConflictException(current, $"mark failed under claim version {fence}");
        }

        if (current.State != OutboxState.Sent)
        {
            throw new OutboxStateConflictException(current, "mark failed");
        }

        var updated = current with
        {
            State = OutboxState.Failed,
            LastError = reason,
            NextAttemptAt = retryAt,
            UpdatedAt = now,
            Version = current.Version + 1,
        };
        Store(updated);
        return (updated, StorageChangeSet.ForRecords([updated]));
    }

    public OutboxRecord? Get(string idempotencyKey) => _records.GetValueOrDefault(idempotencyKey);

    public IReadOnlyList<OutboxRecord> List(OutboxState state, int limit) =>
        [.. _records.Values.Where(r => r.State == state).OrderBy(r => r.Sequence).Take(limit)];

    public IReadOnlyList<OutboxRecord> AllRecords() => [.. _records.Values.OrderBy(r => r.Sequence)];

    public OutboxCounts Count()
    {
        long pending = 0, sent = 0, confirmed = 0, failed = 0;
        foreach (var record in _records.Values)
        {
            switch (record.State)
            {
                case OutboxState.Pending: pending++; break;
                case OutboxState.Sent: sent++; break;
                case OutboxState.Confirmed: confirmed++; break;
                default: failed++; break;
            }
        }

        return new OutboxCounts(pending, sent, confirmed, failed);
    }

    public (int Purged, StorageChangeSet? Changes) PurgeConfirmed(DateTimeOffset cutoff)
    {
        var keys = _records.Values
            .Where(r => r.State == OutboxState.Confirmed && r.UpdatedAt < cutoff)
            .Select(r => r.IdempotencyKey)
            .ToList();
        return keys.Count == 0 ? (0, null) : (keys.Count, RemoveRecords(keys));
    }

    /// <summary>Drops records whatever their state (used once they have been moved to another store).</summary>
    public StorageChangeSet? RemoveRecords(IReadOnlyCollection<string> keys)
    {
        var removed = new List<string>(keys.Count);
        foreach (var key in keys)
        {
            if (_records.Remove(key, out var record))
            {
                DetachFromPartition(record);
                removed.Add(key);
            }
        }

        return removed.Count == 0 ? null : new StorageChangeSet { RemovedRecords = removed };
    }

    public LedgerCacheEntry? GetLedger(string ledgerKey) => _ledger.GetValueOrDefault(ledgerKey);

    public IReadOnlyList<LedgerCacheEntry> AllLedgerEntries() => [.. _ledger.Values];

    public StorageChangeSet SetLedger(LedgerCacheEntry entry)
    {
        _ledger[entry.LedgerKey] = entry;
        return new StorageChangeSet { LedgerEntries = [entry] };
    }

    public StorageChangeSet? RemoveLedger(string ledgerKey) =>
        _ledger.Remove(ledgerKey) ? new StorageChangeSet { RemovedLedgerKeys = [ledgerKey] } : null;

    public (bool Marked, StorageChangeSet? Changes) TryMarkDedupe(string key, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (_dedupe.TryGetValue(key, out var liveUntil) && liveUntil > now)
        {
            return (false, null);
        }

        _dedupe[key] = expiresAt;
        return (true, new StorageChangeSet { DedupeMarks = [new DedupeMark(key, expiresAt)] });
    }

    public IReadOnlyList<DedupeMark> LiveDedupeMarks(DateTimeOffset now) =>
        [.. _dedupe.Where(d => d.Value > now).Select(d => new DedupeMark(d.Key, d.Value))];

    /// <summary>The whole state as one change set (expired dedupe marks left out), for a snapshot.</summary>
    public StorageChangeSet Capture(DateTimeOffset now) => new()
    {
        LastSequence = _lastSequence,
        Records = [.. _records.Values],
        LedgerEntries = [.. _ledger.Values],
        DedupeMarks = LiveDedupeMarks(now),
    };

    /// <summary>Replays a change set from the snapshot or journal. Applying one twice changes nothing.</summary>
    public void Apply(StorageChangeSet changes)
    {
        foreach (var record in changes.Records ?? [])
        {
            if (_records.TryGetValue(record.IdempotencyKey, out var previous))
            {
                DetachFromPartition(previous);
            }

            Store(record);
            _lastSequence = Math.Max(_lastSequence, record.Sequence);
        }

        RemoveRecords(changes.RemovedRecords ?? []);
        foreach (var entry in changes.LedgerEntries ?? [])
        {
            _ledger[entry.LedgerKey] = entry;
        }

        foreach (var key in changes.RemovedLedgerKeys ?? [])
        {
            _ledger.Remove(key);
        }

        foreach (var mark in changes.DedupeMarks ?? [])
        {
            _dedupe[mark.Key] = mark.ExpiresAt;
        }

        _lastSequence = Math.Max(_lastSequence, changes.LastSequence);
    }

    private static DateTimeOffset ReadyAt(OutboxRecord head) =>
        head.State == OutboxState.Pending ? head.CreatedAt : head.NextAttemptAt ?? DateTimeOffset.MaxValue;

    private OutboxRecord Find(string idempotencyKey) =>
        _records.TryGetValue(idempotencyKey, out var record) ? record : throw new OutboxRecordNotFoundException(idempotencyKey);

    private void Store(OutboxRecord record)
    {
        _records[record.IdempotencyKey] = record;
        if (record.IsTerminal)
        {
            DetachFromPartition(record);
            return;
        }

        if (!_partitions.TryGetValue(record.PartitionKey, out var queue))
        {
            queue = [];
            _partitions[record.PartitionKey] = queue;
        }

        if (queue.Count == 0 || _records[queue[^1]].Sequence < record.Sequence)
        {
            queue.Add(record.IdempotencyKey);
        }
        else if (!queue.Contains(record.IdempotencyKey))
        {
            // Only replay can deliver a record older than the partition's newest: keep append order.
            var index = queue.FindIndex(key => _records[key].Sequence > record.Sequence);
            queue.Insert(index < 0 ? queue.Count : index, record.IdempotencyKey);
        }
    }

    private void DetachFromPartition(OutboxRecord record)
    {
        if (_partitions.TryGetValue(record.PartitionKey, out var queue) && queue.Remove(record.IdempotencyKey) && queue.Count == 0)
        {
            _partitions.Remove(record.PartitionKey);
        }
    }
}

/// <summary>A dedupe marker and when it stops counting.</summary>
public sealed record DedupeMark(string Key, DateTimeOffset ExpiresAt);

/// <summary>
/// One journal entry (or a whole snapshot): full new states of records and cache entries, and removals.
/// Holding states rather than operations is what makes replay idempotent.
/// </summary>
internal sealed record StorageChangeSet
{
    public long LastSequence { get; init; }

    public IReadOnlyList<OutboxRecord>? Records { get; init; }

    public IReadOnlyList<string>? RemovedRecords { get; init; }

    public IReadOnlyList<LedgerCacheEntry>? LedgerEntries { get; init; }

    public IReadOnlyList<string>? RemovedLedgerKeys { get; init; }

    public IReadOnlyList<DedupeMark>? DedupeMarks { get; init; }

    public static StorageChangeSet ForRecords(IReadOnlyList<OutboxRecord> records) => new() { Records = records };
}
