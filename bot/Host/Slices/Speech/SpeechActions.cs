using System.Globalization;
using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Ledger.Commands;
using DiscordLedgerBot.Slices.Shared;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Speech;

/// <summary>A spoken request that cannot be carried out; the message says why and goes to the channel. Nothing changed.</summary>
public sealed class SpeechRequestException(string message) : Exception(message);

/// <summary>What to post for a request; <see cref="Prompt"/> is set when it is a confirmation prompt.</summary>
public sealed record SpeechReply(MessagePayload Message, PendingWrite? Prompt = null);

/// <summary>
/// Turns a parsed request into what the channel sees: reads are answered at once; writes become a confirmation prompt
/// holding the ledger commands (keyed by the utterance id) that the speaker's yes records through the outbox, each
/// tagged with its origin (voice, channel, speaker, what was said). An ambiguous item is asked back with buttons.
/// </summary>
public sealed class SpeechActions(
    LedgerItemIndex index,
    OwnerDirectory owners,
    CapabilityRegistry registry,
    ConversationMemory memory,
    SpeechRequests requests,
    LedgerIngestion ingestion,
    SurfaceJournal journal,
    IDedupeStore dedupe,
    EscalationEngine escalation,
    IOptionsMonitor<SpeechOptions> options,
    TimeProvider time)
{
    public const string Prefix = "speech:";
    public const string Yes = "speech:yes:";
    public const string No = "speech:no:";
    public const string Pick = "speech:pick:";
    private const int MaxListed = 10;

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>The answer, prompt or question for a request; problems become a plain message naming what to say instead.</summary>
    public SpeechReply Respond(SpeechOrigin origin, SpeechIntent intent)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(intent);
        try
        {
            if (intent.Item is not { } reference)
            {
                return RespondTo(origin, intent, null);
            }

            var resolution = ItemResolver.Resolve(reference, index.All, memory.Recall(origin.ChannelId, origin.SpeakerId));
            if (resolution.Problem is { } problem)
            {
                throw new SpeechRequestException(problem);
            }

            if (resolution.Entry is null)
            {
                return new SpeechReply(AskWhich(origin, intent, resolution.Candidates));
            }

            return RespondTo(origin, intent, resolution.Entry);
        }
        catch (SpeechRequestException problem)
        {
            return new SpeechReply(Say(origin, problem.Message + " Nothing was changed."));
        }
    }

    /// <summary>After the speaker picked the item a request meant.</summary>
    public SpeechReply RespondWithPick(PendingPick pick, LedgerKey chosen)
    {
        ArgumentNullException.ThrowIfNull(pick);
        try
        {
            var entry = index.Find(chosen) ?? throw new SpeechRequestException("That item is no longer on the ledger.");
            return RespondTo(pick.Origin, pick.Intent, entry);
        }
        catch (SpeechRequestException problem)
        {
            return new SpeechReply(Say(pick.Origin, problem.Message + " Nothing was changed."));
        }
    }

    private SpeechReply RespondTo(SpeechOrigin origin, SpeechIntent intent, LedgerEntry? entry)
    {
        if (entry is not null)
        {
            memory.Remember(origin.ChannelId, origin.SpeakerId, [entry.Key]);
        }

        if (intent.IsWrite)
        {
            return Prompt(origin, PlanWrite(origin, intent, entry));
        }

        return new SpeechReply(intent.Kind switch
        {
            SpeechIntentKind.StatusOf => Say(origin, Describe(Require(entry))),
            SpeechIntentKind.OwnerOf => Say(origin, Require(entry).Owner is { } owner ? $"“{entry!.Title}” is owned by {owner}." : $"“{entry!.Title}” has no owner yet."),
            SpeechIntentKind.Overdue => List(origin, "overdue", index.All.Where(e => e.IsActive && e.Status != LedgerStatus.Done && e.DueDate < Today)),
            SpeechIntentKind.Blocked => List(origin, "blocked", index.All.Where(e => e.IsActive && e.Status == LedgerStatus.Blocked)),
            SpeechIntentKind.ToolFor => Say(origin, ToolFor(intent.Workflow ?? string.Empty)),
            _ => throw new SpeechRequestException($"“{intent.Text}” is not a request."),
        });
    }

    private static LedgerEntry Require(LedgerEntry? entry) => entry ?? throw new SpeechRequestException("Say which item you mean.");

    private static string Describe(LedgerEntry entry) =>
        $"“{entry.Title}” is {entry.Status?.Label() ?? "in a status the ledger does not know"}"
        + (entry.Owner is { } owner ? $", owned by {owner}" : ", with no owner")
        + (entry.DueDate is { } due ? $", due {due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}." : ", with no due date.");

    private MessagePayload List(SpeechOrigin origin, string what, IEnumerable<LedgerEntry> entries)
    {
        var listed = entries.OrderBy(e => e.DueDate ?? DateOnly.MaxValue).ThenBy(e => e.Title, StringComparer.OrdinalIgnoreCase).ToList();
        memory.Remember(origin.ChannelId, origin.SpeakerId, [.. listed.Take(ItemResolver.MaxCandidates).Select(e => e.Key)]);
        if (listed.Count == 0)
        {
            return Say(origin, $"Nothing is {what}.");
        }

        var lines = listed.Take(MaxListed).Select(e => $"• {e.Title} — {e.Owner ?? "no owner"}{(e.DueDate is { } due ? ", due " + due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty)}");
        var more = listed.Count > MaxListed ? $"\n…and {listed.Count - MaxListed} more." : string.Empty;
        return Say(origin, $"{listed.Count} item(s) {what}:\n{string.Join('\n', lines)}{more}");
    }

    private string ToolFor(string spokenWorkflow)
    {
        if (!registry.IsInitialized)
        {
            throw new SpeechRequestException("The capability registry is still loading; ask again in a moment.");
        }

        var workflow = registry.Workflows.FirstOrDefault(w => SpokenText.Normalize(w) == spokenWorkflow)
            ?? throw new SpeechRequestException($"There is no workflow called “{spokenWorkflow}”. Workflows: {string.Join(", ", registry.Workflows)}.");
        var ranking = registry.Rank(workflow);
        return ranking.Best is { } best
            ? $"For {workflow}, use {best.Tool.DisplayName} ({best.Reason})."
            : $"No tool is available for {workflow} right now: {ranking.Describe()}";
    }

    private sealed record WritePlan(string Summary, IReadOnlyList<LedgerCommand> Commands, OwnerNotice Notice, LedgerEntry? Optimistic, string? EscalationReason, LedgerEntry? EscalationEntry);

    private WritePlan PlanWrite(SpeechOrigin origin, SpeechIntent intent, LedgerEntry? entry)
    {
        var key = origin.IdempotencyKey;
        var speaker = Speaker(origin);
        var origination = origin.Kind == UtteranceOrigin.VoiceMessage
            ? $"Voice message by {speaker.Name} in channel {origin.ChannelId} (message {origin.UtteranceId}): “{origin.Transcript}”"
            : $"Voice request by {speaker.Name} in channel {origin.ChannelId} (utterance {origin.UtteranceId}): “{origin.Transcript}”";
        if (intent.Kind == SpeechIntentKind.Create)
        {
            var words = intent.Words ?? throw new SpeechRequestException("Say the new item's title after “create task”.");
            var title = char.ToUpperInvariant(words[0]) + words[1..];
            var owner = intent.Person is { } person ? Person(person, origin).Name : speaker.Person?.Name;
            var due = intent.Due ?? Today.AddDays(options.CurrentValue.DefaultDueDays);
            var itemKey = LedgerKey.FromOrigin(LedgerSource.Voice, origin.UtteranceId);
            var create = new CreateLedgerEntry(key, itemKey, title, LedgerSource.Voice) { Owner = owner, DueDate = due, DiscordChannelId = origin.ChannelId };
            var optimistic = new LedgerEntry { Key = itemKey, MondayItemId = string.Empty, Title = title, Owner = owner, DueDate = due, Status = LedgerStatus.Requested, Source = LedgerSource.Voice, DiscordChannelId = origin.ChannelId };
            return new WritePlan(
                $"create “{title}” owned by {owner ?? "nobody (link your monday account with /ledger link to own it)"}, due {Date(due)}",
                [create, new CommentOnLedgerEntry(key + ":origin", itemKey, origination)],
                owner is null ? OwnerNotice.None : OwnerNotice.Assigned,
                optimistic,
                null,
                null);
        }

        var item = Require(entry);
        var itemId = string.IsNullOrEmpty(item.MondayItemId) ? null : item.MondayItemId;
        var commands = new List<LedgerCommand>();
        string summary;
        var notice = OwnerNotice.None;
        var changed = item;
        string? escalationReason = null;
        switch (intent.Kind)
        {
            case SpeechIntentKind.SetStatus:
                var to = intent.Status!.Value;
                var from = item.Status ?? throw new SpeechRequestException($"“{item.Title}” has a status on monday the ledger does not know; fix it on the board first.");
                if (LedgerStatusMachine.RejectionReason(from, to) is { } illegal)
                {
                    throw new SpeechRequestException(illegal);
                }

                if (to == LedgerStatus.Blocked && intent.Reason is null)
                {
                    throw new SpeechRequestException("Say what blocks it, e.g. “move it to blocked, waiting on security review”.");
                }

                commands.Add(new ChangeLedgerStatus(key, item.Key, from, to) { MondayItemId = itemId });
                summary = $"move “{item.Title}” from {from.Label()} to {to.Label()}" + (intent.Reason is { } reason ? $" ({reason})" : string.Empty);
                notice = to switch { LedgerStatus.Blocked => OwnerNotice.Blocked, LedgerStatus.Done => OwnerNotice.Done, _ => OwnerNotice.None };
                changed = item with { Status = to };
                break;
            case SpeechIntentKind.Assign:
                var assignee = Person(intent.Person!, origin);
                commands.Add(new UpdateLedgerDetails(key, item.Key) { Owner = assignee.Name, MondayItemId = itemId });
                summary = $"assign “{item.Title}” to {assignee.Name}";
                notice = OwnerNotice.Assigned;
                changed = item with { Owner = assignee.Name };
                break;
            case SpeechIntentKind.SetDue:
                var date = intent.Due ?? throw new SpeechRequestException("Say the due date as today, tomorrow, a weekday or next week.");
                commands.Add(new UpdateLedgerDetails(key, item.Key) { DueDate = date, MondayItemId = itemId });
                summary = $"set “{item.Title}” due {Date(date)}";
                changed = item with { DueDate = date };
                break;
            case SpeechIntentKind.AddNote:
                commands.Add(new CommentOnLedgerEntry(key, item.Key, $"{intent.Words} — {speaker.Name}, by voice") { MondayItemId = itemId });
                summary = $"add the note “{intent.Words}” to “{item.Title}”";
                break;
            case SpeechIntentKind.AddFollowUp:
                commands.Add(new AddLedgerFollowUp(key, item.Key, char.ToUpperInvariant(intent.Words![0]) + intent.Words[1..]) { MondayItemId = itemId });
                summary = $"add the follow-up “{intent.Words}” to “{item.Title}”";
                break;
            case SpeechIntentKind.Escalate:
                escalationReason = intent.Words ?? "escalated by voice";
                summary = $"escalate “{item.Title}” ({escalationReason})";
                break;
            default:
                throw new SpeechRequestException($"“{intent.Text}” is not a change the ledger makes.");
        }

        // Every spoken change leaves the item with an owner and a due date: the speaker and the default horizon fill what it lacks.
        var fillOwner = changed.Owner is null ? speaker.Person?.Name : null;
        var fillDue = changed.DueDate is null ? Today.AddDays(options.CurrentValue.DefaultDueDays) : (DateOnly?)null;
        if (fillOwner is not null || fillDue is not null)
        {
            commands.Add(new UpdateLedgerDetails(key + ":details", item.Key) { Owner = fillOwner, DueDate = fillDue, MondayItemId = itemId });
            summary += (fillOwner is null ? string.Empty : $"; owner {fillOwner}") + (fillDue is { } d ? $"; due {Date(d)}" : string.Empty) + " (it had none)";
            changed = changed with { Owner = changed.Owner ?? fillOwner, DueDate = changed.DueDate ?? fillDue };
        }

        commands.Add(new CommentOnLedgerEntry(key + ":origin", item.Key, origination) { MondayItemId = itemId });
        return new WritePlan(summary, commands, notice, changed, escalationReason, escalationReason is null ? null : item);
    }

    private SpeechReply Prompt(SpeechOrigin origin, WritePlan plan)
    {
        if (ingestion.IsReadOnly)
        {
            throw new SpeechRequestException("The ledger is in read-only mode right now.");
        }

        var token = Guid.NewGuid().ToString("n");
        var window = options.CurrentValue.ConfirmationWindow;
        var pending = new PendingWrite(token, origin, plan.Summary, plan.Commands, plan.Notice, plan.Optimistic, requests.Deadline)
        {
            EscalationReason = plan.EscalationReason,
            EscalationEntry = plan.EscalationEntry,
        };
        requests.Add(pending);
        if (plan.Optimistic is { } item)
        {
            memory.Remember(origin.ChannelId, origin.SpeakerId, [item.Key]);
        }

        var answer = origin.Kind == UtteranceOrigin.VoiceChannel ? $"say “yes” or “no” or press a button within {(int)window.TotalSeconds} s" : $"press a button within {(int)window.TotalSeconds} s";
        return new SpeechReply(new MessageBuilder()
            .WithContent($"<@{origin.SpeakerId}> heard: “{origin.Transcript}”\n**Confirm:** {plan.Summary}? Only you can confirm; {answer}. Nothing changes until then.")
            .WithAllowedMentions(AllowedMentions.None)
            .AddActionRow(row => row.AddButton(Yes + token, "Confirm", ButtonStyle.Success).AddButton(No + token, "Cancel", ButtonStyle.Secondary))
            .Build(), pending);
    }

    private MessagePayload AskWhich(SpeechOrigin origin, SpeechIntent intent, IReadOnlyList<LedgerEntry> candidates)
    {
        var token = Guid.NewGuid().ToString("n");
        requests.Add(new PendingPick(token, origin, intent, [.. candidates.Select(c => c.Key)], requests.Deadline));
        return new MessageBuilder()
            .WithContent($"<@{origin.SpeakerId}> heard: “{origin.Transcript}” — which item do you mean?")
            .WithAllowedMentions(AllowedMentions.None)
            .AddActionRow(row =>
            {
                for (var i = 0; i < candidates.Count; i++)
                {
                    row.AddButton($"{Pick}{token}:{i}", DiscordText.Truncate(candidates[i].Title, 80), ButtonStyle.Secondary);
                }
            })
            .Build();
    }

    /// <summary>Records a confirmed write exactly once (the utterance id is its key); returns what to tell the channel.</summary>
    public async Task<string> ExecuteAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var origin = write.Origin;
        if (!await dedupe.TryMarkAsync(origin.IdempotencyKey, LedgerWrites.DedupeWindow, cancellationToken))
        {
            return "This request was already recorded; nothing was recorded twice.";
        }

        var speaker = Speaker(origin);
        var actorId = ulong.TryParse(origin.SpeakerId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
        try
        {
            if (write.EscalationEntry is { } escalated)
            {
                var result = await escalation.EscalateNowAsync(escalated, $"{speaker.Name} (Discord {origin.SpeakerId}, by voice)", write.EscalationReason!, cancellationToken);
                if (!result.Succeeded)
                {
                    return result.Message + " Nothing was recorded.";
                }
            }

            foreach (var command in write.Commands)
            {
                var authorship = journal.AddAsync(command.IdempotencyKey, new SurfaceChange(origin.ChannelId, actorId, speaker.Name + " (by voice)", write.Summary, command == write.Commands[0] ? write.Notice : OwnerNotice.None, null), cancellationToken);
                await Task.WhenAll(authorship, ingestion.RecordAsync(command, cancellationToken));
            }
        }
        catch (LedgerCommandRejectedException rejected)
        {
            foreach (var command in write.Commands)
            {
                await journal.TakeAsync(command.IdempotencyKey, cancellationToken);
            }

            return $"{rejected.Rejection.Reason} Nothing was recorded.";
        }
        catch (LedgerReadOnlyException readOnly)
        {
            return readOnly.Message;
        }

        if (write.Optimistic is { } changed)
        {
            if (index.Find(changed.Key) is null)
            {
                index.Upsert(changed);
            }
            else
            {
                index.Update(changed.Key, _ => changed);
            }
        }

        return $"Recorded: {write.Summary}. The card follows as soon as monday confirms.";
    }

    private (string Name, MondayPerson? Person) Speaker(SpeechOrigin origin)
    {
        var person = ulong.TryParse(origin.SpeakerId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? owners.Find(id) : null;
        return (person?.Name ?? $"<@{origin.SpeakerId}>", person);
    }

    private MondayPerson Person(string spoken, SpeechOrigin origin)
    {
        if (spoken == "me")
        {
            return Speaker(origin).Person ?? throw new SpeechRequestException(OwnerDirectory.HowToLink($"<@{origin.SpeakerId}>"));
        }

        var matches = owners.All.Select(l => l.Person)
            .Where(p => SpokenText.Normalize(p.Name) == spoken || SpokenText.Words(p.Name).FirstOrDefault() == spoken)
            .DistinctBy(p => p.Id)
            .ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new SpeechRequestException($"I don't know who “{spoken}” is. {OwnerDirectory.HowToLink($"'{spoken}'")}"),
            _ => throw new SpeechRequestException($"More than one linked person is called “{spoken}”: say the full name."),
        };
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd (dddd)", CultureInfo.InvariantCulture);

    public static MessagePayload Say(SpeechOrigin origin, string text)
    {
        ArgumentNullException.ThrowIfNull(origin);
        return new MessageBuilder()
            .WithContent($"<@{origin.SpeakerId}> heard: “{origin.Transcript}”\n{text}")
            .WithAllowedMentions(AllowedMentions.None)
            .Build();
    }
}
