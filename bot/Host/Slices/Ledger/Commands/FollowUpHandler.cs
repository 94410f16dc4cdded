using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger followup</c>: a monday subitem with an optional owner and due date.</summary>
public sealed class FollowUpHandler(LedgerWrites writes, LedgerItemIndex index)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = writes.Begin(context, SurfaceRight.Write);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var title = SurfaceText.Clean(options.GetString("title"), "Follow-up title", 200);
        (ulong DiscordUserId, MondayPerson Person)? owner = options.GetString("owner") is { } ownerText ? writes.ResolveOwner(ownerText, interaction) : null;
        DateOnly? due = options.GetString("due") is { } dueText ? SurfaceText.DueDate(dueText, writes.Today) : null;

        // The subitem carries owner and due in its name: the ledger's follow-up command has no columns of its own yet.
        var name = title
            + (owner is null ? string.Empty : $" — {owner.Value.Person.Name}")
            + (due is null ? string.Empty : $" — due {due:yyyy-MM-dd}");
        var command = new AddLedgerFollowUp(LedgerWrites.IdempotencyKeyOf(interaction), entry.Key, name) { MondayItemId = LedgerWrites.ItemIdOf(entry) };
        return await writes.RecordAsync(context, [command], $"follow-up \"{title}\" added", OwnerNotice.None, cancellationToken, null);
    }
}
