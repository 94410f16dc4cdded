using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger due</c>: a new due date, today or later.</summary>
public sealed class DueHandler(LedgerWrites writes, LedgerItemIndex index)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = writes.Begin(context, SurfaceRight.Write);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var due = SurfaceText.DueDate(options.GetString("date"), writes.Today);
        var command = new UpdateLedgerDetails(LedgerWrites.IdempotencyKeyOf(interaction), entry.Key) { DueDate = due, MondayItemId = LedgerWrites.ItemIdOf(entry) };
        return await writes.RecordAsync(context, [command], $"due {due:yyyy-MM-dd}", OwnerNotice.None, cancellationToken, () => index.Update(entry.Key, e => e with { DueDate = due }));
    }
}
