namespace DiscordLedgerBot.Core.Storage;

/// <summary>
/// The durable outbox every ledger command passes through. Appending is idempotent by key; claiming hands out at
/// most one record per partition (the oldest unfinished one), so commands for one item apply in order while
/// different items go together.
/// </summary>
public interface IOutboxStore
{
    /// <summary>Records the command unless its idempotency key is known; then returns the existing record untouched.</summary>
    Task<OutboxAppendResult> AppendAsync(OutboxAppend command, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="maxRecords"/> records, one per partition: each partition's oldest unfinished record
    /// when it is Pending, Failed and due, or Sent with a lapsed claim. Claimed records become Sent until
    /// now + <paramref name="claimDuration"/>; if the claimant dies, they are claimed again after that.
    /// </summary>
    Task<IReadOnlyList<OutboxRecord>> ClaimBatchAsync(int maxRecords, TimeSpan claimDuration, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sent → Confirmed. Repeating it with the same item id is a no-op; any other state is a conflict. With
    /// <paramref name="claimVersion"/> (the <see cref="OutboxRecord.Version"/> the claim handed out) it is a fenced
    /// write: if the record moved on since that claim (its lease lapsed and another flusher claimed or settled it), it
    /// is a conflict and nothing changes, so a paused flusher cannot settle a record after its lease moved.
    /// </summary>
    Task<OutboxRecord> MarkConfirmedAsync(string idempotencyKey, string mondayItemId, int? claimVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sent → Failed. With <paramref name="retryAt"/> the record (and its partition) waits until then; without it is
    /// dead-lettered. <paramref name="claimVersion"/> fences it as for <see cref="MarkConfirmedAsync"/>.
    /// </summary>
    Task<OutboxRecord> MarkFailedAsync(string idempotencyKey, string reason, DateTimeOffset? retryAt, int? claimVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Extends the leases a flusher still holds: each record that is still Sent under the claim's
    /// <see cref="OutboxClaim.Version"/> is held until now + <paramref name="claimDuration"/> (its version stays, the claim
    /// is the same). A record claimed again or settled since is left as it is and missing from the answer: its
    /// lease moved, and the flusher must not send it. Returns the renewed records.
    /// </summary>
    Task<IReadOnlyList<OutboxRecord>> RenewClaimsAsync(IReadOnlyList<OutboxClaim> claims, TimeSpan claimDuration, CancellationToken cancellationToken = default);

    Task<OutboxRecord?> GetAsync(string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Records in a state, oldest first.</summary>
    Task<IReadOnlyList<OutboxRecord>> ListAsync(OutboxState state, int limit, CancellationToken cancellationToken = default);

    Task<OutboxCounts> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes Confirmed records last changed more than <paramref name="olderThan"/> ago; returns how many.</summary>
    Task<int> PurgeConfirmedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default);
}

/// <summary>Ledger key → last known entry JSON and monday item id.</summary>
public interface ILedgerCache
{
    Task<LedgerCacheEntry?> GetEntryAsync(string ledgerKey, CancellationToken cancellationToken = default);

    Task SetEntryAsync(LedgerCacheEntry entry, CancellationToken cancellationToken = default);

    Task<bool> RemoveEntryAsync(string ledgerKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Compare-and-set: writes <paramref name="replacement"/> (null removes the entry) only while the stored entry's JSON
    /// is still <paramref name="expectedJson"/> (null: no entry), atomically in every store. False when another writer
    /// (another bot process on the same Redis) changed it first; then nothing changes and the caller re-reads.
    /// </summary>
    Task<bool> CompareAndSetEntryAsync(string ledgerKey, string? expectedJson, LedgerCacheEntry? replacement, CancellationToken cancellationToken = default);
}

/// <summary>Seen-before markers that expire (webhook deliveries, gateway event ids…).</summary>
public interface IDedupeStore
{
    /// <summary>True the first time a key is marked within its time to live; false while an earlier mark lives.</summary>
    Task<bool> TryMarkAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken = default);
}

/// <summary>One backend providing all three stores.</summary>
public interface IStorageBackend : IOutboxStore, ILedgerCache, IDedupeStore, IAsyncDisposable
{
    /// <summary>"memory", "file", "redis", or for the failover store the one currently active.</summary>
    string Name { get; }
}

/// <summary>What /healthz shows about storage.</summary>
public interface IStorageStatus
{
    /// <summary>The backend currently taking writes.</summary>
    string ActiveBackend { get; }

    /// <summary>True when running on a fallback (Redis configured but unreachable).</summary>
    bool IsDegraded { get; }
}
