using System.Globalization;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>/ledger end to end over real sockets: composed host, Discord and monday emulators, file store.</summary>
public sealed class LedgerSurfaceTests
{
    private static readonly string Linus = EmulatedGuild.Ids.Member;
    private static readonly string Grace = EmulatedGuild.Ids.Moderator;

    [Theory]
    [InlineData("file")]
    [InlineData("redis")]
    public async Task An_item_lives_its_whole_life_from_slash_commands_with_one_card_edited_in_place_and_the_board_matching(string store)
    {
        await using var redis = store == "redis" ? await RedisServer.StartAsync() : null;
        var storeSettings = redis is null
            ? new Dictionary<string, string?>()
            : new Dictionary<string, string?> { ["Storage:Backend"] = "redis", ["Redis:ConnectionString"] = redis.ConnectionString };
        var driver = await SurfaceDriver.StartAsync(storeSettings, $"--Surface:Owners:{Grace}=grace@emulated.monday");
        await using var bot = driver.Bot;
        Assert.Equal(store, bot.Services.GetRequiredService<IStorageStatus>().ActiveBackend);

        // linus links himself; grace is mapped in configuration.
        var linked = await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "link", new Dictionary<string, JsonNode?> { ["email"] = "ada@emulated.monday" }));
        Assert.Contains("Linked: you are Ada Lovelace", linked, StringComparison.Ordinal);

        var (created, reply) = await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Rotate the API keys", ["due"] = "+7" }));
        var key = "slash:" + created.Id;
        Assert.Contains("Recorded", reply["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(64, reply["flags"]!.GetValue<int>() & 64);
        await SurfaceDriver.Eventually(() => driver.CardsOf(key).Count == 1);
        Assert.Equal("Requested", SurfaceDriver.Field(driver.CardsOf(key)[0], "Status"));

        // Autocomplete finds the item by what the user types.
        var typed = await driver.SendAsync(SurfaceDriver.Slash("ledger", "status", new Dictionary<string, JsonNode?> { ["item"] = "rotate" }, autocomplete: true, focused: "item"));
        var choices = (await driver.Discord.InteractionResponses.WaitForAsync(r => r.InteractionId == typed.Id, SurfaceDriver.Wait)).Data!["choices"]!.AsArray();
        Assert.Contains(choices, c => c!["value"]!.GetValue<string>() == key);

        await Step(driver, key, SurfaceDriver.Slash("ledger", "assign", new Dictionary<string, JsonNode?> { ["item"] = key, ["owner"] = Grace }), card => SurfaceDriver.Field(card, "Owner").StartsWith("Grace Hopper", StringComparison.Ordinal));
        await Step(driver, key, SurfaceDriver.Slash("ledger", "status", new Dictionary<string, JsonNode?> { ["item"] = key, ["status"] = "in_progress" }), card => SurfaceDriver.Field(card, "Status") == "In progress");
        await Step(driver, key, SurfaceDriver.Slash("ledger", "status", new Dictionary<string, JsonNode?> { ["item"] = key, ["status"] = "blocked", ["reason"] = "waiting for the vendor" }), card => SurfaceDriver.Field(card, "Status") == "Blocked" && SurfaceDriver.Field(card, "Last change").Contains("waiting for the vendor", StringComparison.Ordinal));
        await Step(driver, key, SurfaceDriver.Slash("ledger", "note", new Dictionary<string, JsonNode?> { ["item"] = key, ["text"] = "Vendor promised Friday" }), card => SurfaceDriver.Field(card, "Last change").StartsWith("note added", StringComparison.Ordinal));
        await Step(driver, key, SurfaceDriver.Slash("ledger", "followup", new Dictionary<string, JsonNode?> { ["item"] = key, ["title"] = "Revoke the old keys", ["owner"] = Linus, ["due"] = "+9" }), card => SurfaceDriver.Field(card, "Last change").StartsWith("follow-up", StringComparison.Ordinal));
        await Step(driver, key, SurfaceDriver.Slash("ledger", "status", new Dictionary<string, JsonNode?> { ["item"] = key, ["status"] = "done" }), card => SurfaceDriver.Field(card, "Status") == "Done");

        // One card, edited in place every time.
        Assert.Single(driver.CardsOf(key));
        var item = Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Rotate the API keys");
        var onBoard = Assert.Single(await bot.Services.GetRequiredService<ILedger>().GetByIdsAsync([item.Id.ToString(CultureInfo.InvariantCulture)], CancellationToken.None));
        Assert.Equal(LedgerStatus.Done, onBoard.Status);
        Assert.Equal("Grace Hopper", onBoard.Owner);
        Assert.Equal(key, onBoard.Key.Value);
        Assert.Contains("Grace Hopper", item.ColumnValues[LedgerBoardSchema.OwnerColumn], StringComparison.Ordinal);
        var notes = bot.Environment.Monday.Updates(item.Id);
        Assert.Contains(notes, n => n.Body.Contains("waiting for the vendor", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Body.Contains("Vendor promised Friday", StringComparison.Ordinal));
        var followUp = Assert.Single(bot.Environment.Monday.Items(), i => i.ParentItemId == item.Id);
        Assert.StartsWith("Revoke the old keys — Ada Lovelace — due ", followUp.Name, StringComparison.Ordinal);

        // The owner was told only what needs them, pinging only them.
        List<JsonObject> Notices() => [.. driver.Discord.MessagesIn(EmulatedGuild.Ids.General).Select(m => m.Message).Where(m => m["content"]?.GetValue<string>().StartsWith($"<@{Grace}>", StringComparison.Ordinal) == true)];
        await SurfaceDriver.Eventually(() => Notices().Count >= 3);
        var notices = Notices();
        Assert.Equal(3, notices.Count); // assigned, blocked, done
        Assert.All(notices, n => Assert.Equal(Grace, Assert.Single(n["mentions"]!.AsArray())!["id"]!.GetValue<string>()));

        // show reads the notes and follow-ups back.
        var show = (await driver.AskAsync(SurfaceDriver.Slash("ledger", "show", new Dictionary<string, JsonNode?> { ["item"] = key }))).Reply;
        var history = show["embeds"]![1]!.ToJsonString();
        Assert.Contains("Vendor promised Friday", history, StringComparison.Ordinal);
        Assert.Contains("Revoke the old keys", history, StringComparison.Ordinal);

        // The command declarations were PUT once, at start, and the bot sent nothing Discord's spec forbids.
        Assert.Single(driver.Discord.RestRequests.Snapshot(), r => r.Method == "PUT" && r.Path.EndsWith("/commands", StringComparison.Ordinal));
        Assert.Empty(driver.SpecViolations());
    }

    [Fact]
    public async Task Read_only_mode_refuses_slash_writes_and_records_nothing()
    {
        var driver = await SurfaceDriver.StartAsync("--Ledger:ReadOnly=true");
        await using var bot = driver.Bot;
        var counts = await bot.Services.GetRequiredService<IOutboxStore>().CountAsync();

        var refused = await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Not now" }));

        Assert.Contains("read-only mode", refused, StringComparison.Ordinal);
        Assert.Equal(counts, await bot.Services.GetRequiredService<IOutboxStore>().CountAsync());
    }

    [Fact]
    public async Task An_item_created_from_the_cli_is_found_by_its_key_and_gets_a_card_once_changed_from_discord()
    {
        var driver = await SurfaceDriver.StartAsync();
        await using var bot = driver.Bot;
        var create = await bot.CliAsync("ledger", "create", "--title", "Patch the VPN", "--key", "cli:vpn-patch");
        Assert.True(create.Exit == 0, create.Error);

        var text = await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "status", new Dictionary<string, JsonNode?> { ["item"] = "cli:vpn-patch", ["status"] = "in_progress" }));

        Assert.StartsWith("Recorded", text, StringComparison.Ordinal);
        await SurfaceDriver.Eventually(() => driver.CardsOf("cli:vpn-patch") is [var card] && SurfaceDriver.Field(card, "Status") == "In progress");
    }

    [Fact]
    public async Task Setup_by_someone_who_manages_the_server_validates_the_board_and_provisions_it_when_asked()
    {
        var driver = await SurfaceDriver.StartAsync();
        await using var bot = driver.Bot;
        var boardsBefore = bot.Environment.Monday.Boards().Count;

        var text = await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "setup", new Dictionary<string, JsonNode?>(), userId: EmulatedGuild.Ids.Owner));
        var provisioned = await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "setup", new Dictionary<string, JsonNode?> { ["provision"] = true }, userId: EmulatedGuild.Ids.Owner));
        var refused = await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "setup", new Dictionary<string, JsonNode?> { ["provision"] = true }, userId: EmulatedGuild.Ids.Moderator));

        Assert.Contains($"The ledger board {bot.Environment.BoardId} matches the schema", text, StringComparison.Ordinal);
        Assert.Contains("Nothing was missing, so nothing was added.", provisioned, StringComparison.Ordinal);
        Assert.Contains($"The ledger board {bot.Environment.BoardId} now matches the schema.", provisioned, StringComparison.Ordinal);
        Assert.Contains("needs the Manage Server permission", refused, StringComparison.Ordinal);
        Assert.Equal(boardsBefore, bot.Environment.Monday.Boards().Count);
        Assert.Empty(driver.SpecViolations());
    }

    [Fact]
    public async Task Cards_go_to_the_configured_ledger_channel()
    {
        var driver = await SurfaceDriver.StartAsync($"--Surface:LedgerChannelId={EmulatedGuild.Ids.Ledger}");
        await using var bot = driver.Bot;

        var (created, _) = await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Filed in #ledger" }));

        await SurfaceDriver.Eventually(() => driver.CardsOf("slash:" + created.Id, EmulatedGuild.Ids.Ledger).Count == 1);
        Assert.Empty(driver.CardsOf("slash:" + created.Id));
    }

    [Fact]
    public async Task The_same_interaction_delivered_twice_is_recorded_once_and_gets_one_card()
    {
        var driver = await SurfaceDriver.StartAsync();
        await using var bot = driver.Bot;
        var (created, _) = await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Once only" }));
        var key = "slash:" + created.Id;
        await SurfaceDriver.Eventually(() => driver.CardsOf(key).Count == 1);
        var counts = await bot.Services.GetRequiredService<IOutboxStore>().CountAsync();

        // The gateway redelivers the very same INTERACTION_CREATE (as after a resume).
        await driver.Discord.DispatchAsync("INTERACTION_CREATE", created.Payload.DeepClone());
        var duplicate = await bot.Services.GetRequiredService<IDedupeStore>().TryMarkAsync("interaction:" + created.Id, TimeSpan.FromMinutes(1));
        await SurfaceDriver.Eventually(() => bot.Logs.Entries.Any(e => e.Message.Contains("refused the initial response", StringComparison.Ordinal)));

        Assert.False(duplicate);
        Assert.Equal(counts, await bot.Services.GetRequiredService<IOutboxStore>().CountAsync());
        Assert.Single(driver.CardsOf(key));
        Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Once only");
    }

    private static async Task Step(SurfaceDriver driver, string key, JsonObject command, Func<JsonObject, bool> cardShows)
    {
        var text = await driver.AskTextAsync(command);
        Assert.True(text.StartsWith("Recorded", StringComparison.Ordinal), text);
        await SurfaceDriver.Eventually(() => driver.CardsOf(key) is [var card] && cardShows(card));
    }
}
