namespace DiscordLedgerBot.Core.Ledger;

/// <summary>One row of the team ledger as read back from the board.</summary>
public sealed record LedgerEntry
{
    public required LedgerKey Key { get; init; }

    public required string MondayItemId { get; init; }

    public required string Title { get; init; }

    /// <summary>Free text (typically a Discord user mention or name): Discord users are not monday users.</summary>
    public string? Owner { get; init; }

    public DateOnly? DueDate { get; init; }

    /// <summary>Null when the board holds a status label the ledger does not know (e.g. edited by hand).</summary>
    public LedgerStatus? Status { get; init; }

    public int EscalationLevel { get; init; }

    /// <summary>One line per escalation step, oldest first.</summary>
    public IReadOnlyList<string> EscalationTrail { get; init; } = [];

    public LedgerSource? Source { get; init; }

    /// <summary>Discord channel snowflake as a plain string (the core knows no Discord types).</summary>
    public string? DiscordChannelId { get; init; }

    /// <summary>monday group id the item currently sits in.</summary>
    public string? GroupId { get; init; }

    /// <summary>The group's title as people see it on the board (e.g. "Blocked").</summary>
    public string? GroupTitle { get; init; }

    /// <summary>False once archived (or deleted) on monday.</summary>
    public bool IsActive { get; init; } = true;
}
