namespace DiscordLedgerBot.Emulators.Monday.Execution;

// Mutable records of the emulated account. They are serialised as-is to the optional state file,
// so they stay plain classes with settable properties; every access happens under MondayStore's lock.

internal sealed class MondayState
{
    public long NextBoardId { get; set; } = 1_800_000_001;

    public long NextItemId { get; set; } = 9_100_000_001;

    public long NextUpdateId { get; set; } = 400_000_001;

    public long NextColumnSuffix { get; set; } = 1;

    public long NextTagId { get; set; } = 20_000_001;

    public long NextWebhookId { get; set; } = 300_000_001;

    public AccountRecord Account { get; set; } = new();

    public List<UserRecord> Users { get; set; } = [];

    public List<WorkspaceRecord> Workspaces { get; set; } = [];

    public List<BoardRecord> Boards { get; set; } = [];

    public List<ItemRecord> Items { get; set; } = [];

    public List<UpdateRecord> Updates { get; set; } = [];

    public List<TagRecord> Tags { get; set; } = [];

    public List<WebhookRecord> Webhooks { get; set; } = [];
}

internal sealed class AccountRecord
{
    public long Id { get; set; } = 7_000_001;

    public string Name { get; set; } = "Emulated account";

    public string Slug { get; set; } = "emulated-account";

    public string Tier { get; set; } = "enterprise";
}

internal sealed class UserRecord
{
    public long Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public string Email { get; set; } = string.Empty;

    public bool IsAdmin { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class WorkspaceRecord
{
    public long Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public string Kind { get; set; } = "open";
}

internal sealed class BoardRecord
{
    public long Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public string? Description { get; set; }

    public string BoardKind { get; set; } = "public";

    public string State { get; set; } = "active";

    public long? WorkspaceId { get; set; }

    public long OwnerId { get; set; }

    /// <summary>Set on a subitems board: the board whose items own its items.</summary>
    public long? ParentBoardId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<GroupRecord> Groups { get; set; } = [];

    public List<ColumnRecord> Columns { get; set; } = [];
}

internal sealed class GroupRecord
{
    public string Id { get; set; } = string.Empty;

    public string Title { get; set; } = string.Empty;

    public string Color { get; set; } = "#579bfc";

    public double Position { get; set; }

    public bool Archived { get; set; }

    public bool Deleted { get; set; }
}

internal sealed class ColumnRecord
{
    public string Id { get; set; } = string.Empty;

    public string Title { get; set; } = string.Empty;

    public string Type { get; set; } = "text";

    public string? Description { get; set; }

    /// <summary>Column settings as a JSON object string (status/dropdown labels etc.), "{}" when none.</summary>
    public string Settings { get; set; } = "{}";

    public bool Archived { get; set; }
}

internal sealed class ItemRecord
{
    public long Id { get; set; }

    public long BoardId { get; set; }

    public string GroupId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string State { get; set; } = "active";

    public long CreatorId { get; set; }

    public long? ParentItemId { get; set; }

    public double Position { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Column id → monday's stored value (a JSON text including <c>changed_at</c>); absent = empty.</summary>
    public Dictionary<string, string> Values { get; set; } = new(StringComparer.Ordinal);
}

internal sealed class UpdateRecord
{
    public long Id { get; set; }

    public long ItemId { get; set; }

    public long? ParentUpdateId { get; set; }

    public string Body { get; set; } = string.Empty;

    public long CreatorId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class TagRecord
{
    public long Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public string Color { get; set; } = "#579bfc";
}

internal sealed class WebhookRecord
{
    public long Id { get; set; }

    public long BoardId { get; set; }

    public string Url { get; set; } = string.Empty;

    /// <summary>A <c>WebhookEventType</c> name, e.g. <c>change_column_value</c>.</summary>
    public string Event { get; set; } = string.Empty;

    /// <summary>The <c>config</c> argument as a JSON text (e.g. <c>{"columnId":"due"}</c>); null when none.</summary>
    public string? Config { get; set; }

    /// <summary>False until the URL answered monday's challenge; events are delivered only to verified webhooks.</summary>
    public bool Verified { get; set; }
}

/// <summary>Something happened to an item that board webhooks may be told about.</summary>
/// <param name="Event">The matching <c>WebhookEventType</c>: create_item, change_column_value, change_name, item_archived, item_deleted, item_moved_to_any_group.</param>
internal sealed record MondayItemEvent(
    string Event, long BoardId, long ItemId, string ItemName, string GroupId, string? ColumnId, string? ColumnType, string? Value, string? PreviousValue, DateTimeOffset At, long UserId);
