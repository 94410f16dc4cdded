using System.Text.Json.Nodes;
using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Emulators.Monday;

namespace DiscordLedgerBot.Bot.Tests.Cli;

public class LedgerCliCommandTests
{
    [Fact]
    public async Task Create_show_update_list_through_the_facade()
    {
        await using var emulator = await MondayEmulator.StartAsync(new MondayEmulatorOptions { Port = 0 });
        var boardId = await ProvisionAsync(emulator);

        var (create, createOut, createErr) = CliHarness.Context(emulator.ApiUrl, boardId);
        Assert.True(0 == await new LedgerCliCommand().RunAsync(create, ["create", "--title", "Renew TLS cert", "--owner", "@ops", "--due", "2026-12-01", "--key", "cli:tls-1"], CancellationToken.None), createErr.ToString());
        Assert.Contains("ok: create cli:tls-1 → monday item", createOut.ToString(), StringComparison.Ordinal);

        var (update, updateOut, updateErr) = CliHarness.Context(emulator.ApiUrl, boardId);
        Assert.True(0 == await new LedgerCliCommand().RunAsync(update, ["update", "--key", "cli:tls-1", "--status", "in_progress", "--comment", "started", "--id", "op-1"], CancellationToken.None), updateErr.ToString());
        Assert.Contains("ok: status", updateOut.ToString(), StringComparison.Ordinal);

        var (show, showOut, _) = CliHarness.Context(emulator.ApiUrl, boardId);
        Assert.Equal(0, await new LedgerCliCommand().RunAsync(show, ["show", "--key", "cli:tls-1"], CancellationToken.None));
        Assert.Contains("Status:     in_progress", showOut.ToString(), StringComparison.Ordinal);
        Assert.Contains("Owner:      @ops", showOut.ToString(), StringComparison.Ordinal);
        Assert.Contains("Due:        2026-12-01", showOut.ToString(), StringComparison.Ordinal);

        var (list, listOut, _) = CliHarness.Context(emulator.ApiUrl, boardId);
        Assert.Equal(0, await new LedgerCliCommand().RunAsync(list, ["list", "--status", "in_progress", "--json"], CancellationToken.None));
        var entries = JsonNode.Parse(listOut.ToString())!.AsArray();
        Assert.Equal("cli:tls-1", Assert.Single(entries)!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Illegal_transition_exits_1_and_changes_nothing()
    {
        await using var emulator = await MondayEmulator.StartAsync(new MondayEmulatorOptions { Port = 0 });
        var boardId = await ProvisionAsync(emulator);
        var (create, _, _) = CliHarness.Context(emulator.ApiUrl, boardId);
        await new LedgerCliCommand().RunAsync(create, ["create", "--title", "Fresh", "--key", "cli:fresh"], CancellationToken.None);
        var mutationsBefore = emulator.Stats.MutationsExecuted;

        var (update, _, error) = CliHarness.Context(emulator.ApiUrl, boardId);
        var exit = await new LedgerCliCommand().RunAsync(update, ["update", "--key", "cli:fresh", "--status", "done", "--title", "Renamed"], CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Contains("requested → done", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(mutationsBefore, emulator.Stats.MutationsExecuted);
        Assert.Contains(emulator.Items(), i => i.Name == "Fresh");
    }

    [Theory]
    [InlineData("create")]
    [InlineData("create", "--title", "x", "--due", "tomorrow")]
    [InlineData("update", "--key", "cli:a", "--status", "finished")]
    [InlineData("show")]
    [InlineData("list", "--limit", "0")]
    [InlineData("frobnicate")]
    public async Task Bad_input_is_a_usage_error(params string[] args)
    {
        var (context, _, _) = CliHarness.Context(new Uri("http://127.0.0.1:9/v2"), "1");
        await Assert.ThrowsAsync<CliUsageException>(() => new LedgerCliCommand().RunAsync(context, args, CancellationToken.None));
    }

    [Fact]
    public async Task Over_long_title_is_rejected_with_exit_1_before_connecting()
    {
        var (context, _, error) = CliHarness.Context(new Uri("http://127.0.0.1:9/v2"), "1");

        var exit = await new LedgerCliCommand().RunAsync(context, ["create", "--title", new string('z', 300)], CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Contains("255", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string> ProvisionAsync(MondayEmulator emulator)
    {
        var (context, _, error) = CliHarness.Context(emulator.ApiUrl);
        Assert.True(0 == await new ProvisionCommand().RunAsync(context, [], CancellationToken.None), error.ToString());
        return Assert.Single(emulator.Boards()).Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
