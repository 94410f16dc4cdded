namespace DiscordLedgerBot.Core.Ledger;

/// <summary>Where a piece of team work stands. Transitions are governed by <see cref="LedgerStatusMachine"/>.</summary>
public enum LedgerStatus
{
    Requested,
    InProgress,
    Blocked,
    Done,
}

/// <summary>Stable wire names (CLI, JSON, logs) for <see cref="LedgerStatus"/>.</summary>
public static class LedgerStatusNames
{
    public static string ToWireName(this LedgerStatus status) => status switch
    {
        LedgerStatus.Requested => "requested",
        LedgerStatus.InProgress => "in_progress",
        LedgerStatus.Blocked => "blocked",
        LedgerStatus.Done => "done",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown ledger status."),
    };

    public static bool TryParse(string? text, out LedgerStatus status)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "requested":
                status = LedgerStatus.Requested;
                return true;
            case "in_progress" or "in-progress" or "inprogress":
                status = LedgerStatus.InProgress;
                return true;
            case "blocked":
                status = LedgerStatus.Blocked;
                return true;
            case "done":
                status = LedgerStatus.Done;
                return true;
            default:
                status = default;
                return false;
        }
    }
}
