using DiscordLedgerBot.Sandbox;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Cli;

namespace DiscordLedgerBot.Bot.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public async Task Ledger_burst_reports_no_loss_no_duplicates_and_no_429()
    {
        var (context, output, _) = CliHarness.Context(new Uri("http://127.0.0.1:9/v2"));

        var exit = await new BenchCommand().RunAsync(context, ["ledger-burst", "--writes", "300", "--budget", "1000000", "--json"], CancellationToken.None);

        Assert.Equal(0, exit);
        var report = JsonNode.Parse(output.ToString())!;
        Assert.Equal(300, report["itemsCreated"]!.GetValue<int>());
        Assert.Equal(0, report["lost"]!.GetValue<int>());
        Assert.Equal(0, report["duplicated"]!.GetValue<int>());
        Assert.Equal(0, report["rateLimitedAfterFirstReading"]!.GetValue<long>());
        Assert.True(report["writesPerRequest"]!.GetValue<double>() >= 20);
    }

    [Theory]
    [InlineData]
    [InlineData("other")]
    [InlineData("ledger-burst", "--writes", "0")]
    [InlineData("ledger-burst", "--budget", "10")]
    public async Task Bad_arguments_are_usage_errors(params string[] args)
    {
        var (context, _, _) = CliHarness.Context(new Uri("http://127.0.0.1:9/v2"));
        await Assert.ThrowsAsync<CliUsageException>(() => new BenchCommand().RunAsync(context, args, CancellationToken.None));
    }
}
