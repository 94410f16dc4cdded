using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger note</c>: a monday update on the item, signed with the Discord author.</summary>
public sealed class NoteHandler(LedgerWrites writes, LedgerItemIndex index)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = writes.Begin(context, SurfaceRight.Write);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var text = SurfaceText.Clean(options.GetString("text"), "Note", 4000, singleLine: false);
        var command = new CommentOnLedgerEntry(LedgerWrites.IdempotencyKeyOf(interaction), entry.Key, $"{text}\n— {LedgerWrites.ActorOf(interaction)} via Discord") { MondayItemId = LedgerWrites.ItemIdOf(entry) };
        return await writes.RecordAsync(context, [command], "note added", OwnerNotice.None, cancellationToken, null);
    }
}
