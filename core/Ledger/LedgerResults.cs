namespace DiscordLedgerBot.Core.Ledger;

/// <summary>The outcome of one command: exactly one of <see cref="LedgerApplied"/>, <see cref="LedgerRejected"/>, <see cref="LedgerRetryable"/>.</summary>
public abstract record LedgerResult(LedgerCommand Command);

/// <summary>monday holds the change. <paramref name="Replayed"/> is true when monday answered from its idempotency cache or the entry already was in the requested state.</summary>
public sealed record LedgerApplied(LedgerCommand Command, string MondayItemId, bool Replayed) : LedgerResult(Command);

/// <summary>The command can never succeed as it is; sending it again unchanged is pointless. Nothing was changed by it.</summary>
public sealed record LedgerRejected(LedgerCommand Command, LedgerRejectionKind Kind, string Reason) : LedgerResult(Command);

/// <summary>
/// A temporary failure (rate limit, timeout, dropped connection, board busy, server error) after the client's own
/// retries. Sending the same command again later is safe; <paramref name="RetryAfter"/> is monday's hint when it gave one.
/// </summary>
public sealed record LedgerRetryable(LedgerCommand Command, string Reason, TimeSpan? RetryAfter) : LedgerResult(Command);

public enum LedgerRejectionKind
{
    /// <summary>Bad input: empty or too long title, malformed key, unknown column value …</summary>
    Validation,

    /// <summary>The status machine forbids the transition.</summary>
    IllegalTransition,

    /// <summary>No item carries the command's ledger key / item id (or it was deleted).</summary>
    NotFound,

    /// <summary>The token may not do this (401/403, missing scope).</summary>
    Unauthorized,
}
