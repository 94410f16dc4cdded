using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Discord.Tests.Interactions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord.Tests.Commands;

public class ApplicationCommandRegistrationServiceTests
{
    private static ApplicationCommandRegistrationService Service(RecordingDiscordRest rest, IReadOnlyList<ApplicationCommand> commands, string? guildId) => new(
        new ApplicationCommandRegistrar(rest, NullLogger<ApplicationCommandRegistrar>.Instance),
        new DeclaredApplicationCommands(commands),
        Options.Create(new DiscordOptions { Token = "t", ApplicationId = "1100000000000000001", GuildId = guildId }),
        NullLogger<ApplicationCommandRegistrationService>.Instance);

    [Theory]
    [InlineData("1200000000000000002", "/applications/1100000000000000001/guilds/1200000000000000002/commands")]
    [InlineData(null, "/applications/1100000000000000001/commands")]
    public async Task Registers_to_the_dev_guild_when_configured_else_globally(string? guildId, string expectedPath)
    {
        var rest = new RecordingDiscordRest();

        await Service(rest, ApplicationCommandDeclarations.All(), guildId).StartAsync(CancellationToken.None);

        Assert.Equal(expectedPath, rest.Calls[^1].Path);
        Assert.Equal(HttpMethod.Put, rest.Calls[^1].Method);
    }

    [Fact]
    public async Task Invalid_declarations_stop_the_start()
    {
        var rest = new RecordingDiscordRest();

        await Assert.ThrowsAsync<InvalidApplicationCommandsException>(() =>
            Service(rest, [ApplicationCommandBuilder.ChatInput("BAD", "x").Build()], null).StartAsync(CancellationToken.None));
        Assert.Empty(rest.Calls);
    }

    [Fact]
    public async Task A_discord_outage_is_logged_and_the_start_continues()
    {
        var rest = new RecordingDiscordRest { Responder = _ => throw new DiscordRestException(503, null, "unavailable", null) };

        var exception = await Record.ExceptionAsync(() => Service(rest, ApplicationCommandDeclarations.All(), null).StartAsync(CancellationToken.None));

        Assert.Null(exception);
    }
}
