namespace DiscordLedgerBot.Core.Ledger;

/// <summary>
/// A request to change the ledger, built by a surface (slash, voice, MCP, API, CLI) or a job.
/// <see cref="IdempotencyKey"/> comes from the command's own origin (interaction id, utterance id, request id …)
/// and stays the same across every retry; <see cref="Key"/> names the entry the command is about.
/// </summary>
public abstract record LedgerCommand(string IdempotencyKey, LedgerKey Key)
{
    /// <summary>
    /// The entry's monday item id when the caller already knows it (e.g. from a Confirmed event); otherwise the
    /// ledger resolves <see cref="Key"/> through the board's ledger-key column. Ignored by <see cref="CreateLedgerEntry"/>.
    /// </summary>
    public string? MondayItemId { get; init; }

    /// <summary>Short stable name of the operation, part of the monday Idempotency-Key.</summary>
    public abstract string Operation { get; }
}

/// <summary>Creates the entry, writing its ledger key to the board so it can be found after any crash.</summary>
public sealed record CreateLedgerEntry(string IdempotencyKey, LedgerKey Key, string Title, LedgerSource Source)
    : LedgerCommand(IdempotencyKey, Key)
{
    public string? Owner { get; init; }

    public DateOnly? DueDate { get; init; }

    /// <summary>Discord channel snowflake as digits, when the entry was created from a channel.</summary>
    public string? DiscordChannelId { get; init; }

    public override string Operation => "create";
}

/// <summary>Moves the entry from <paramref name="From"/> (the caller's view) to <paramref name="To"/>; also moves it to the status's group.</summary>
public sealed record ChangeLedgerStatus(string IdempotencyKey, LedgerKey Key, LedgerStatus From, LedgerStatus To)
    : LedgerCommand(IdempotencyKey, Key)
{
    public override string Operation => "status";
}

/// <summary>Changes title, owner and/or due date; null leaves a field as it is, the Clear flags empty it.</summary>
public sealed record UpdateLedgerDetails(string IdempotencyKey, LedgerKey Key) : LedgerCommand(IdempotencyKey, Key)
{
    public string? Title { get; init; }

    public string? Owner { get; init; }

    public DateOnly? DueDate { get; init; }

    public bool ClearOwner { get; init; }

    public bool ClearDueDate { get; init; }

    public override string Operation => "details";
}

/// <summary>Adds a comment (a monday update) to the entry.</summary>
public sealed record CommentOnLedgerEntry(string IdempotencyKey, LedgerKey Key, string Body) : LedgerCommand(IdempotencyKey, Key)
{
    public override string Operation => "comment";
}

/// <summary>Adds a follow-up as a subitem of the entry.</summary>
public sealed record AddLedgerFollowUp(string IdempotencyKey, LedgerKey Key, string Title) : LedgerCommand(IdempotencyKey, Key)
{
    public override string Operation => "followup";
}

/// <summary>
/// Sets the escalation level and the complete trail (the caller appends its line to the trail it read);
/// a level above zero also moves the entry to the escalated group.
/// </summary>
public sealed record EscalateLedgerEntry(string IdempotencyKey, LedgerKey Key, int Level, IReadOnlyList<string> Trail)
    : LedgerCommand(IdempotencyKey, Key)
{
    public override string Operation => "escalate";
}

/// <summary>Archives the entry's item (monday keeps it restorable).</summary>
public sealed record ArchiveLedgerEntry(string IdempotencyKey, LedgerKey Key) : LedgerCommand(IdempotencyKey, Key)
{
    public override string Operation => "archive";
}

/// <summary>Moves the entry to a group without touching its status.</summary>
public sealed record MoveLedgerEntry(string IdempotencyKey, LedgerKey Key, LedgerGroup Group) : LedgerCommand(IdempotencyKey, Key)
{
    public override string Operation => "move";
}
