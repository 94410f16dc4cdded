using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary>Autocomplete for /ledger's item and owner options, from the local index and the owner links only (no monday call).</summary>
public sealed class LedgerAutocompleteHandler(LedgerItemIndex index, OwnerDirectory owners)
{
    public Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var focused = context.Interaction.Command!.Focused;
        var typed = focused?.Value is { ValueKind: System.Text.Json.JsonValueKind.String } value ? value.GetString() : null;
        IEnumerable<AutocompleteChoice> choices = focused?.Name switch
        {
            "item" => index.Search(typed, DiscordLimits.AutocompleteChoices)
                .Select(e => new AutocompleteChoice($"{e.Title} · {e.Status?.Label() ?? "?"}", e.Key.Value)),
            "owner" => owners.All
                .Where(link => string.IsNullOrEmpty(typed) || link.Person.Name.Contains(typed, StringComparison.OrdinalIgnoreCase) || link.Person.Email.Contains(typed, StringComparison.OrdinalIgnoreCase))
                .Select(link => new AutocompleteChoice($"{link.Person.Name} ({link.Person.Email})", Snowflake.ToWire(link.DiscordUserId))),
            _ => [],
        };
        return Task.FromResult(InteractionResponse.Autocomplete(choices));
    }
}
