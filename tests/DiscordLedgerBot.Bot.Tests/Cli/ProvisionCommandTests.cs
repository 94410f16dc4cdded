using System.Text.Json.Nodes;
using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Monday.Documents;
using DiscordLedgerBot.Emulators.Monday;
using Microsoft.Extensions.Configuration;

namespace DiscordLedgerBot.Bot.Tests.Cli;

public class ProvisionCommandTests
{
    [Fact]
    public async Task Against_an_empty_emulator_creates_the_board_and_prints_its_id()
    {
        await using var emulator = await MondayEmulator.StartAsync(new MondayEmulatorOptions { Port = 0 });
        var (context, output, error) = CliHarness.Context(emulator.ApiUrl);

        var exit = await new ProvisionCommand().RunAsync(context, [], CancellationToken.None);

        Assert.True(exit == 0, error.ToString() + output);
        var board = Assert.Single(emulator.Boards());
        Assert.Contains($"Board id: {board.Id}", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"Monday__BoardId={board.Id}", output.ToString(), StringComparison.Ordinal);
        foreach (var column in LedgerBoardSchema.Columns)
        {
            Assert.Contains(board.Columns, c => c.Id == column.Id && c.Type == column.Type);
        }

        foreach (var group in LedgerBoardSchema.Groups)
        {
            Assert.Contains(board.Groups, g => g.Title == group.Title);
        }

        // Validating the fresh board finds nothing to complain about.
        var (again, againOutput, _) = CliHarness.Context(emulator.ApiUrl);
        Assert.Equal(0, await new ProvisionCommand().RunAsync(again, ["--board", board.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], CancellationToken.None));
        Assert.Contains("matches the ledger schema", againOutput.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Against_a_drifted_board_prints_every_difference_and_exits_non_zero()
    {
        await using var emulator = await MondayEmulator.StartAsync(new MondayEmulatorOptions { Port = 0 });
        var boardId = await CreateDriftedBoardAsync(emulator.ApiUrl);
        var (context, output, _) = CliHarness.Context(emulator.ApiUrl);

        var exit = await new ProvisionCommand().RunAsync(context, ["--board", boardId], CancellationToken.None);

        Assert.Equal(1, exit);
        var text = output.ToString();
        Assert.Contains("differs from the ledger schema", text, StringComparison.Ordinal);
        Assert.Contains("missing column 'ledger_due' (expected type date)", text, StringComparison.Ordinal);
        Assert.Contains("column 'ledger_owner' has type numbers, expected text", text, StringComparison.Ordinal);
        Assert.Contains("status column 'ledger_status': expected label index 2 = 'Blocked', found 'Stuck'", text, StringComparison.Ordinal);
        Assert.Contains("missing group 'Escalated'", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_lists_the_drift()
    {
        await using var emulator = await MondayEmulator.StartAsync(new MondayEmulatorOptions { Port = 0 });
        var boardId = await CreateDriftedBoardAsync(emulator.ApiUrl);
        var (context, output, _) = CliHarness.Context(emulator.ApiUrl);

        Assert.Equal(1, await new ProvisionCommand().RunAsync(context, ["--board", boardId, "--json"], CancellationToken.None));

        var json = JsonNode.Parse(output.ToString())!;
        Assert.False(json["matches"]!.GetValue<bool>());
        var kinds = json["drift"]!.AsArray().Select(d => d!["kind"]!.GetValue<string>()).ToHashSet();
        Assert.Contains("missing_column", kinds);
        Assert.Contains("wrong_column_type", kinds);
        Assert.Contains("status_label_mismatch", kinds);
        Assert.Contains("missing_group", kinds);
    }

    [Fact]
    public async Task Missing_token_is_a_configuration_error_naming_the_env_var()
    {
        var context = new CliContext(new ConfigurationBuilder().Build(), new StringWriter(), new StringWriter());

        var error = await Assert.ThrowsAsync<CliConfigurationException>(() => new ProvisionCommand().RunAsync(context, [], CancellationToken.None));

        Assert.Contains("Monday__Token", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A board made by hand: wrong owner type, monday's default "Stuck" label at index 2, no due column, no Escalated group.</summary>
    private static async Task<string> CreateDriftedBoardAsync(Uri apiUrl)
    {
        using var http = new HttpClient();
        var options = Microsoft.Extensions.Options.Options.Create(new Core.Monday.MondayOptions { ApiUrl = apiUrl, Token = "cli-test-token" });
        using var client = new Core.Monday.MondayClient(new Core.Monday.HttpMondayTransport(http, options), options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Core.Monday.MondayClient>.Instance);
        var board = await client.MutateAsync(MondayDocuments.CreateBoard, new JsonObject { ["name"] = "Hand-made", ["kind"] = "private" }, "drift:board", 1, CancellationToken.None);
        var boardId = board.Field("create_board")!.Value.GetProperty("id").ToString();
        foreach (var group in LedgerBoardSchema.Groups.Where(g => g.Title != "Escalated"))
        {
            await client.MutateAsync(MondayDocuments.CreateGroup, new JsonObject { ["board"] = boardId, ["name"] = group.Title }, $"drift:group:{group.Title}", 1, CancellationToken.None);
        }

        foreach (var column in LedgerBoardSchema.Columns.Where(c => c.Id != LedgerBoardSchema.DueColumn))
        {
            var variables = new JsonObject { ["board"] = boardId, ["id"] = column.Id, ["title"] = column.Title, ["type"] = column.Id == LedgerBoardSchema.OwnerColumn ? "numbers" : column.Type };
            if (column.StatusLabels.Count > 0)
            {
                variables["defaults"] = new JsonObject { ["labels"] = new JsonObject { ["0"] = "In progress", ["1"] = "Done", ["2"] = "Stuck", ["3"] = "Requested" } };
            }

            await client.MutateAsync(MondayDocuments.CreateColumn, variables, $"drift:column:{column.Id}", 1, CancellationToken.None);
        }

        return boardId;
    }
}
