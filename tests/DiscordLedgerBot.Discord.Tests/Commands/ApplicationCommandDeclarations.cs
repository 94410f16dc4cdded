using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Discord.Tests.Commands;

/// <summary>A representative declared set, exercising every option kind.</summary>
internal static class ApplicationCommandDeclarations
{
    public static ApplicationCommand Ledger() =>
        ApplicationCommandBuilder.ChatInput("ledger", "Work with the team ledger")
            .WithDefaultMemberPermissions(DiscordPermissions.ManageGuild | DiscordPermissions.SendMessages)
            .InContexts(InteractionContextType.Guild)
            .ForIntegrationTypes(ApplicationIntegrationType.GuildInstall)
            .AddSubcommand("add", "Add an item", o => o
                .AddString("title", "Item title", required: true, minLength: 1, maxLength: 100)
                .AddInteger("points", "Story points", minValue: 0, maxValue: 100)
                .AddUser("owner", "Who owns it")
                .AddBoolean("urgent", "Flag as urgent")
                .AddString("status", "Initial status", choices: [ApplicationCommandChoice.Of("Open", "open"), ApplicationCommandChoice.Of("Blocked", "blocked")]))
            .AddSubcommand("close", "Close an item", o => o.AddString("item", "The item", required: true, autocomplete: true))
            .AddSubcommandGroup("admin", "Administration", g => g
                .AddSubcommand("sync", "Resynchronise the board", o => o
                    .AddChannel("channel", "Where to report", channelTypes: [ChannelType.GuildText, ChannelType.PublicThread])
                    .AddNumber("ratio", "Sampling ratio", minValue: 0.0, maxValue: 1.0)
                    .AddRole("role", "Role to notify")
                    .AddMentionable("who", "Who to notify")
                    .AddAttachment("export", "An export file")
                    .AddInteger("depth", "History depth", choices: [ApplicationCommandChoice.Of("Shallow", 1L), ApplicationCommandChoice.Of("Deep", 5L)])))
            .Build();

    public static ApplicationCommand Ping() =>
        ApplicationCommandBuilder.ChatInput("ping", "Check that the bot answers").Build();

    public static ApplicationCommand ReportUser() =>
        ApplicationCommandBuilder.UserContext("Show ledger items").Build();

    public static IReadOnlyList<ApplicationCommand> All() => [Ledger(), Ping(), ReportUser()];
}
