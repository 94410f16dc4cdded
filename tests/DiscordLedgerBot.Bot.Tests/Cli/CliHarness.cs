using DiscordLedgerBot.Cli;
using Microsoft.Extensions.Configuration;

namespace DiscordLedgerBot.Bot.Tests.Cli;

internal static class CliHarness
{
    public static (CliContext Context, StringWriter Output, StringWriter Error) Context(Uri apiUrl, string? boardId = null, TimeProvider? time = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Monday:Token"] = "cli-test-token",
            ["Monday:ApiUrl"] = apiUrl.ToString(),
            ["Monday:BoardId"] = boardId,
            ["Monday:RetryBaseDelay"] = "00:00:00.050",
            ["Monday:MaxRetryAttempts"] = "2",
            // Each verb records into its own outbox and sends it itself before it returns.
            ["Storage:Backend"] = "memory",
            ["Outbox:FlushInterval"] = "00:00:00.050",
        };
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return (new CliContext(configuration, output, error) { Time = time ?? TimeProvider.System }, output, error);
    }
}
