using DiscordLedgerBot.Discord.Commands;

namespace DiscordLedgerBot.Discord.Tests.Commands;

public class ApplicationCommandValidatorTests
{
    private static IReadOnlyList<string> ErrorsFor(ApplicationCommand command) => ApplicationCommandValidator.Validate([command]);

    private static ApplicationCommand Chat(string name = "ledger", string description = "Ledger", Action<ApplicationCommandOptionsBuilder>? options = null)
    {
        var builder = ApplicationCommandBuilder.ChatInput(name, description);
        return (options is null ? builder : builder.WithOptions(options)).Build();
    }

    [Fact]
    public void The_representative_set_is_valid() =>
        Assert.Empty(ApplicationCommandValidator.Validate(ApplicationCommandDeclarations.All()));

    [Theory]
    [InlineData("Ledger", "lowercase")]
    [InlineData("led ger", "letters, digits")]
    [InlineData("", "letters, digits")]
    [InlineData("a234567890123456789012345678901234", "letters, digits")]
    public void Chat_names_follow_discords_pattern(string name, string expected) =>
        Assert.Contains(ErrorsFor(Chat(name)), e => e.Contains(expected, StringComparison.Ordinal));

    [Theory]
    [InlineData("ledger")]
    [InlineData("add-item_2")]
    [InlineData("über")]
    [InlineData("नमस्ते")]
    [InlineData("a2345678901234567890123456789012")]
    public void Valid_chat_names_pass(string name) => Assert.Empty(ErrorsFor(Chat(name)));

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void Descriptions_are_1_to_100_characters(int length) =>
        Assert.Contains(ErrorsFor(Chat(description: new string('d', length))), e => e.Contains("description must be 1-100", StringComparison.Ordinal));

    [Fact]
    public void At_most_25_options()
    {
        var ok = Chat(options: o => { for (var i = 0; i < 25; i++) { o.AddString($"o{i}", "x"); } });
        var tooMany = Chat(options: o => { for (var i = 0; i < 26; i++) { o.AddString($"o{i}", "x"); } });

        Assert.Empty(ErrorsFor(ok));
        Assert.Contains(ErrorsFor(tooMany), e => e.Contains("26 options", StringComparison.Ordinal));
    }

    [Fact]
    public void Required_options_come_first() =>
        Assert.Contains(
            ErrorsFor(Chat(options: o => o.AddString("optional", "x").AddString("needed", "x", required: true))),
            e => e.Contains("required options must come before", StringComparison.Ordinal));

    [Fact]
    public void At_most_25_choices_and_never_with_autocomplete()
    {
        var choices = Enumerable.Range(0, 26).Select(i => ApplicationCommandChoice.Of($"c{i}", $"v{i}")).ToList();

        Assert.Contains(ErrorsFor(Chat(options: o => o.AddString("s", "x", choices: choices))), e => e.Contains("26 choices", StringComparison.Ordinal));
        Assert.Empty(ErrorsFor(Chat(options: o => o.AddString("s", "x", choices: choices[..25]))));
        Assert.Contains(ErrorsFor(Chat(options: o => o.AddString("s", "x", autocomplete: true, choices: choices[..2]))), e => e.Contains("cannot be combined", StringComparison.Ordinal));
    }

    [Fact]
    public void Choice_values_must_match_the_option_type() =>
        Assert.Contains(
            ErrorsFor(Chat(options: o => o.AddInteger("n", "x", choices: [ApplicationCommandChoice.Of("one", "1")]))),
            e => e.Contains("matching values", StringComparison.Ordinal));

    [Fact]
    public void Length_and_value_bounds_are_checked()
    {
        Assert.Contains(ErrorsFor(Chat(options: o => o.AddString("s", "x", maxLength: 6001))), e => e.Contains("max_length", StringComparison.Ordinal));
        Assert.Contains(ErrorsFor(Chat(options: o => o.AddString("s", "x", minLength: 10, maxLength: 5))), e => e.Contains("min_length", StringComparison.Ordinal));
        Assert.Contains(ErrorsFor(Chat(options: o => o.AddInteger("n", "x", minValue: 5, maxValue: 1))), e => e.Contains("greater than max_value", StringComparison.Ordinal));
        Assert.Contains(ErrorsFor(Chat(options: o => o.AddInteger("n", "x", maxValue: long.MaxValue))), e => e.Contains("2^53", StringComparison.Ordinal));
        Assert.Contains(
            ErrorsFor(Chat(options: o => o.Add(new ApplicationCommandOption(ApplicationCommandOptionType.Boolean, "b", "x") { ChannelTypes = [ChannelType.GuildText] }))),
            e => e.Contains("channel_types are only for CHANNEL", StringComparison.Ordinal));
    }

    [Fact]
    public void Subcommands_cannot_mix_with_plain_options_or_nest_too_deep()
    {
        var mixed = ApplicationCommandBuilder.ChatInput("ledger", "Ledger")
            .AddSubcommand("add", "Add")
            .WithOptions(o => o.AddString("title", "Title"))
            .Build();
        var nested = Chat(options: o => o.Add(new ApplicationCommandOption(ApplicationCommandOptionType.SubCommand, "outer", "x")
        {
            Options = [new ApplicationCommandOption(ApplicationCommandOptionType.SubCommand, "inner", "x")],
        }));

        Assert.Contains(ErrorsFor(mixed), e => e.Contains("cannot be mixed", StringComparison.Ordinal));
        Assert.Contains(ErrorsFor(nested), e => e.Contains("cannot contain subcommands", StringComparison.Ordinal));
    }

    [Fact]
    public void The_8000_character_total_is_enforced()
    {
        var big = Chat(options: o =>
        {
            for (var i = 0; i < 25; i++)
            {
                o.AddString($"o{i}", new string('d', 100), choices: [.. Enumerable.Range(0, 25).Select(c => ApplicationCommandChoice.Of($"c{c}", new string('v', 10)))]);
            }
        });

        Assert.Contains(ErrorsFor(big), e => e.Contains("8000", StringComparison.Ordinal));
    }

    [Fact]
    public void Context_menu_commands_take_free_names_but_no_description_or_options()
    {
        Assert.Empty(ErrorsFor(ApplicationCommandBuilder.MessageContext("Add To Ledger").Build()));
        Assert.Contains(
            ErrorsFor(new ApplicationCommand(ApplicationCommandType.User, "Inspect", "has text", [])),
            e => e.Contains("empty description", StringComparison.Ordinal));
    }

    [Fact]
    public void Command_counts_and_duplicates_are_limited()
    {
        var tooMany = Enumerable.Range(0, 101).Select(i => Chat($"c{i}")).ToList();

        Assert.Contains(ApplicationCommandValidator.Validate(tooMany), e => e.Contains("at most 100", StringComparison.Ordinal));
        Assert.Contains(ApplicationCommandValidator.Validate([Chat(), Chat()]), e => e.Contains("declared 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void EnsureValid_lists_every_problem()
    {
        var exception = Assert.Throws<InvalidApplicationCommandsException>(() =>
            ApplicationCommandValidator.EnsureValid([Chat("Bad"), Chat(description: string.Empty)]));

        Assert.Equal(2, exception.Errors.Count);
        Assert.Contains("Command 'Bad'", exception.Message, StringComparison.Ordinal);
    }
}
