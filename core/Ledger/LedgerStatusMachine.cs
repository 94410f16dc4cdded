namespace DiscordLedgerBot.Core.Ledger;

/// <summary>
/// The status taxonomy as an explicit state machine:
/// requested → in_progress ⇄ blocked, in_progress → done, blocked → done, and reopen done → requested.
/// Reopen goes back to <c>requested</c> (not <c>in_progress</c>) on purpose: a reopened item re-enters the
/// queue so somebody consciously picks it up again instead of it silently counting as being worked on.
/// </summary>
public static class LedgerStatusMachine
{
    private static readonly HashSet<(LedgerStatus From, LedgerStatus To)> Allowed =
    [
        (LedgerStatus.Requested, LedgerStatus.InProgress),
        (LedgerStatus.InProgress, LedgerStatus.Blocked),
        (LedgerStatus.Blocked, LedgerStatus.InProgress),
        (LedgerStatus.InProgress, LedgerStatus.Done),
        (LedgerStatus.Blocked, LedgerStatus.Done),
        (LedgerStatus.Done, LedgerStatus.Requested),
    ];

    /// <summary>Every legal (from, to) pair, for docs and help text.</summary>
    public static IReadOnlyCollection<(LedgerStatus From, LedgerStatus To)> Transitions => Allowed;

    public static bool IsAllowed(LedgerStatus from, LedgerStatus to) => Allowed.Contains((from, to));

    /// <summary>Null when the transition is legal, otherwise a reason that names both states.</summary>
    public static string? RejectionReason(LedgerStatus from, LedgerStatus to)
    {
        if (IsAllowed(from, to))
        {
            return null;
        }

        if (from == to)
        {
            return $"Illegal status transition {from.ToWireName()} → {to.ToWireName()}: the entry is already {to.ToWireName()}.";
        }

        var legal = string.Join(", ", Allowed.Where(t => t.From == from).Select(t => t.To.ToWireName()));
        return $"Illegal status transition {from.ToWireName()} → {to.ToWireName()}; from {from.ToWireName()} the entry may move to: {legal}.";
    }
}
