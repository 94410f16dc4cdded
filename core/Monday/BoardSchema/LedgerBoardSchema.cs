using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Monday.BoardSchema;

/// <summary>A column the ledger board must have. <paramref name="Type"/> is monday's <c>ColumnType</c> name.</summary>
public sealed record LedgerColumnDefinition(string Id, string Title, string Type, string Purpose)
{
    /// <summary>Status labels by their fixed index (status is matched by index, never by text).</summary>
    public IReadOnlyDictionary<int, string> StatusLabels { get; init; } = new Dictionary<int, string>();
}

/// <summary>A group the ledger board must have. monday assigns group ids itself, so groups are matched by title.</summary>
public sealed record LedgerGroupDefinition(LedgerGroup Group, string Title, string Color);

/// <summary>
/// The canonical ledger board. docs/operations/monday-ledger.md documents exactly this; <c>bot provision</c>
/// creates it and validates existing boards against it.
/// </summary>
public static class LedgerBoardSchema
{
    public const string DefaultBoardName = "Team ledger";

    public const string StatusColumn = "ledger_status";
    public const string OwnerColumn = "ledger_owner";
    public const string DueColumn = "ledger_due";
    public const string KeyColumn = "ledger_key";
    public const string SourceColumn = "ledger_source";
    public const string ChannelColumn = "discord_channel";
    public const string EscalationLevelColumn = "escalation_level";
    public const string EscalationTrailColumn = "escalation_trail";

    /// <summary>Index 0–2 follow monday's default palette (Working on it / Done / Stuck) so boards read naturally.</summary>
    private static readonly Dictionary<LedgerStatus, int> StatusIndexes = new()
    {
        [LedgerStatus.InProgress] = 0,
        [LedgerStatus.Done] = 1,
        [LedgerStatus.Blocked] = 2,
        [LedgerStatus.Requested] = 3,
    };

    public static IReadOnlyList<LedgerColumnDefinition> Columns { get; } =
    [
        new(StatusColumn, "Status", "status", "Ledger status, matched by label index")
        {
            StatusLabels = new Dictionary<int, string>
            {
                [0] = "In progress",
                [1] = "Done",
                [2] = "Blocked",
                [3] = "Requested",
            },
        },
        new(OwnerColumn, "Owner", "text", "Who owns the work (Discord mention or name; Discord users are not monday users)"),
        new(DueColumn, "Due", "date", "Due date (UTC)"),
        new(KeyColumn, "Ledger key", "text", "Stable id from the creating command's origin; used to find the item after a crash"),
        new(SourceColumn, "Source", "text", "Surface that created the entry: slash, voice, mcp, api, cli"),
        new(ChannelColumn, "Discord channel", "text", "Discord channel id (snowflake as text) the entry belongs to"),
        new(EscalationLevelColumn, "Escalation level", "numbers", "0 = not escalated; raised by the escalation job"),
        new(EscalationTrailColumn, "Escalation trail", "long_text", "One line per escalation step, oldest first"),
    ];

    public static IReadOnlyList<LedgerGroupDefinition> Groups { get; } =
    [
        new(LedgerGroup.Requested, "Requested", "#579bfc"),
        new(LedgerGroup.Active, "In progress", "#fdab3d"),
        new(LedgerGroup.Blocked, "Blocked", "#e2445c"),
        new(LedgerGroup.Escalated, "Escalated", "#9d50dd"),
        new(LedgerGroup.Done, "Done", "#00c875"),
    ];

    public static int StatusIndex(LedgerStatus status) => StatusIndexes[status];

    public static LedgerStatus? StatusFromIndex(int index)
    {
        foreach (var (status, statusIndex) in StatusIndexes)
        {
            if (statusIndex == index)
            {
                return status;
            }
        }

        return null;
    }

    public static LedgerGroupDefinition GroupDefinition(LedgerGroup group) => Groups.First(g => g.Group == group);
}
