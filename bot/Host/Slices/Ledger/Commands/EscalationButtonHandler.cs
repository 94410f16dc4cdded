using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary>
/// The Acknowledge / Escalate now / Done buttons on escalation notices. Moderators only, checked from the press itself;
/// every press of a genuine button — accepted or refused — is audited on the item.
/// </summary>
public sealed partial class EscalationButtonHandler(LedgerWrites writes, LedgerItemIndex index, SurfaceAuthority authority, ButtonPressAudit audit, ILogger<EscalationButtonHandler> logger)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var interaction = context.Interaction;
        var customId = interaction.Component!.CustomId;
        var (action, label) = customId.StartsWith(EscalationButtons.Acknowledge, StringComparison.Ordinal) ? (EscalationButtons.Acknowledge, "Acknowledge")
            : customId.StartsWith(EscalationButtons.EscalateNow, StringComparison.Ordinal) ? (EscalationButtons.EscalateNow, "Escalate now")
            : customId.StartsWith(EscalationButtons.Done, StringComparison.Ordinal) ? (EscalationButtons.Done, "Done")
            : (null, null);
        if (action is null || label is null)
        {
            LogForged(logger, customId);
            throw new InteractionInputException("This button was not made by the ledger bot (or is from an old version). Nothing was changed.");
        }

        if (!LedgerKey.TryParse(customId[action.Length..], out var key, out _) || index.Find(key) is not { } entry)
        {
            LogForged(logger, customId);
            throw new InteractionInputException("The item this button belongs to is no longer on the ledger (archived or unknown). Nothing was changed.");
        }

        var button = $"'{label}' on the escalation notice of {key.Value}";
        if (!authority.Holds(interaction, SurfaceRight.Override))
        {
            await audit.RecordAsync(interaction, key.Value, button, "refused, not a moderator. Nothing changed.", cancellationToken);
        }

        authority.Require(interaction, SurfaceRight.Override);
        var idempotencyKey = LedgerWrites.IdempotencyKeyOf(interaction);
        var itemId = LedgerWrites.ItemIdOf(entry);
        switch (action)
        {
            case EscalationButtons.Acknowledge:
                // The acknowledgement is itself the audit line: who acknowledged, on the item.
                return await writes.RecordAsync(context, [new CommentOnLedgerEntry(idempotencyKey, key, $"Escalation acknowledged by {LedgerWrites.ActorOf(interaction)} via Discord ({button})") { MondayItemId = itemId }], "escalation acknowledged", OwnerNotice.None, cancellationToken, null);
            case EscalationButtons.EscalateNow:
                var level = entry.EscalationLevel + 1;
                var answer = await writes.RecordAsync(context, [EscalateHandler.Escalation(idempotencyKey, entry, level, interaction, "escalated from the notice", writes.Now)], $"escalated to level {level}", OwnerNotice.Escalated, cancellationToken, () => index.Update(key, e => e with { EscalationLevel = level }));
                await audit.RecordAsync(interaction, key.Value, button, $"accepted, escalated to level {level}.", cancellationToken);
                return answer;
            default:
                var from = entry.Status ?? LedgerStatus.InProgress;
                if (LedgerStatusMachine.RejectionReason(from, LedgerStatus.Done) is { } illegal)
                {
                    await audit.RecordAsync(interaction, key.Value, button, $"refused: {illegal} Nothing changed.", cancellationToken);
                    throw new InteractionInputException(illegal + " Nothing was recorded.");
                }

                var done = await writes.RecordAsync(context, [new ChangeLedgerStatus(idempotencyKey, key, from, LedgerStatus.Done) { MondayItemId = itemId }], $"status {from.Label()} → Done", OwnerNotice.Done, cancellationToken, () => index.Update(key, e => e with { Status = LedgerStatus.Done }));
                await audit.RecordAsync(interaction, key.Value, button, $"accepted, status {from.Label()} → Done.", cancellationToken);
                return done;
        }
    }

    [LoggerMessage(EventId = 6031, Level = LogLevel.Warning, Message = "Refused an escalation button with an unknown or stale custom_id {CustomId}")]
    private static partial void LogForged(ILogger logger, string customId);
}
