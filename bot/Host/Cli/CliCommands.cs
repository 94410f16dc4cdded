namespace DiscordLedgerBot.Cli;

/// <summary>Every operator verb of the `bot` executable. Add a verb by adding its command here.</summary>
public static class CliCommands
{
    public static IReadOnlyList<ICliCommand> All { get; } =
    [
        new ProvisionCommand(),
        new LedgerCliCommand(),
        new HealthcheckCommand(),
        new RegistryCommand(),
        new IngestCommand(),
        new Mcp.McpCommand(),
        new SpeechCliCommand(),
    ];
}
