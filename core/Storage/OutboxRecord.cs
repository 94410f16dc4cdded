namespace DiscordLedgerBot.Core.Storage;

/// <summary>Where a command stands on its way to monday.</summary>
public enum OutboxState
{
    /// <summary>Recorded, waiting for the flusher.</summary>
    Pending,

    /// <summary>Claimed by a flusher; <see cref="OutboxRecord.NextAttemptAt"/> is when the claim lapses and it may be claimed again.</summary>
    Sent,

    /// <summary>monday accepted it; <see cref="OutboxRecord.MondayItemId"/> is known.</summary>
    Confirmed,

    /// <summary>The last attempt failed. With <see cref="OutboxRecord.NextAttemptAt"/> it is retried then; without, it is dead-lettered for an operator.</summary>
    Failed,
}

/// <summary>
/// One recorded command. The store is payload-agnostic: <see cref="PayloadJson"/> is kept verbatim.
/// <see cref="PartitionKey"/> (the ledger key) is the ordering scope: at most one record per partition is in flight,
/// and a partition's records are claimed in append order.
/// </summary>
public sealed record OutboxRecord
{
    public required string IdempotencyKey { get; init; }

    public required string PartitionKey { get; init; }

    public required string CommandKind { get; init; }

    public required string PayloadJson { get; init; }

    public OutboxState State { get; init; }

    /// <summary>How many times the record has been claimed.</summary>
    public int Attempts { get; init; }

    public string? LastError { get; init; }

    public string? MondayItemId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Sent: when the claim lapses. Failed: when to retry (null = dead-lettered). Otherwise null.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Append order within the store that holds the record.</summary>
    public long Sequence { get; init; }

    /// <summary>
    /// Bumped on every change except a lease renewal (which extends the claim it belongs to): a claim's version is the
    /// fence its outcome and renewals carry.
    /// </summary>
    public int Version { get; init; }

    /// <summary>Confirmed, or failed with no retry: it no longer holds up its partition.</summary>
    public bool IsTerminal => State == OutboxState.Confirmed || (State == OutboxState.Failed && NextAttemptAt is null);

    // Payloads can hold user text; keep them out of logs.
    public override string ToString() =>
        $"Outbox[{IdempotencyKey}] partition={PartitionKey} kind={CommandKind} state={State} attempts={Attempts} item={MondayItemId ?? "-"}";
}

/// <summary>A command to record. Keys are validated on construction so bad input never reaches a store.</summary>
public sealed record OutboxAppend
{
    public const int MaxKeyLength = 512;
    public const int MaxKindLength = 128;

    public OutboxAppend(string idempotencyKey, string partitionKey, string commandKind, string payloadJson)
    {
        IdempotencyKey = ValidateKey(idempotencyKey, nameof(idempotencyKey), MaxKeyLength);
        PartitionKey = ValidateKey(partitionKey, nameof(partitionKey), MaxKeyLength);
        CommandKind = ValidateKey(commandKind, nameof(commandKind), MaxKindLength);
        ArgumentNullException.ThrowIfNull(payloadJson);
        PayloadJson = payloadJson;
    }

    public string IdempotencyKey { get; }

    public string PartitionKey { get; }

    public string CommandKind { get; }

    public string PayloadJson { get; }

    internal static string ValidateKey(string value, string name, int maxLength)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        if (value.Length > maxLength)
        {
            throw new ArgumentException($"{name} is {value.Length} characters; at most {maxLength} are allowed.", name);
        }

        if (value.Any(char.IsControl))
        {
            throw new ArgumentException($"{name} must not contain control characters.", name);
        }

        return value;
    }
}

/// <summary>A lease a flusher holds: the record and the <see cref="OutboxRecord.Version"/> its claim handed out.</summary>
public sealed record OutboxClaim
{
    public OutboxClaim(string idempotencyKey, int version)
    {
        IdempotencyKey = OutboxAppend.ValidateKey(idempotencyKey, nameof(idempotencyKey), OutboxAppend.MaxKeyLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        Version = version;
    }

    public string IdempotencyKey { get; }

    public int Version { get; }

    public static OutboxClaim Of(OutboxRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.IdempotencyKey, record.Version);
    }
}

/// <summary>The record as stored, and whether this call created it (false: the idempotency key was already known).</summary>
public sealed record OutboxAppendResult(OutboxRecord Record, bool Created);

public sealed record OutboxCounts(long Pending, long Sent, long Confirmed, long Failed)
{
    public long Total => Pending + Sent + Confirmed + Failed;
}

/// <summary>A cached ledger entry: the entry's JSON as the ledger facade wrote it, and the monday item behind it.</summary>
public sealed record LedgerCacheEntry(string LedgerKey, string EntryJson, string? MondayItemId, DateTimeOffset UpdatedAt)
{
    public override string ToString() => $"LedgerCache[{LedgerKey}] item={MondayItemId ?? "-"} at {UpdatedAt:O}";
}
