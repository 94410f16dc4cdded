namespace DiscordLedgerBot.Emulators.Monday;

/// <summary>Read-only copies of the emulator's state for test assertions.</summary>
public sealed record MondayBoardSnapshot(
    long Id,
    string Name,
    string BoardKind,
    string State,
    long? WorkspaceId,
    long? ParentBoardId,
    IReadOnlyList<MondayGroupSnapshot> Groups,
    IReadOnlyList<MondayColumnSnapshot> Columns);

public sealed record MondayGroupSnapshot(string Id, string Title, string Color, bool Archived, bool Deleted);

/// <param name="Settings">The column settings JSON text (status labels with their indexes, dropdown labels, ...).</param>
public sealed record MondayColumnSnapshot(string Id, string Title, string Type, string Settings);

/// <param name="ColumnValues">Column id → stored value JSON text as monday keeps it (with <c>changed_at</c>); empty columns are absent.</param>
public sealed record MondayItemSnapshot(
    long Id,
    long BoardId,
    string GroupId,
    string Name,
    string State,
    long? ParentItemId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyDictionary<string, string> ColumnValues);

public sealed record MondayUpdateSnapshot(long Id, long ItemId, long? ParentUpdateId, string Body, long CreatorId, DateTimeOffset CreatedAt);

public sealed record MondayUserSnapshot(long Id, string Name, string Email, bool IsAdmin);

/// <summary>One webhook event POSTed by the emulator: the receiver's HTTP status (0 when unreachable).</summary>
public sealed record MondayWebhookDelivery(long WebhookId, string Url, string Body, int Status);
