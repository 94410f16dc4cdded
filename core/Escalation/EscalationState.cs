namespace DiscordLedgerBot.Core.Escalation;

/// <summary>
/// What the engine remembers about one item, persisted in the storage backend so a restart (or a second bot process
/// on the same Redis) continues exactly where the last pass stopped: when each condition was first observed, and the
/// running episodes with their policy snapshots.
/// </summary>
public sealed record EscalationItemState
{
    public required string LedgerKey { get; init; }

    public DateTimeOffset? BlockedSince { get; init; }

    public DateTimeOffset? UnownedSince { get; init; }

    /// <summary>The first due date seen while the item was open: what due date drift is measured against.</summary>
    public DateOnly? BaselineDue { get; init; }

    public DateTimeOffset? DoneSince { get; init; }

    /// <summary>Policy name → how many episodes that policy has started on this item (numbers the next one).</summary>
    public IReadOnlyDictionary<string, int> EpisodeCounts { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Running episodes, at most one per policy name. A resolved episode is removed.</summary>
    public IReadOnlyList<EscalationEpisode> Episodes { get; init; } = [];

    /// <summary>Nothing worth keeping. Episode counts are kept for good: a later episode must not reuse an earlier one's number (its idempotency keys).</summary>
    public bool IsEmpty => BlockedSince is null && UnownedSince is null && BaselineDue is null && DoneSince is null && Episodes.Count == 0 && EpisodeCounts.Count == 0;
}

/// <summary>One run of a policy on an item, from the condition's onset until the condition clears.</summary>
public sealed record EscalationEpisode
{
    /// <summary>The policy as it was when the episode started; later configuration edits do not reach it.</summary>
    public required EscalationPolicy Policy { get; init; }

    public required int Number { get; init; }

    public required DateTimeOffset Onset { get; init; }

    /// <summary>When the next step's delay starts counting: the onset, the previous firing, or the re-arm after an acknowledgement lapsed.</summary>
    public required DateTimeOffset ArmedAt { get; init; }

    /// <summary>Set by a lapsed acknowledgement: the next step fires at <see cref="ArmedAt"/> without its delay.</summary>
    public bool FireOnArm { get; init; }

    /// <summary>Index into the step sequence (levels × (repeat + 1)) of the step that fires next.</summary>
    public int NextStep { get; init; }

    public IReadOnlyList<FiredStep> Fired { get; init; } = [];

    public DateTimeOffset? AcknowledgedAt { get; init; }

    public string? AcknowledgedBy { get; init; }

    public int Reminders { get; init; }

    public DateTimeOffset? LastReminderAt { get; init; }

    /// <summary>"policy.number": stable across processes, carried by the notice's buttons to detect stale clicks.</summary>
    public string Id => $"{Policy.Name}.{Number}";

    public bool Exhausted => NextStep >= Policy.StepCount;

    /// <summary>The board's escalation level after the last firing (1-based), 0 before any.</summary>
    public int CurrentLevel => Fired.Count == 0 ? 0 : Fired[^1].Level + 1;
}

/// <summary>A step that fired: its place in the sequence, the level (0-based) and which loop over the levels.</summary>
public sealed record FiredStep(int Step, int Cycle, int Level, DateTimeOffset At, string? Actor);
