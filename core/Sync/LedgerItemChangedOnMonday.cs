using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Sync;

/// <summary>What of a ledger entry a person changed directly on monday (the bot's cache compared with monday's item).</summary>
[Flags]
public enum LedgerFields
{
    None = 0,
    Title = 1,
    Owner = 2,
    Status = 4,
    DueDate = 8,
    Escalation = 16,
    Group = 32,
    Archived = 64,
}

/// <summary>
/// Published on the host's event bus when the poller or a webhook-triggered re-read finds an entry that differs from
/// the bot's local view (and the difference is not the bot's own latest write). Subscribers: item cards,
/// notifications, the event stream (item.changed, origin monday); the escalation engine may read it to restart an
/// episode (e.g. status back from Done).
/// </summary>
public sealed record LedgerItemChangedOnMonday(LedgerEntry Before, LedgerEntry After, LedgerFields Fields, DateTimeOffset ObservedAt);

/// <summary>Compares what the bot knew of an entry with what monday holds now.</summary>
public static class LedgerChangeDetector
{
    /// <summary>The fields that differ; <see cref="LedgerFields.None"/> when <paramref name="before"/> is unknown (nothing to compare).</summary>
    public static LedgerFields Compare(LedgerEntry? before, LedgerEntry after)
    {
        ArgumentNullException.ThrowIfNull(after);
        if (before is null)
        {
            return LedgerFields.None;
        }

        var fields = LedgerFields.None;
        if (!string.Equals(before.Title, after.Title, StringComparison.Ordinal))
        {
            fields |= LedgerFields.Title;
        }

        if (!string.Equals(before.Owner, after.Owner, StringComparison.Ordinal))
        {
            fields |= LedgerFields.Owner;
        }

        if (before.Status != after.Status)
        {
            fields |= LedgerFields.Status;
        }

        if (before.DueDate != after.DueDate)
        {
            fields |= LedgerFields.DueDate;
        }

        if (before.EscalationLevel != after.EscalationLevel || !before.EscalationTrail.SequenceEqual(after.EscalationTrail, StringComparer.Ordinal))
        {
            fields |= LedgerFields.Escalation;
        }

        // A group read back without its id (an older cache entry) is not a move.
        if (before.GroupId is not null && after.GroupId is not null && !string.Equals(before.GroupId, after.GroupId, StringComparison.Ordinal))
        {
            fields |= LedgerFields.Group;
        }

        if (before.IsActive && !after.IsActive)
        {
            fields |= LedgerFields.Archived;
        }

        return fields;
    }

    /// <summary>"owner, status" — for card lines and logs.</summary>
    public static string Describe(LedgerFields fields) =>
        fields == LedgerFields.None
            ? "nothing"
            : string.Join(", ", Enum.GetValues<LedgerFields>().Where(f => f != LedgerFields.None && fields.HasFlag(f)).Select(f => f switch
            {
                LedgerFields.DueDate => "due date",
                _ => f.ToString().ToLowerInvariant(),
            }));
}
