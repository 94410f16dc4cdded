using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Emulators.Discord;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>Every kind of bad input gets a specific ephemeral answer and changes nothing: board, outbox and registry compared before and after.</summary>
public sealed class BadInputTests
{
    private static readonly string Linus = EmulatedGuild.Ids.Member;

    [Fact]
    public async Task Bad_input_to_every_command_gets_a_specific_ephemeral_error_and_changes_nothing()
    {
        var driver = await SurfaceDriver.StartAsync($"--Surface:Owners:{Linus}=ada@emulated.monday");
        await using var bot = driver.Bot;
        var (created, _) = await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Existing item" }));
        var key = "slash:" + created.Id;
        await SurfaceDriver.Eventually(() => driver.CardsOf(key).Count == 1);
        var before = await SnapshotAsync(bot);

        (string Command, string Sub, Dictionary<string, JsonNode?> Options, string Expected)[] cases =
        [
            ("ledger", "status", new() { ["item"] = "no such item", ["status"] = "in_progress" }, "No ledger item matches 'no such item'"),
            ("ledger", "note", new() { ["item"] = "slash:1", ["text"] = "hello" }, "No ledger item matches 'slash:1'"),
            ("ledger", "create", new() { ["title"] = "Late", ["due"] = "2000-01-01" }, "The due date 2000-01-01 is in the past"),
            ("ledger", "due", new() { ["item"] = key, ["date"] = "next week" }, "'next week' is not a date"),
            ("ledger", "status", new() { ["item"] = key, ["status"] = "done" }, "Illegal status transition requested → done"),
            ("ledger", "status", new() { ["item"] = key, ["status"] = "requested" }, "the entry is already requested"),
            ("ledger", "create", new() { ["title"] = "Owned", ["owner"] = EmulatedGuild.Ids.Visitor }, "is not linked to a monday user yet"),
            ("ledger", "assign", new() { ["item"] = key, ["owner"] = "nobody-we-know" }, "is not linked to a monday user yet"),
            ("ledger", "create", new() { ["title"] = new string('x', 4000) }, "Title is 4000 characters; at most 255 fit"),
            ("ledger", "create", new() { ["title"] = "Pay\u200Binvoice" }, "invisible or text-direction character (U+200B)"),
            ("ledger", "create", new() { ["title"] = "report\u202Efdp.exe" }, "invisible or text-direction character (U+202E)"),
            ("ledger", "note", new() { ["item"] = key, ["text"] = "\u2066hidden" }, "invisible or text-direction character (U+2066)"),
            ("ledger", "create", new() { ["title"] = "   " }, "Title must not be empty"),
            ("ledger", "escalate", new() { ["item"] = key, ["reason"] = "late", ["level"] = 0 }, "already at escalation level 0"),
            ("ledger", "setup", new(), "needs the Manage Server permission"),
            ("registry", "override", new() { ["tool"] = "cursor", ["action"] = "disable", ["reason"] = "mine now" }, "Only moderators"),
            ("registry", "rank", new() { ["workflow"] = "astrology" }, "'astrology' is not a workflow"),
            ("registry", "show", new() { ["tool"] = "no-such-tool" }, "No tool 'no-such-tool'"),
        ];
        foreach (var (command, sub, options, expected) in cases)
        {
            var reply = (await driver.AskAsync(SurfaceDriver.Slash(command, sub, options))).Reply;
            var content = reply["content"]?.GetValue<string>() ?? string.Empty;
            Assert.True(content.Contains(expected, StringComparison.Ordinal), $"/{command} {sub}: expected '{expected}', got '{content}'");
            Assert.True((reply["flags"]?.GetValue<int>() & 64) == 64, $"/{command} {sub} answered publicly");
        }

        // Buttons no bot message carries, pressed by a moderator (so authority is not what stops them).
        var (byModerator, _) = await driver.AskAsync(SurfaceDriver.Slash("ledger", "list", new Dictionary<string, JsonNode?>(), userId: EmulatedGuild.Ids.Moderator));
        string[] forged = ["esc:ack:due-date-passed.1:slash:12345", "esc:launch:" + key, "ledger:list:x:zz", "registry:explode:cursor", "registry:disable:no-such-tool"];
        string[] explanations = ["no longer on the ledger", "not made by the ledger bot", "not one the ledger bot made", "not made by the ledger bot", "no longer in the registry"];
        for (var i = 0; i < forged.Length; i++)
        {
            var text = ForgedInteractions.Text(await ForgedInteractions.PressAsync(driver, byModerator.Payload, forged[i]));
            Assert.True(text.Contains(explanations[i], StringComparison.Ordinal), $"{forged[i]}: expected '{explanations[i]}', got '{text}'");
        }

        Assert.Equal(before, await SnapshotAsync(bot));
        Assert.Single(driver.CardsOf(key));
        Assert.Empty(driver.SpecViolations());
    }

    private static async Task<string> SnapshotAsync(Hosting.ComposedBot bot)
    {
        var monday = bot.Environment.Monday;
        var counts = await bot.Services.GetRequiredService<IOutboxStore>().CountAsync();
        var registry = bot.Services.GetRequiredService<CapabilityRegistry>();
        return $"items {monday.Items().Count}, updates {monday.Updates().Count}, outbox {counts}, registry overrides {registry.Overrides.Count} audit {registry.Audit.Count}";
    }
}
