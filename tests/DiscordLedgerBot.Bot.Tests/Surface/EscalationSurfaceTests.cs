using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>Escalation notices with moderator buttons (every press audited on the item), and a channel in thread mode keeping each item's history in a thread.</summary>
public sealed class EscalationSurfaceTests
{
    private static readonly string Linus = EmulatedGuild.Ids.Member;
    private static readonly string Grace = EmulatedGuild.Ids.Moderator;

    [Fact]
    public async Task An_escalation_notice_pings_only_the_owner_in_the_items_thread_and_only_moderators_can_use_its_buttons()
    {
        var driver = await SurfaceDriver.StartAsync($"--Surface:Owners:{Linus}=ada@emulated.monday", $"--Surface:Owners:{Grace}=grace@emulated.monday");
        await using var bot = driver.Bot;
        var notify = await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "notify", new Dictionary<string, JsonNode?> { ["mode"] = "thread" }, userId: Grace));
        Assert.Contains("now uses 'thread'", notify, StringComparison.Ordinal);
        Assert.Contains("Only moderators", await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "notify", new Dictionary<string, JsonNode?> { ["mode"] = "digest" })), StringComparison.Ordinal);

        var (created, _) = await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Customer outage follow-up", ["owner"] = Grace }));
        var key = "slash:" + created.Id;
        await SurfaceDriver.Eventually(() => driver.CardsOf(key) is [var card] && card["thread"] is not null);
        var thread = driver.CardsOf(key)[0]["thread"]!["id"]!.GetValue<string>();
        await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "status", new Dictionary<string, JsonNode?> { ["item"] = key, ["status"] = "in_progress" }));
        await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "escalate", new Dictionary<string, JsonNode?> { ["item"] = key, ["reason"] = "customer waiting" }));
        await SurfaceDriver.Eventually(() => driver.CardsOf(key) is [var card] && SurfaceDriver.Field(card, "Escalation") == "level 1");
        await SurfaceDriver.Eventually(() => driver.Discord.MessagesIn(thread).Any(m => m.Message["components"] is JsonArray { Count: > 0 }));
        var notice = driver.Discord.MessagesIn(thread).Select(m => m.Message).Last(m => m["components"] is JsonArray { Count: > 0 });
        Assert.StartsWith($"<@{Grace}>", notice["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Grace, Assert.Single(notice["mentions"]!.AsArray())!["id"]!.GetValue<string>());
        var buttons = notice["components"]![0]!["components"]!.AsArray().ToDictionary(b => b!["label"]!.GetValue<string>(), b => b!["custom_id"]!.GetValue<string>());

        var refused = await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(buttons["Escalate now"], channelId: thread, userId: Linus));
        Assert.Contains("Only moderators", refused, StringComparison.Ordinal);
        var acknowledged = await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(buttons["Acknowledge"], channelId: thread, userId: Grace));
        Assert.StartsWith("Recorded", acknowledged, StringComparison.Ordinal);
        var done = await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(buttons["Done"], channelId: thread, userId: Grace));
        Assert.StartsWith("Recorded", done, StringComparison.Ordinal);

        await SurfaceDriver.Eventually(() => driver.CardsOf(key) is [var card] && SurfaceDriver.Field(card, "Status") == "Done");
        Assert.Equal("level 1", SurfaceDriver.Field(driver.CardsOf(key)[0], "Escalation"));
        var item = Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Customer outage follow-up");
        await SurfaceDriver.Eventually(() => bot.Environment.Monday.Updates(item.Id).Any(u => u.Body.Contains("acknowledged by Grace", StringComparison.Ordinal)));

        // Every press is audited on the item, the refused one too: who, which button, when, and what came of it.
        bool Audited(string button, string outcome, string who) => bot.Environment.Monday.Updates(item.Id).Any(u =>
            u.Body.Contains(button, StringComparison.Ordinal) && u.Body.Contains(outcome, StringComparison.Ordinal) && u.Body.Contains($"Discord {who}", StringComparison.Ordinal) && u.Body.Contains(" UTC", StringComparison.Ordinal));
        await SurfaceDriver.Eventually(() => Audited("Escalate now", "refused, not a moderator", Linus) && Audited("Done", "accepted, status In progress → Done", Grace));
        // The thread holds the item's history: one line per confirmed change (the last one posts after its board write).
        await SurfaceDriver.Eventually(() => driver.Discord.MessagesIn(thread).Count(m => m.Message["content"]?.GetValue<string>().Contains("— by ", StringComparison.Ordinal) == true) >= 4);
        Assert.Empty(driver.SpecViolations());
    }
}
