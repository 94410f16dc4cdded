using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Escalation;

/// <summary>Something the engine must do for an item; <see cref="Episode"/> is the episode as it stands after it.</summary>
public abstract record EscalationDecision(LedgerEntry Entry, EscalationEpisode Episode);

/// <summary>Fire step <see cref="Step"/>: raise the board's level, add an update, post the notice.</summary>
public sealed record FireEscalation(LedgerEntry Entry, EscalationEpisode Episode, FiredStep Step, string Reason) : EscalationDecision(Entry, Episode)
{
    public EscalationLevel Level => Episode.Policy.Levels[Step.Level];
}

/// <summary>The daily reminder of an acknowledged (or fully escalated) item that is still not done.</summary>
public sealed record RemindEscalation(LedgerEntry Entry, EscalationEpisode Episode, int Number) : EscalationDecision(Entry, Episode);

/// <summary>The condition cleared (done, re-dated, unblocked, owned): the episode ends.</summary>
public sealed record ResolveEscalation(LedgerEntry Entry, EscalationEpisode Episode, string Reason) : EscalationDecision(Entry, Episode);

/// <summary>The item has been done for longer than the retention period: archive it.</summary>
public sealed record ArchiveDoneItem(LedgerEntry Entry, DateTimeOffset DoneSince);

/// <summary>The outcome of evaluating one item: its next state and what to do.</summary>
public sealed record EscalationEvaluation(EscalationItemState State, IReadOnlyList<EscalationDecision> Decisions, ArchiveDoneItem? Archive = null);

/// <summary>
/// The escalation rules as a pure function: (now, the bot's view of an item, its persisted state, the configured
/// policies) → its next state and the decisions to apply. No I/O and no clock of its own, so every timeline is a
/// unit test with a fake clock, and a restarted process that reloads the state decides exactly what the old one would.
/// </summary>
public static class EscalationEvaluator
{
    public static readonly TimeSpan ReminderEvery = TimeSpan.FromDays(1);

    public static EscalationEvaluation Evaluate(DateTimeOffset now, LedgerEntry entry, EscalationItemState? previous, IReadOnlyList<EscalationPolicy> policies, TimeSpan archiveDoneAfter = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(policies);
        var state = Observe(now, entry, previous);
        var decisions = new List<EscalationDecision>();
        var episodes = new List<EscalationEpisode>();
        var counts = new Dictionary<string, int>(state.EpisodeCounts, StringComparer.Ordinal);
        foreach (var episode in state.Episodes)
        {
            if (ClearedReason(episode.Policy, entry, state, now) is { } reason)
            {
                decisions.Add(new ResolveEscalation(entry, episode, reason));
                continue;
            }

            episodes.Add(Advance(now, entry, episode, decisions));
        }

        foreach (var policy in policies)
        {
            if (episodes.Any(e => e.Policy.Name == policy.Name) || ClearedReason(policy, entry, state, now) is not null)
            {
                continue;
            }

            var number = counts.GetValueOrDefault(policy.Name) + 1;
            counts[policy.Name] = number;
            var onset = OnsetOf(policy, entry, state, now);
            var started = new EscalationEpisode { Policy = policy, Number = number, Onset = onset, ArmedAt = onset };
            episodes.Add(Advance(now, entry, started, decisions));
        }

        state = state with { Episodes = episodes, EpisodeCounts = counts };
        ArchiveDoneItem? archive = archiveDoneAfter > TimeSpan.Zero && state.DoneSince is { } doneSince && now - doneSince >= archiveDoneAfter && !string.IsNullOrEmpty(entry.MondayItemId)
            ? new ArchiveDoneItem(entry, doneSince)
            : null;
        return new EscalationEvaluation(state, decisions, archive);
    }

    /// <summary>
    /// "Escalate now": the item's running episode (or a new one of <paramref name="manualPolicy"/> when none runs) fires
    /// its next step at once, whatever its delay, the support hours or an acknowledgement say. Null state plus a reason
    /// when there is no higher step.
    /// </summary>
    public static (EscalationEvaluation? Evaluation, string? Rejection) EscalateNow(DateTimeOffset now, LedgerEntry entry, EscalationItemState? previous, EscalationPolicy manualPolicy, string actor, string reason)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(manualPolicy);
        if (entry.Status == LedgerStatus.Done)
        {
            return (null, $"'{entry.Title}' is done; there is nothing to escalate.");
        }

