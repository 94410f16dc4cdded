using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Discord.Tests.Interactions;

public class InteractionParserTests
{
    private static Interaction Parse(string json) => InteractionParser.Parse(InteractionJson.Parse(json));

    [Fact]
    public void Parses_a_slash_command_with_a_subcommand_and_resolved_objects()
    {
        var interaction = Parse(InteractionJson.LedgerAdd());

        Assert.Equal(InteractionType.ApplicationCommand, interaction.Type);
        Assert.Equal(1300000000000000010UL, interaction.Id);
        Assert.Equal(1100000000000000001UL, interaction.ApplicationId);
        Assert.Equal(1200000000000000002UL, interaction.GuildId);
        Assert.Equal(1200000000000000003UL, interaction.ChannelId);
        Assert.Equal(new InteractionUser(1200000000000000004, "ada", "Ada L."), interaction.User);
        Assert.Equal("en-US", interaction.Locale);
        var command = interaction.Command!;
        Assert.Equal("ledger add", command.CommandPath);
        Assert.Equal(ApplicationCommandType.ChatInput, command.CommandType);
        Assert.Equal("Ship v2", command.GetString("title"));
        Assert.Equal(5, command.GetInteger("points"));
        Assert.True(command.GetBoolean("urgent"));
        Assert.Equal(1200000000000000004UL, command.GetId("owner"));
        Assert.Equal("ada", command.GetUser("owner")!.Username);
        Assert.Equal("Ada", command.GetMember("owner")!.Nickname);
        Assert.Equal(DiscordPermissions.Administrator, command.GetMember("owner")!.Permissions);
        Assert.Null(command.GetString("missing"));
        Assert.Equal("/ledger add", interaction.Describe());
    }

    [Fact]
    public void Member_permissions_are_a_ulong_bitset_with_helpers()
    {
        var interaction = Parse(InteractionJson.LedgerAdd());

        Assert.Equal(DiscordPermissions.UseApplicationCommands, interaction.MemberPermissions);
        Assert.True(interaction.MemberPermissions!.Value.Allows(DiscordPermissions.UseApplicationCommands));
        Assert.False(interaction.MemberPermissions.Value.Allows(DiscordPermissions.ManageGuild));
        Assert.Equal(DiscordPermissions.ManageGuild, interaction.MemberPermissions.Value.Missing(DiscordPermissions.ManageGuild | DiscordPermissions.UseApplicationCommands));
        Assert.True(DiscordPermissions.Administrator.Allows(DiscordPermissions.ManageGuild));
        Assert.Equal((DiscordPermissions)1126881438187584UL, interaction.AppPermissions);
        Assert.Equal("2147483648", interaction.MemberPermissions.Value.ToWireString());
    }

    [Fact]
    public void Parses_nested_subcommand_groups_and_resolved_channels()
    {
        var interaction = Parse(InteractionJson.SlashCommand("ledger", """
            [{ "name": "admin", "type": 2, "options": [{ "name": "sync", "type": 1, "options": [
                { "name": "channel", "type": 7, "value": "1200000000000000003" },
                { "name": "ratio", "type": 10, "value": 0.5 }
            ] }] }]
            """, """
            { "channels": { "1200000000000000003": { "id": "1200000000000000003", "name": "ledger", "type": 0, "permissions": "1024" } } }
            """));

        var command = interaction.Command!;
        Assert.Equal("ledger admin sync", command.CommandPath);
        Assert.Equal(0.5, command.GetNumber("ratio"));
        var channel = command.GetChannel("channel")!;
        Assert.Equal(("ledger", ChannelType.GuildText, DiscordPermissions.ViewChannel), (channel.Name, channel.Type, channel.Permissions));
    }

    [Fact]
    public void Parses_button_and_select_components()
    {
        var button = Parse(InteractionJson.Button("approve:42"));
        var select = Parse(InteractionJson.Select("status:42", "open", "blocked"));

        Assert.Equal(InteractionType.MessageComponent, button.Type);
        Assert.Equal(("approve:42", 2), (button.Component!.CustomId, button.Component.ComponentType));
        Assert.Empty(button.Component.Values);
        Assert.Equal(1500000000000000001UL, button.MessageId);
        Assert.Equal(["open", "blocked"], select.Component!.Values);
    }

    [Fact]
    public void Parses_autocomplete_with_the_focused_option()
    {
        var interaction = Parse(InteractionJson.Autocomplete("shi"));

        Assert.Equal(InteractionType.ApplicationCommandAutocomplete, interaction.Type);
        Assert.Equal("ledger close", interaction.Command!.CommandPath);
        Assert.Equal("item", interaction.Command.Focused!.Name);
        Assert.Equal("shi", interaction.Command.Focused.Value!.Value.GetString());
    }

    [Fact]
    public void Parses_modal_submissions_from_rows_and_labels()
    {
        var interaction = Parse(InteractionJson.ModalSubmit("edit:42"));

        Assert.Equal("edit:42", interaction.ModalSubmit!.CustomId);
        Assert.Equal("Renamed item", interaction.ModalSubmit.Get("title"));
        Assert.Equal("Line 1\nLine 2", interaction.ModalSubmit.Get("notes"));
    }

    [Fact]
    public void Parses_a_ping_and_a_dm_user()
    {
        var ping = Parse(InteractionJson.Ping);
        var dm = Parse("""
            { "id": "1", "application_id": "2", "type": 2, "token": "t", "version": 1, "channel_id": "3",
              "user": { "id": "4", "username": "bob" }, "data": { "id": "5", "name": "ping", "type": 1 } }
            """);

        Assert.Equal(InteractionType.Ping, ping.Type);
        Assert.Null(ping.Data);
        Assert.Null(dm.GuildId);
        Assert.Null(dm.MemberPermissions);
        Assert.Equal("bob", dm.User!.DisplayName);
    }

    [Fact]
    public void The_token_never_appears_in_ToString()
    {
        var interaction = Parse(InteractionJson.LedgerAdd());

        Assert.DoesNotContain(InteractionJson.Token, interaction.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "id": "x1", "application_id": "2", "type": 2, "token": "t" }""", "'id'")]
    [InlineData("""{ "id": "1", "application_id": "2", "type": 9, "token": "t" }""", "unknown interaction type")]
    [InlineData("""{ "id": "1", "application_id": "2", "type": 2 }""", "'token'")]
    [InlineData("""[1, 2]""", "JSON object")]
    public void Malformed_interactions_fail_with_a_clear_reason(string json, string expected)
    {
        var exception = Assert.Throws<InteractionParseException>(() => Parse(json));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }
}
