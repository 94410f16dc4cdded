using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger link</c>: map my Discord user to a monday user by email or id.</summary>
public sealed class LinkHandler(OwnerDirectory owners)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var interaction = context.Interaction;
        var user = interaction.User ?? throw new InteractionInputException("Only a person can link their account.");
        var email = SurfaceText.Clean(interaction.Command!.GetString("email"), "Email", 254);
        var person = await owners.LinkAsync(user.Id, email, cancellationToken);
        return InteractionResponse.Text($"Linked: you are {person.Name} ({person.Email}) on monday. Items you own will show you, and you will be told what needs you.", ephemeral: true);
    }
}
