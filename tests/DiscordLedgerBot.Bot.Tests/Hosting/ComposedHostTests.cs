using System.Globalization;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Handoff;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Hosting;

/// <summary>The composed bot over real sockets, driven from the operator CLI the way a person would.</summary>
public sealed class ComposedHostTests
{
    private static readonly TimeSpan EventWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_cli_write_goes_through_the_bots_outbox_to_the_board_and_its_confirmation_reaches_the_hosts_readers()
    {
        await using var bot = await ComposedBot.StartAsync();
        using var confirmations = bot.Services.GetRequiredService<IEventBus>().Subscribe<OutboxCommandConfirmed>("test");

        var create = await bot.CliAsync("ledger", "create", "--title", "Rotate the API keys", "--owner", "dana", "--key", "cli:rotate-keys");

        Assert.True(create.Exit == 0, create.Error);
        // The bot held the data directory, so the CLI handed its command to it (it published where to).
        Assert.NotNull(BotEndpointFile.TryRead(bot.DataDirectory));
        var confirmed = await confirmations.Reader.ReadAsync().AsTask().WaitAsync(EventWait);
        Assert.Equal("cli:rotate-keys", confirmed.EntryKey);
        Assert.Contains($"ok: create cli:rotate-keys → monday item {confirmed.MondayItemId}", create.Output, StringComparison.Ordinal);
        var item = Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Rotate the API keys");
        Assert.Equal(confirmed.MondayItemId, item.Id.ToString(CultureInfo.InvariantCulture));
        var record = await bot.Services.GetRequiredService<IOutboxStore>().GetAsync("cli:rotate-keys");
        Assert.Equal(OutboxState.Confirmed, record!.State);
        // The host's first event reader logged the confirmation with its fields.
        await Eventually.TrueAsync(
            () => bot.Logs.Entries.Any(e => e.EventId.Id == 5001 && e.Message.Contains("cli:rotate-keys", StringComparison.Ordinal) && e.Message.Contains(confirmed.MondayItemId, StringComparison.Ordinal)),
            "the bot logs the confirmation of cli:rotate-keys",
            EventWait);

        var show = await bot.CliAsync("ledger", "show", "--key", "cli:rotate-keys");
        Assert.Contains("Group:      Requested", show.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_archived_entry_is_shown_by_item_id_and_by_key_and_an_unknown_key_says_how_to_find_it()
    {
        await using var bot = await ComposedBot.StartAsync();
        var create = await bot.CliAsync("ledger", "create", "--title", "Old work", "--key", "cli:old-work", "--json");
        var itemId = JsonNode.Parse(create.Output)![0]!["mondayItemId"]!.GetValue<string>();
        var archive = await bot.CliAsync("ledger", "update", "--key", "cli:old-work", "--archive");

        var byItem = await bot.CliAsync("ledger", "show", "--item", itemId);
        var byKey = await bot.CliAsync("ledger", "show", "--key", "cli:old-work");
        var byKeyJson = await bot.CliAsync("ledger", "show", "--key", "cli:old-work", "--json");
        var unknown = await bot.CliAsync("ledger", "show", "--key", "cli:never-was");

        Assert.True(archive.Exit == 0, archive.Error);
        Assert.Contains($"Item:       {itemId} (archived)", byItem.Output, StringComparison.Ordinal);
        Assert.True(byKey.Exit == 0, byKey.Error);
        Assert.Contains($"Item:       {itemId} (archived)", byKey.Output, StringComparison.Ordinal);
        Assert.Equal(itemId, JsonNode.Parse(byKeyJson.Output)!["mondayItemId"]!.GetValue<string>());
        Assert.Equal(CliApplication.Rejected, unknown.Exit);
        Assert.Contains("found by its monday item id (--item ID)", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cli_registry_override_lands_on_the_ledgers_audit_item()
    {
        await using var bot = await ComposedBot.StartAsync();

        var set = await bot.CliAsync("registry", "override", "--tool", "cursor", "--action", "disable", "--actor", "ops-alice", "--reason", "cursor outage");

        Assert.True(set.Exit == 0, set.Error);
        Assert.Contains("Audit note added to the ledger's registry audit item", set.Output, StringComparison.Ordinal);
        var audit = Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Capability registry audit log");
        var note = Assert.Single(bot.Environment.Monday.Updates(audit.Id));
        Assert.Contains("cursor", note.Body, StringComparison.Ordinal);
        Assert.Contains("ops-alice", note.Body, StringComparison.Ordinal);
        Assert.Contains("cursor outage", note.Body, StringComparison.Ordinal);

        // The CLI and the sandbox's bot use one registry store: the bot adopts the change at its next sweep.
        var registry = bot.Services.GetRequiredService<CapabilityRegistry>();
        await registry.ReloadIfChangedAsync(CancellationToken.None);
        Assert.Contains(registry.FindTool("cursor")!.Overrides, o => o.Actor == "ops-alice");
    }

    [Fact]
    public async Task Read_only_mode_refuses_every_write_verb_and_changes_neither_board_nor_outbox()
    {
        await using var bot = await ComposedBot.StartAsync("--Ledger:ReadOnly=true");
        var itemsBefore = bot.Environment.Monday.Items().Count;
        var countsBefore = await bot.Services.GetRequiredService<IOutboxStore>().CountAsync();
        string[][] writes =
        [
            ["ledger", "create", "--title", "Nope"],
            ["ledger", "update", "--key", "cli:anything", "--status", "in_progress"],
            ["ingest", "submit", "--count", "3", "--prefix", "ro"],
            ["registry", "override", "--tool", "cursor", "--action", "disable", "--actor", "a", "--reason", "r"],
            ["registry", "clear", "--tool", "cursor", "--actor", "a", "--reason", "r"],
            ["provision", "--Monday:BoardId="],
        ];

        foreach (var write in writes)
        {
            var result = await bot.CliAsync([.. write, "--Ledger:ReadOnly=true"]);
            Assert.True(result.Exit == CliApplication.ReadOnlyRefused, $"{string.Join(' ', write)} exited {result.Exit}: {result.Error}");
            Assert.Contains("Ledger:ReadOnly", result.Error, StringComparison.Ordinal);
        }

        // A CLI whose own configuration says nothing is still refused by the read-only bot it hands the command to.
        var handedOff = await bot.CliAsync("ledger", "create", "--title", "Sneaky");
        Assert.Equal(CliApplication.Rejected, handedOff.Exit);
        Assert.Contains("Ledger:ReadOnly", handedOff.Error, StringComparison.Ordinal);

        Assert.Equal(itemsBefore, bot.Environment.Monday.Items().Count);
        Assert.Equal(countsBefore, await bot.Services.GetRequiredService<IOutboxStore>().CountAsync());
    }

    [Fact]
    public async Task A_board_outside_the_allow_list_is_refused()
    {
        await using var bot = await ComposedBot.StartAsync();
        var board = bot.Environment.BoardId;

        var other = await bot.CliAsync("provision", "--board", "999999", $"--Monday:AllowedBoardIds:0={board}");
        var configured = await bot.CliAsync("ledger", "list", "--Monday:BoardId=999999", $"--Monday:AllowedBoardIds:0={board}");

        Assert.Equal(CliApplication.Rejected, other.Exit);
        Assert.Contains("Board 999999 is not allowed", other.Error, StringComparison.Ordinal);
        Assert.Equal(CliApplication.UsageError, configured.Exit);
        Assert.Contains("Monday:BoardId 999999 is not in Monday:AllowedBoardIds", configured.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_words_work_for_every_verb_and_a_missing_board_is_an_error_not_an_empty_list()
    {
        await using var bot = await ComposedBot.StartAsync();
        var configFile = Path.Combine(bot.DataDirectory, "extra-config.json");
        await File.WriteAllTextAsync(configFile, """{ "Monday": { "MaxRetryAttempts": 2 } }""");

        var list = await bot.CliAsync("ledger", "list", "--config", configFile, "--Outbox:BatchSize=10");
        var provision = await bot.CliAsync("provision", "--config", configFile, "--json");
        var gone = await bot.CliAsync("ledger", "list", "--Monday:BoardId=424242", "--Monday:AllowedBoardIds:0=424242");

        Assert.True(list.Exit == 0, list.Error);
        Assert.True(provision.Exit == 0, provision.Error);
        Assert.Equal(CliApplication.Rejected, gone.Exit);
        Assert.Contains("monday has no board 424242", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_shows_details_in_the_sandbox_and_alive_shows_only_status()
    {
        await using var bot = await ComposedBot.StartAsync();
        var url = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bot.DataDirectory, "endpoints.json")))!["botUrl"]!.GetValue<string>();
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        var alive = JsonNode.Parse(await http.GetStringAsync(new Uri("/alive", UriKind.Relative)))!.AsObject();
        var ready = JsonNode.Parse(await http.GetStringAsync(new Uri("/healthz", UriKind.Relative)))!.AsObject();

        Assert.Equal(["status"], alive.Select(p => p.Key));
        Assert.Equal("file", ready["checks"]!["storage"]!["data"]!["activeStore"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_sandbox_publishes_an_api_token_that_opens_the_api_mcp_and_metrics()
    {
        await using var bot = await ComposedBot.StartAsync();
        var endpoints = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bot.DataDirectory, "endpoints.json")))!;
        using var http = new HttpClient { BaseAddress = new Uri(endpoints["botUrl"]!.GetValue<string>()) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", endpoints["apiToken"]!.GetValue<string>());

        using var items = await http.GetAsync(new Uri("/api/v1/items", UriKind.Relative));
        using var metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var tools = await http.GetAsync(new Uri("/api/v1/registry/tools", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.OK, items.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, tools.StatusCode);
    }
}
