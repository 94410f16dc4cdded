using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger status</c>: a transition the status machine allows; blocking needs a reason, which becomes a monday update.</summary>
public sealed class StatusHandler(LedgerWrites writes, LedgerItemIndex index)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = writes.Begin(context, SurfaceRight.Write);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var to = SurfaceText.Status(options.GetString("status"));
        var reason = options.GetString("reason") is { } reasonText ? SurfaceText.Clean(reasonText, "Reason", 1000) : null;
        var from = entry.Status
            ?? throw new InteractionInputException($"'{entry.Title}' has a status on monday the ledger does not know; fix it on the board first.");
        if (LedgerStatusMachine.RejectionReason(from, to) is { } illegal)
        {
            throw new InteractionInputException(illegal + " Nothing was recorded.");
        }

        if (to == LedgerStatus.Blocked && reason is null)
        {
            throw new InteractionInputException("Say what blocks it: add the reason option (it is shown on the card and notified to the owner).");
        }

        var idempotencyKey = LedgerWrites.IdempotencyKeyOf(interaction);
        var itemId = LedgerWrites.ItemIdOf(entry);
        List<LedgerCommand> commands = [new ChangeLedgerStatus(idempotencyKey, entry.Key, from, to) { MondayItemId = itemId }];
        if (reason is not null)
        {
            commands.Add(new CommentOnLedgerEntry(idempotencyKey + ":reason", entry.Key, $"Status {from.ToWireName()} → {to.ToWireName()} by {LedgerWrites.ActorOf(interaction)}: {reason}") { MondayItemId = itemId });
        }

        var summary = $"status {from.Label()} → {to.Label()}" + (reason is null ? string.Empty : $" ({reason})");
        var notice = to switch
        {
            LedgerStatus.Blocked => OwnerNotice.Blocked,
            LedgerStatus.Done => OwnerNotice.Done,
            _ => OwnerNotice.None,
        };
        return await writes.RecordAsync(context, commands, summary, notice, cancellationToken, () => index.Update(entry.Key, e => e with { Status = to }));
    }
}
