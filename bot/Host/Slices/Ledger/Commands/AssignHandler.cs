using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger assign</c>: a new owner, who must be linked to a monday user.</summary>
public sealed class AssignHandler(LedgerWrites writes, LedgerItemIndex index)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = writes.Begin(context, SurfaceRight.Write);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var owner = writes.ResolveOwner(options.GetString("owner") ?? string.Empty, interaction);
        var command = new UpdateLedgerDetails(LedgerWrites.IdempotencyKeyOf(interaction), entry.Key) { Owner = owner.Person.Name, MondayItemId = LedgerWrites.ItemIdOf(entry) };
        return await writes.RecordAsync(context, [command], $"assigned to {owner.Person.Name}", OwnerNotice.Assigned, cancellationToken, () => index.Update(entry.Key, e => e with { Owner = owner.Person.Name }));
    }
}
