using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Ledger.Commands;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>
/// /ledger's routes: one handler per subcommand (<see cref="Commands"/>), each turning an interaction into ledger
/// commands recorded in the outbox under <c>interaction:&lt;id&gt;</c>; the card follows from <see cref="CardResponder"/>
/// when monday confirms. Reads (show, list) go to monday or the local index. Nothing here talks to monday to write.
/// </summary>
public sealed class LedgerModule(
    CreateItemHandler create,
    StatusHandler status,
    AssignHandler assign,
    DueHandler due,
    NoteHandler note,
    FollowUpHandler followUp,
    EscalateHandler escalate,
    ShowHandler show,
    ListHandler list,
    LinkHandler link,
    NotifyHandler notify,
    SetupHandler setup,
    LedgerAutocompleteHandler autocomplete,
    EscalationButtonHandler escalationButtons)
{
    public void Map(InteractionRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);

        // Writes wait for the durable outbox append and reads for monday, so the deferral goes out first and the answer
        // follows as its edit: the acknowledgement never queues behind the file store's fsync or a monday round trip.
        var deferred = new InteractionRouteOptions(DeferEphemeral: true, DeferAtOnce: true);
        router.MapCommand("ledger create", create.HandleAsync, deferred)
            .MapCommand("ledger status", status.HandleAsync, deferred)
            .MapCommand("ledger assign", assign.HandleAsync, deferred)
            .MapCommand("ledger due", due.HandleAsync, deferred)
            .MapCommand("ledger note", note.HandleAsync, deferred)
            .MapCommand("ledger followup", followUp.HandleAsync, deferred)
            .MapCommand("ledger escalate", escalate.HandleAsync, new InteractionRouteOptions(DeferEphemeral: true))
            .MapCommand("ledger show", show.HandleAsync, deferred)
            .MapCommand("ledger list", list.HandleAsync, deferred)
            .MapCommand("ledger link", link.HandleAsync, deferred)
            .MapCommand("ledger notify", notify.HandleAsync, deferred)
            .MapCommand("ledger setup", setup.HandleAsync, deferred)
            .MapAutocomplete("ledger", autocomplete.HandleAsync)
            .MapComponent(ListHandler.PagePrefix, list.HandlePageAsync)
            .MapComponent(EscalationButtons.Prefix, escalationButtons.HandleAsync);
    }
}