        var state = Observe(now, entry, previous);
        var counts = new Dictionary<string, int>(state.EpisodeCounts, StringComparer.Ordinal);
        var episodes = state.Episodes.ToList();
        var target = episodes.Where(e => !e.Exhausted).OrderBy(e => e.Onset).FirstOrDefault();
        if (target is null)
        {
            if (episodes.Count > 0)
            {
                return (null, $"'{entry.Title}' is already at the highest escalation level its policy has ({episodes.Max(e => e.CurrentLevel)}).");
            }

            var number = counts.GetValueOrDefault(manualPolicy.Name) + 1;
            counts[manualPolicy.Name] = number;
            target = new EscalationEpisode { Policy = manualPolicy, Number = number, Onset = now, ArmedAt = now };
            episodes.Add(target);
        }

        var decisions = new List<EscalationDecision>();
        var fired = Fire(now, entry, target with { AcknowledgedAt = null, AcknowledgedBy = null }, actor, $"escalated now by {actor}: {reason}", decisions);
        episodes[episodes.IndexOf(target)] = fired;
        return (new EscalationEvaluation(state with { Episodes = episodes, EpisodeCounts = counts }, decisions), null);
    }

    /// <summary>
    /// Acknowledges the item's running episodes (only <paramref name="episodeId"/> when given): no further level fires
    /// until the policy's acknowledgement timeout lapses or the item is done. Null state plus a reason when nothing is there to acknowledge.
    /// </summary>
    public static (EscalationItemState? State, IReadOnlyList<EscalationEpisode> Acknowledged, string? Rejection) Acknowledge(DateTimeOffset now, EscalationItemState? state, string? episodeId, string actor)
    {
        var running = state?.Episodes ?? [];
        if (running.Count == 0)
        {
            return (null, [], "No escalation is running for this item (it was resolved or never escalated). Nothing was changed.");
        }

        if (episodeId is not null && running.All(e => e.Id != episodeId))
        {
            return (null, [], $"This notice belongs to escalation {episodeId}, which is over; the item's current escalation is {string.Join(", ", running.Select(e => e.Id))}. Nothing was changed.");
        }

        var chosen = running.Where(e => (episodeId is null || e.Id == episodeId) && e.AcknowledgedAt is null).ToList();
        if (chosen.Count == 0)
        {
            var by = running.First(e => episodeId is null || e.Id == episodeId).AcknowledgedBy;
            return (null, [], $"Already acknowledged by {by}. Nothing was changed.");
        }

        var acknowledged = chosen.Select(e => e with { AcknowledgedAt = now, AcknowledgedBy = actor, LastReminderAt = null }).ToList();
        var episodes = running.Select(e => acknowledged.FirstOrDefault(a => a.Id == e.Id) ?? e).ToList();
        return (state! with { Episodes = episodes }, acknowledged, null);
    }

    private static EscalationItemState Observe(DateTimeOffset now, LedgerEntry entry, EscalationItemState? previous)
    {
        var state = previous ?? new EscalationItemState { LedgerKey = entry.Key.Value };
        var done = entry.Status == LedgerStatus.Done;
        return state with
        {
            BlockedSince = entry.Status == LedgerStatus.Blocked ? state.BlockedSince ?? now : null,
            UnownedSince = !done && string.IsNullOrWhiteSpace(entry.Owner) ? state.UnownedSince ?? now : null,
            // Done forgets the baseline, so a re-opened item's drift is measured from its new due date.
            BaselineDue = done ? null : state.BaselineDue ?? entry.DueDate,
            DoneSince = done ? state.DoneSince ?? now : null,
        };
    }

    /// <summary>Null while the policy's condition holds for the item; otherwise why it does not.</summary>
    private static string? ClearedReason(EscalationPolicy policy, LedgerEntry entry, EscalationItemState state, DateTimeOffset now)
    {
        if (entry.Status == LedgerStatus.Done)
        {
            return "the item is done";
        }

        return policy.Condition switch
        {
            EscalationCondition.Manual => null,
            EscalationCondition.DueDatePassed when entry.DueDate is null => "the due date was removed",
            EscalationCondition.DueDatePassed => now >= OnsetOf(policy, entry, state, now) ? null : $"the item is due {entry.DueDate:yyyy-MM-dd}",
            EscalationCondition.DueDateDrift => state.BaselineDue is { } baseline && entry.DueDate is { } due && due.DayNumber - baseline.DayNumber >= policy.DriftDays
                ? null
                : "the due date is back within its drift allowance",
            EscalationCondition.BlockedLongerThan => state.BlockedSince is { } since && now >= since + policy.After ? null : "the item is no longer blocked",
            EscalationCondition.NoOwnerAfter => state.UnownedSince is { } since && now >= since + policy.After ? null : "the item has an owner",
            _ => throw new ArgumentOutOfRangeException(nameof(policy), policy.Condition, "Unknown escalation condition."),
        };
    }

    private static DateTimeOffset OnsetOf(EscalationPolicy policy, LedgerEntry entry, EscalationItemState state, DateTimeOffset now) => policy.Condition switch
    {
        EscalationCondition.DueDatePassed => policy.Calendar.StartOfDay(entry.DueDate!.Value.AddDays(1)) + policy.After,
        EscalationCondition.BlockedLongerThan => state.BlockedSince!.Value + policy.After,
        EscalationCondition.NoOwnerAfter => state.UnownedSince!.Value + policy.After,
        _ => now,
    };

    private static EscalationEpisode Advance(DateTimeOffset now, LedgerEntry entry, EscalationEpisode episode, List<EscalationDecision> decisions)
    {
        var policy = episode.Policy;
        if (episode.AcknowledgedAt is { } acknowledged)
        {
            if (policy.AckTimeout > TimeSpan.Zero && now >= acknowledged + policy.AckTimeout)
            {
                // The acknowledgement lapsed with the item still not done: escalation resumes, the next step at once.
                episode = episode with { AcknowledgedAt = null, AcknowledgedBy = null, ArmedAt = acknowledged + policy.AckTimeout, FireOnArm = true, LastReminderAt = null };
            }
            else
            {
                return Remind(now, entry, episode, acknowledged, decisions);
            }
        }

        if (episode.Exhausted)
        {
            return Remind(now, entry, episode, episode.Fired.Count > 0 ? episode.Fired[^1].At : episode.ArmedAt, decisions);
        }

        var level = policy.Levels[episode.NextStep % policy.Levels.Count];
        var due = episode.FireOnArm ? episode.ArmedAt : episode.ArmedAt + level.Delay;
        if (policy.Urgency == EscalationUrgency.Low)
        {
            due = policy.Calendar.NextOpen(due);
        }

        if (now < due)
        {
            return episode;
        }

        var reason = episode.FireOnArm ? $"{Describe(policy, entry)}; acknowledgement lapsed after {policy.AckTimeout:g}" : Describe(policy, entry);
        return Fire(now, entry, episode, null, reason, decisions);
    }

    private static EscalationEpisode Fire(DateTimeOffset now, LedgerEntry entry, EscalationEpisode episode, string? actor, string reason, List<EscalationDecision> decisions)
    {
        var policy = episode.Policy;
        var step = new FiredStep(episode.NextStep, episode.NextStep / policy.Levels.Count, episode.NextStep % policy.Levels.Count, now, actor);
        var fired = episode with { NextStep = episode.NextStep + 1, ArmedAt = now, FireOnArm = false, Fired = [.. episode.Fired, step], LastReminderAt = null };
        decisions.Add(new FireEscalation(entry, fired, step, reason));
        return fired;
    }

    private static EscalationEpisode Remind(DateTimeOffset now, LedgerEntry entry, EscalationEpisode episode, DateTimeOffset since, List<EscalationDecision> decisions)
    {
        if (!episode.Policy.DailyReminder)
        {
            return episode;
        }

        // Reminders are never urgent: they wait for support hours whatever the policy's urgency.
        var due = episode.Policy.Calendar.NextOpen((episode.LastReminderAt ?? since) + ReminderEvery);
        if (now < due)
        {
            return episode;
        }

        var reminded = episode with { Reminders = episode.Reminders + 1, LastReminderAt = now };
        decisions.Add(new RemindEscalation(entry, reminded, reminded.Reminders));
        return reminded;
    }

    private static string Describe(EscalationPolicy policy, LedgerEntry entry) => policy.Condition switch
    {
        EscalationCondition.DueDatePassed => $"due {entry.DueDate:yyyy-MM-dd} and not done",
        EscalationCondition.DueDateDrift => $"due date moved {policy.DriftDays}+ days later (now {entry.DueDate:yyyy-MM-dd})",
        EscalationCondition.BlockedLongerThan => $"blocked for more than {policy.After.TotalHours:0.#} h",
        EscalationCondition.NoOwnerAfter => $"no owner for more than {policy.After.TotalHours:0.#} h",
        _ => "escalated by hand",
    };
}
