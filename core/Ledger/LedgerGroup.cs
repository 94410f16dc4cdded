namespace DiscordLedgerBot.Core.Ledger;

/// <summary>The board groups a ledger entry can sit in (see docs/operations/monday-ledger.md).</summary>
public enum LedgerGroup
{
    Requested,
    Active,
    Blocked,
    Escalated,
    Done,
}

public static class LedgerGroupNames
{
    public static string ToWireName(this LedgerGroup group) => group switch
    {
        LedgerGroup.Requested => "requested",
        LedgerGroup.Active => "active",
        LedgerGroup.Blocked => "blocked",
        LedgerGroup.Escalated => "escalated",
        LedgerGroup.Done => "done",
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "Unknown ledger group."),
    };

    /// <summary>The group an entry belongs in once it reaches <paramref name="status"/>.</summary>
    public static LedgerGroup ForStatus(LedgerStatus status) => status switch
    {
        LedgerStatus.Requested => LedgerGroup.Requested,
        LedgerStatus.InProgress => LedgerGroup.Active,
        LedgerStatus.Blocked => LedgerGroup.Blocked,
        LedgerStatus.Done => LedgerGroup.Done,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown ledger status."),
    };

    public static bool TryParse(string? text, out LedgerGroup group)
    {
        foreach (var candidate in Enum.GetValues<LedgerGroup>())
        {
            if (string.Equals(candidate.ToWireName(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                group = candidate;
                return true;
            }
        }

        group = default;
        return false;
    }
}
