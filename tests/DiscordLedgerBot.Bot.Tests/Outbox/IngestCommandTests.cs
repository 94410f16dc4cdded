using System.Text.Json.Nodes;
using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Emulators.Monday;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Outbox;

/// <summary>`bot ingest` in-process (same code path as the executable), against the monday emulator.</summary>
public sealed class IngestCommandTests : IAsyncLifetime
{
    private const string Token = "ingest-test-token";
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("dlb-ingest-").FullName;
    private MondayEmulator? _emulator;
    private string _boardId = string.Empty;

    private MondayEmulator Emulator => _emulator ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _emulator = await MondayEmulator.StartAsync(new MondayEmulatorOptions { Port = 0 });
        var options = new MondayOptions { ApiUrl = Emulator.ApiUrl, Token = Token };
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        using var http = new HttpClient();
        using var client = new MondayClient(new HttpMondayTransport(http, wrapped), wrapped, TimeProvider.System, NullLogger<MondayClient>.Instance);
        _boardId = (await new LedgerBoardProvisioner(client).CreateAsync("Ingest ledger", Guid.NewGuid().ToString("N"), CancellationToken.None)).BoardId;
    }

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task SubmitIsIdempotentStatusCountsAndDrainConfirmsEverything()
    {
        var first = await RunAsync("ingest", "submit", "--count", "12", "--prefix", "op");
        var again = await RunAsync("ingest", "submit", "--count", "12", "--prefix", "op");
        var before = await RunAsync("ingest", "status", "--json");
        var drain = await RunAsync("ingest", "drain");
        var after = await RunAsync("ingest", "status");

        Assert.Equal((0, "recorded 12 commands (12 new, 0 already recorded) op-000001..op-000012"), (first.Exit, first.Output.Trim()));
        Assert.Contains("(0 new, 12 already recorded)", again.Output, StringComparison.Ordinal);
        Assert.Equal(12, JsonNode.Parse(before.Output)!["pending"]!.GetValue<long>());
        Assert.Equal(0, drain.Exit);
        Assert.Contains("confirmed 12", drain.Output, StringComparison.Ordinal);
        Assert.StartsWith("pending 0, sent 0, confirmed 12, failed 0", after.Output, StringComparison.Ordinal);
        Assert.Equal(12, Emulator.Items(long.Parse(_boardId, System.Globalization.CultureInfo.InvariantCulture)).Count);
    }

    [Theory]
    [InlineData("--count", "0", "--count must be 1..")]
    [InlineData("--count", "3", "Option --prefix is required.")]
    [InlineData("--prefix", "bad prefix", "Option --count is required.")]
    public async Task BadSubmitOptionsAreUsageErrorsAndRecordNothing(string option, string value, string expected)
    {
        var result = await RunAsync("ingest", "submit", option, value);
        var status = await RunAsync("ingest", "status");

        Assert.Equal(CliApplication.UsageError, result.Exit);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.StartsWith("pending 0, sent 0, confirmed 0, failed 0", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainWithoutABoardNamesTheMissingSetting()
    {
        using var error = new StringWriter();
        var result = await CliApplication.RunAsync(
            ["ingest", "drain", "--Storage:Backend=file", $"--Storage:DataDirectory={_dataDirectory}", $"--Monday:Token={Token}", $"--Monday:ApiUrl={Emulator.ApiUrl}"],
            new StringWriter(),
            error,
            CancellationToken.None);

        Assert.Equal(CliApplication.UsageError, result);
        Assert.Contains("Monday:BoardId is required", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainDeadLettersAtOnceWhenTheBoardDoesNotExist()
    {
        await RunAsync("ingest", "submit", "--count", "2", "--prefix", "gone");
        var drain = await RunAsync("ingest", "drain", "--Monday:BoardId=987654321");
        var status = await RunAsync("ingest", "status");

        Assert.Equal(1, drain.Exit);
        Assert.Contains("dead-lettered 2", drain.Output, StringComparison.Ordinal);
        Assert.Contains("monday has no board 987654321", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainAgainstAnUnreachableMondayGivesUpAfterItsBoundAndKeepsTheCommands()
    {
        await RunAsync("ingest", "submit", "--count", "1", "--prefix", "unreachable");
        var drain = await RunAsync("ingest", "drain", "--max-wait", "1", "--Monday:ApiUrl=http://127.0.0.1:9/v2");
        var status = await RunAsync("ingest", "status", "--json");

        Assert.Equal(1, drain.Exit);
        Assert.Contains("gave up after 1s", drain.Error, StringComparison.Ordinal);
        Assert.Equal(1, JsonNode.Parse(status.Output)!["pending"]!.GetValue<long>() + JsonNode.Parse(status.Output)!["sent"]!.GetValue<long>() + JsonNode.Parse(status.Output)!["failed"]!.GetValue<long>());
    }

    [Fact]
    public async Task AFileStoreHeldByAnotherProcessIsReportedNotWaitedFor()
    {
        await using (EmbeddedStorage.OpenFile(_dataDirectory, TimeProvider.System))
        {
            var result = await RunAsync("ingest", "status");

            Assert.Equal(1, result.Exit);
            Assert.Contains("is in use by another process", result.Error, StringComparison.Ordinal);
        }
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        // The verb first; the test's own words come last, so they override these defaults.
        string[] configured =
        [
            args[0],
            "--Storage:Backend=file",
            $"--Storage:DataDirectory={_dataDirectory}",
            $"--Monday:ApiUrl={Emulator.ApiUrl}",
            $"--Monday:Token={Token}",
            $"--Monday:BoardId={_boardId}",
            "--Outbox:FlushInterval=00:00:00.050",
            .. args[1..],
        ];
        var exit = await CliApplication.RunAsync(configured, output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
