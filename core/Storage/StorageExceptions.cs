namespace DiscordLedgerBot.Core.Storage;

public class StorageException : Exception
{
    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

public sealed class OutboxRecordNotFoundException(string idempotencyKey)
    : StorageException($"No outbox record has idempotency key '{idempotencyKey}'.")
{
    public string IdempotencyKey { get; } = idempotencyKey;
}

/// <summary>The requested transition is not allowed from the record's current state; nothing was changed.</summary>
public sealed class OutboxStateConflictException(OutboxRecord current, string attempted)
    : StorageException($"Cannot {attempted} outbox record '{current.IdempotencyKey}': it is {current.State}{(current.MondayItemId is null ? string.Empty : $" (item {current.MondayItemId})")}.")
{
    public OutboxRecord Current { get; } = current;
}

/// <summary>The data directory is held by another process (or another store in this one).</summary>
public sealed class StorageLockedException(string message, Exception? innerException)
    : StorageException(message, innerException);

/// <summary>Stored data failed its checks somewhere other than a torn tail; startup is refused rather than guessing.</summary>
public sealed class StorageCorruptedException(string message) : StorageException(message);

/// <summary>The operation needs the primary store, which is unreachable right now; nothing was changed. Retry later.</summary>
public sealed class StorageUnavailableException(string message, Exception? innerException)
    : StorageException(message, innerException);
