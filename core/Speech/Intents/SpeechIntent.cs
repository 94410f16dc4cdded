using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Speech.Intents;

/// <summary>What a spoken request asks for. Reads are answered at once; writes wait for the speaker's confirmation.</summary>
public enum SpeechIntentKind
{
    StatusOf,
    Overdue,
    OwnerOf,
    Blocked,
    ToolFor,
    Create,
    SetStatus,
    Assign,
    SetDue,
    AddNote,
    AddFollowUp,
    Escalate,
    Confirm,
    Cancel,
}

/// <summary>How a request names its item: by (part of) its title, or by a pronoun that conversation memory resolves.</summary>
public sealed record ItemReference(string Spoken, bool IsPronoun)
{
    public static readonly IReadOnlySet<string> Pronouns = new HashSet<string>(StringComparer.Ordinal) { "it", "that", "this", "that one", "this one" };
}

/// <summary>One parsed request. Only the fields its <see cref="Kind"/> uses are set; <see cref="Text"/> is the words it was parsed from.</summary>
public sealed record SpeechIntent(SpeechIntentKind Kind, string Text)
{
    public ItemReference? Item { get; init; }

    /// <summary>The new item's title (create), the note, the follow-up title, or the escalation reason.</summary>
    public string? Words { get; init; }

    public LedgerStatus? Status { get; init; }

    /// <summary>Why the status changes ("waiting on security review"); required when the status is blocked.</summary>
    public string? Reason { get; init; }

    public string? Person { get; init; }

    public DateOnly? Due { get; init; }

    /// <summary>The date as said ("friday"), kept for the confirmation text.</summary>
    public string? DueSpoken { get; init; }

    public string? Workflow { get; init; }

    public bool IsWrite => Kind is SpeechIntentKind.Create or SpeechIntentKind.SetStatus or SpeechIntentKind.Assign or SpeechIntentKind.SetDue
        or SpeechIntentKind.AddNote or SpeechIntentKind.AddFollowUp or SpeechIntentKind.Escalate;

    public bool IsAnswer => Kind is SpeechIntentKind.Confirm or SpeechIntentKind.Cancel;

    public static string WireName(SpeechIntentKind kind) => kind switch
    {
        SpeechIntentKind.StatusOf => "status_of",
        SpeechIntentKind.Overdue => "overdue",
        SpeechIntentKind.OwnerOf => "owner_of",
        SpeechIntentKind.Blocked => "blocked",
        SpeechIntentKind.ToolFor => "tool_for",
        SpeechIntentKind.Create => "create",
        SpeechIntentKind.SetStatus => "set_status",
        SpeechIntentKind.Assign => "assign",
        SpeechIntentKind.SetDue => "set_due",
        SpeechIntentKind.AddNote => "add_note",
        SpeechIntentKind.AddFollowUp => "add_follow_up",
        SpeechIntentKind.Escalate => "escalate",
        SpeechIntentKind.Confirm => "confirm",
        SpeechIntentKind.Cancel => "cancel",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown intent."),
    };
}
