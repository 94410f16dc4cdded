using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger show</c>: the item's card fresh from monday, with its notes and follow-ups read back (ephemeral).</summary>
public sealed class ShowHandler(LedgerItemIndex index, ILedger ledger, ItemDetailsReader details, CardStore cards, OwnerDirectory owners, ItemLinks links, TimeProvider time)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var entry = await index.ResolveAsync(context.Interaction.Command!.GetString("item"), cancellationToken);
        if (string.IsNullOrEmpty(entry.MondayItemId))
        {
            return InteractionResponse.Text($"'{entry.Title}' is recorded and waiting for monday to confirm it; try again in a moment.", ephemeral: true);
        }

        var fresh = (await ledger.GetByIdsAsync([entry.MondayItemId], cancellationToken)).FirstOrDefault() ?? entry;
        index.Upsert(fresh);
        var itemDetails = await details.ReadAsync(fresh.MondayItemId, cancellationToken);
        var location = await cards.FindAsync(fresh.Key.Value, cancellationToken);
        var card = ItemCard.Render(fresh, links.For(fresh.MondayItemId), location?.LastChange ?? "—", owners.DiscordUserFor(fresh.Owner), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        var history = new EmbedBuilder().WithTitle("Notes and follow-ups");
        history.AddField($"Notes ({itemDetails.Notes.Count})", itemDetails.Notes.Count == 0 ? "none" : string.Join("\n\n", itemDetails.Notes.Take(5).Select(n => $"{n.CreatedAt}: {n.Body}")));
        history.AddField($"Follow-ups ({itemDetails.FollowUps.Count})", itemDetails.FollowUps.Count == 0 ? "none" : string.Join('\n', itemDetails.FollowUps.Select(f => "• " + f)));
        return InteractionResponse.Message(new MessageBuilder().AddEmbed(card).AddEmbed(history.Build()).AsEphemeral().Build());
    }
}
