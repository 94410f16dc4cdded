using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Discord.Tests.Interactions;

public class InteractionRouterTests
{
    private static InteractionHandler Named(string name) => (_, _) => Task.FromResult(InteractionResponse.Text(name));

    private static Interaction Parse(string json) => InteractionParser.Parse(InteractionJson.Parse(json));

    private static InteractionRouter Router() => new InteractionRouter()
        .MapCommand("ledger", Named("ledger"))
        .MapCommand("/ledger add", Named("ledger add"))
        .MapAutocomplete("ledger close", Named("close autocomplete"))
        .MapComponent("approve:", Named("approve"))
        .MapComponent("approve:urgent:", Named("approve urgent"))
        .MapModal("edit:", Named("edit"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Routes_by_command_path_and_custom_id_prefix(string json, string? expectedKey) =>
        Assert.Equal(expectedKey, Router().Find(Parse(json))?.Key);

    public static TheoryData<string, string?> Cases() => new()
    {
        { InteractionJson.LedgerAdd(), "ledger add" },
        { InteractionJson.SlashCommand("ledger", """[{ "name": "list", "type": 1, "options": [] }]"""), "ledger" },
        { InteractionJson.SlashCommand("other"), null },
        { InteractionJson.Autocomplete("x"), "ledger close" },
        { InteractionJson.Button("approve:42"), "approve:" },
        { InteractionJson.Button("approve:urgent:42"), "approve:urgent:" },
        { InteractionJson.Button("reject:42"), null },
        { InteractionJson.ModalSubmit("edit:42"), "edit:" },
    };

    [Fact]
    public void Mapping_the_same_route_twice_fails()
    {
        var router = new InteractionRouter().MapCommand("ledger", Named("a"));

        Assert.Throws<InvalidOperationException>(() => router.MapCommand("ledger", Named("b")));
    }
}
