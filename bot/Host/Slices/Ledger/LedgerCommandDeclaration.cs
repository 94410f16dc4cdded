using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>The /ledger command as declared to Discord (registered at start, overwritten only when it changed).</summary>
public static class LedgerCommandDeclaration
{
    public static IReadOnlyList<ApplicationCommandChoice> Statuses { get; } =
    [
        new("requested", "requested"),
        new("in progress", "in_progress"),
        new("blocked", "blocked"),
        new("done", "done"),
    ];

    public static ApplicationCommand Build() => ApplicationCommandBuilder.ChatInput("ledger", "The team ledger on monday.com")
        .InContexts(InteractionContextType.Guild)
        .AddSubcommand("create", "Record a new item", o => o
            .AddString("title", "What needs doing (one line)", required: true, maxLength: 255)
            .AddString("owner", "Who owns it (a linked person)", autocomplete: true)
            .AddString("due", "Due date: YYYY-MM-DD, today, tomorrow or +N")
            .AddString("description", "Details, added as the first note", maxLength: 4000)
            .AddString("priority", "How urgent", choices: [new("low", "low"), new("normal", "normal"), new("high", "high"), new("urgent", "urgent")]))
        .AddSubcommand("status", "Move an item to another status", o => o
            .AddString("item", "The item", required: true, autocomplete: true)
            .AddString("status", "The new status", required: true, choices: Statuses)
            .AddString("reason", "Why (required when blocked)", maxLength: 1000))
        .AddSubcommand("assign", "Give an item to someone", o => o
            .AddString("item", "The item", required: true, autocomplete: true)
            .AddString("owner", "The new owner (a linked person)", required: true, autocomplete: true))
        .AddSubcommand("due", "Set an item's due date", o => o
            .AddString("item", "The item", required: true, autocomplete: true)
            .AddString("date", "YYYY-MM-DD, today, tomorrow or +N", required: true))
        .AddSubcommand("note", "Add a note (a monday update) to an item", o => o
            .AddString("item", "The item", required: true, autocomplete: true)
            .AddString("text", "The note", required: true, maxLength: 4000))
        .AddSubcommand("followup", "Add a follow-up (a subitem) to an item", o => o
            .AddString("item", "The item", required: true, autocomplete: true)
            .AddString("title", "The follow-up", required: true, maxLength: 200)
            .AddString("owner", "Who does it (a linked person)", autocomplete: true)
            .AddString("due", "Due date: YYYY-MM-DD, today, tomorrow or +N"))
        .AddSubcommand("show", "Show an item with its notes and follow-ups", o => o
            .AddString("item", "The item", required: true, autocomplete: true))
        .AddSubcommand("list", "List items", o => o
            .AddBoolean("mine", "Only items I own")
            .AddString("status", "Only items in this status", choices: Statuses)
            .AddBoolean("overdue", "Only overdue items")
            .AddBoolean("here", "Only items created in this channel"))
        .AddSubcommand("escalate", "Escalate an item now", o => o
            .AddString("item", "The item", required: true, autocomplete: true)
            .AddString("reason", "Why", required: true, maxLength: 500)
            .AddInteger("level", "Escalate to this level (default: one up)", minValue: 1, maxValue: 10))
        .AddSubcommand("link", "Link your Discord account to your monday user", o => o
            .AddString("email", "Your monday sign-in email (or your numeric monday user id)", required: true, maxLength: 254))
        .AddSubcommand("notify", "How this channel hears about its items", o => o
            .AddString("mode", "card: edit cards, ping owners · thread: plus a history thread · digest: daily", required: true,
                choices: [new("card", "card"), new("thread", "thread"), new("digest", "digest")]))
        .AddSubcommand("setup", "Check the ledger board, or fix what is missing (Manage Server)", o => o
            .AddBoolean("provision", "Add the missing groups and columns to the board (default: only report)"))
        .Build();
}
