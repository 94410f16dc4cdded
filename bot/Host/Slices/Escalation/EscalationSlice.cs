using System.Text.RegularExpressions;
using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Ledger.Commands;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Escalation;

/// <summary>
/// The Discord side of the escalation engine: <c>/ledger escalate</c> ("escalate now") and the Acknowledge / Escalate
/// now / Done buttons of escalation notices. Authority comes from the clicking member's permissions and roles on every
/// click (<see cref="SurfaceAuthority"/>), never from the custom_id; a click on a notice whose escalation is over, or on
/// a button the bot did not make, changes nothing and says why. Every accepted click is written to the board with
/// who made it, and every press of a genuine button (accepted or refused) is audited on the item.
/// </summary>
public sealed partial class EscalationSlice(
    EscalationEngine engine,
    LedgerIngestion ingestion,
    LedgerItemIndex index,
    SurfaceAuthority authority,
    SurfaceJournal journal,
    ButtonPressAudit audit,
    IDedupeStore dedupe)
{
    private const int MaxLevelsAtOnce = 10;

    public void Map(InteractionRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.MapCommand("ledger escalate", EscalateAsync, new InteractionRouteOptions(DeferEphemeral: true))
            .MapComponent(EscalationButtons.Prefix, ButtonAsync);
    }

    private async Task<InteractionResponse> EscalateAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        authority.Require(interaction, SurfaceRight.Escalate);
        RefuseWhenReadOnly();
        var options = interaction.Command!;
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var reason = SurfaceText.Clean(options.GetString("reason"), "Reason", 500);
        var state = await engine.GetStateAsync(entry.Key.Value, cancellationToken);
        var before = state?.Episodes.Select(e => e.CurrentLevel).DefaultIfEmpty(0).Max() ?? 0;
        var current = before;
        var target = (int)(options.GetInteger("level") ?? current + 1);
        if (target <= current)
        {
            throw new InteractionInputException($"'{entry.Title}' is already at escalation level {current}; escalate to a higher level.");
        }

        if (!await dedupe.TryMarkAsync(LedgerWrites.IdempotencyKeyOf(interaction), LedgerWrites.DedupeWindow, cancellationToken))
        {
            return InteractionResponse.Text("This interaction was already handled; nothing was recorded twice.", ephemeral: true);
        }

        EscalationActionResult? result = null;
        for (var i = 0; i < MaxLevelsAtOnce && current < target; i++)
        {
            result = await engine.EscalateNowAsync(entry, ActorOf(interaction), reason, cancellationToken);
            if (!result.Succeeded)
            {
                break;
            }

            current = result.Episodes[0].CurrentLevel;
        }

        if (result is { Succeeded: false } && current == before)
        {
            throw new InteractionInputException(result.Message + " Nothing was recorded.");
        }

        index.Update(entry.Key, e => e with { EscalationLevel = current });
        var stopped = current < target ? $" (its policy has no level above {current})" : string.Empty;
        return InteractionResponse.Text($"Recorded: {entry.Key.Value} escalated to level {current}{stopped} ({reason}). The escalation notice is posted and the board follows.", ephemeral: true);
    }

    private async Task<InteractionResponse> ButtonAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        var customId = interaction.Component!.CustomId;
        var action = new[] { EscalationButtons.Acknowledge, EscalationButtons.EscalateNow, EscalationButtons.Done }.FirstOrDefault(a => customId.StartsWith(a, StringComparison.Ordinal));
        var rest = action is null ? null : customId[action.Length..].Split(':', 2);
        if (action is null || rest is not [var episodeId, var keyText] || !EpisodeId().IsMatch(episodeId) || !LedgerKey.TryParse(keyText, out var key, out _))
        {
            throw new InteractionInputException("This button was not made by the ledger bot (or is from an old version). Nothing was changed.");
        }

        if (index.Find(key) is not { } entry)
        {
            throw new InteractionInputException("The item this button belongs to is no longer on the ledger (archived or unknown). Nothing was changed.");
        }

        // Every press of a genuine button is on the item's record, refused ones too.
        var button = $"'{Label(action)}' on escalation notice {episodeId} of {key.Value}";
        if (!authority.Holds(interaction, SurfaceRight.Override))
        {
            await audit.RecordAsync(interaction, key.Value, button, "refused, not a moderator. Nothing changed.", cancellationToken);
        }

        authority.Require(interaction, SurfaceRight.Override);
        RefuseWhenReadOnly();

        if (!await dedupe.TryMarkAsync(LedgerWrites.IdempotencyKeyOf(interaction), LedgerWrites.DedupeWindow, cancellationToken))
        {
            return InteractionResponse.Text("This interaction was already handled; nothing was recorded twice.", ephemeral: true);
        }

        var actor = ActorOf(interaction);
        var idempotencyKey = LedgerWrites.IdempotencyKeyOf(interaction);
        if (action == EscalationButtons.Acknowledge)
        {
            // Journaled first so the card's history names who acknowledged, however fast monday confirms.
            await JournalAsync(context, idempotencyKey, "escalation acknowledged", OwnerNotice.None, cancellationToken);
            var acknowledged = await engine.AcknowledgeAsync(entry, episodeId, actor, "Discord", idempotencyKey, cancellationToken);
            if (!acknowledged.Succeeded)
            {
                await journal.TakeAsync(idempotencyKey, cancellationToken);
            }

            await audit.RecordAsync(interaction, key.Value, button, acknowledged.Succeeded ? $"accepted, {acknowledged.Message}." : $"refused: {acknowledged.Message}", cancellationToken);
            return Answer(acknowledged, entry);
        }

        if ((await engine.GetStateAsync(key.Value, cancellationToken))?.Episodes.Any(e => e.Id == episodeId) != true)
        {
            await audit.RecordAsync(interaction, key.Value, button, "refused, that escalation is over. Nothing changed.", cancellationToken);
            throw new InteractionInputException($"This notice belongs to escalation {episodeId}, which is over. Nothing was changed.");
        }

        if (action == EscalationButtons.EscalateNow)
        {
            var escalated = await engine.EscalateNowAsync(entry, actor, "escalated from the notice", cancellationToken);
            if (escalated.Succeeded)
            {
                index.Update(key, e => e with { EscalationLevel = escalated.Episodes[0].CurrentLevel });
            }

            await audit.RecordAsync(interaction, key.Value, button, escalated.Succeeded ? $"accepted, {escalated.Message}." : $"refused: {escalated.Message}", cancellationToken);
            return Answer(escalated, entry);
        }

        var from = entry.Status ?? LedgerStatus.InProgress;
        if (LedgerStatusMachine.RejectionReason(from, LedgerStatus.Done) is { } illegal)
        {
            throw new InteractionInputException(illegal + " Nothing was recorded.");
        }

        await JournalAsync(context, idempotencyKey, $"status {from.Label()} → Done (escalation notice)", OwnerNotice.Done, cancellationToken);
        await ingestion.RecordAsync(new ChangeLedgerStatus(idempotencyKey, key, from, LedgerStatus.Done) { MondayItemId = string.IsNullOrEmpty(entry.MondayItemId) ? null : entry.MondayItemId }, cancellationToken);
        index.Update(key, e => e with { Status = LedgerStatus.Done });
        await audit.RecordAsync(interaction, key.Value, button, $"accepted, status {from.Label()} → Done.", cancellationToken);
        return InteractionResponse.Text($"Recorded: {key.Value} status {from.Label()} → Done; its escalation ends.", ephemeral: true);
    }

    private Task JournalAsync(InteractionContext context, string idempotencyKey, string summary, OwnerNotice notice, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        var channel = interaction.ChannelId is { } id ? Snowflake.ToWire(id) : string.Empty;
        return journal.AddAsync(idempotencyKey, new SurfaceChange(channel, interaction.User?.Id ?? 0, interaction.User?.DisplayName ?? "someone", summary, notice, context), cancellationToken);
    }

    private static InteractionResponse Answer(EscalationActionResult result, LedgerEntry entry) =>
        result.Succeeded
            ? InteractionResponse.Text($"Recorded: {entry.Key.Value} {result.Message}.", ephemeral: true)
            : throw new InteractionInputException(result.Message);

    private static string Label(string action) => action switch
    {
        EscalationButtons.Acknowledge => "Acknowledge",
        EscalationButtons.EscalateNow => "Escalate now",
        _ => "Done",
    };

    private void RefuseWhenReadOnly()
    {
        if (ingestion.IsReadOnly)
        {
            throw new InteractionInputException("The ledger is in read-only mode right now; nothing was recorded. Try again once an operator turns writes back on.");
        }
    }

    private static string ActorOf(Interaction interaction) =>
        interaction.User is { } user ? $"{user.DisplayName} (Discord {Snowflake.ToWire(user.Id)})" : "someone";

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,39}\.[0-9]{1,9}$")]
    private static partial Regex EpisodeId();
}
