using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Slices.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>Overdue items: the owner is told once a day; a channel in digest mode gets one daily digest instead, and no pings.</summary>
public sealed class NotificationPolicyTests
{
    private static readonly string Grace = EmulatedGuild.Ids.Moderator;

    [Fact]
    public async Task An_overdue_owner_is_told_once_a_day_and_a_digest_channel_gets_one_digest_instead()
    {
        var driver = await SurfaceDriver.StartAsync($"--Surface:Owners:{Grace}=grace@emulated.monday");
        await using var bot = driver.Bot;
        var (created, _) = await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Renew the certificate", ["owner"] = Grace, ["due"] = "+1" }));
        var cards = bot.Services.GetRequiredService<CardStore>();
        await SurfaceDriver.Eventually(() => cards.FindAsync("slash:" + created.Id, CancellationToken.None).GetAwaiter().GetResult() is not null);
        var job = bot.Services.GetRequiredService<OverdueNoticeJob>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        Assert.Equal(1, await job.NotifyAsync(today.AddDays(3), CancellationToken.None));
        Assert.Equal(0, await job.NotifyAsync(today.AddDays(3), CancellationToken.None));
        var notice = driver.Discord.MessagesIn(EmulatedGuild.Ids.General).Select(m => m.Message).Single(m => m["content"]?.GetValue<string>().Contains("overdue: **Renew the certificate**", StringComparison.Ordinal) == true);
        Assert.Equal(Grace, Assert.Single(notice["mentions"]!.AsArray())!["id"]!.GetValue<string>());

        await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "notify", new Dictionary<string, JsonNode?> { ["mode"] = "digest" }, userId: Grace));
        Assert.Equal(1, await job.NotifyAsync(today.AddDays(4), CancellationToken.None));
        Assert.Equal(0, await job.NotifyAsync(today.AddDays(4), CancellationToken.None));
        var digest = driver.Discord.MessagesIn(EmulatedGuild.Ids.General).Select(m => m.Message).Last();
        Assert.Contains("Ledger digest", digest["embeds"]![0]!["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Renew the certificate", DigestField(digest, "Overdue"), StringComparison.Ordinal);
        Assert.Empty(digest["mentions"]!.AsArray());
        Assert.Empty(driver.SpecViolations());
    }

    [Fact]
    public async Task A_digest_channel_gets_one_daily_digest_of_changes_blocked_done_due_soon_and_overdue_and_nobody_is_pinged()
    {
        var driver = await SurfaceDriver.StartAsync($"--Surface:Owners:{Grace}=grace@emulated.monday");
        await using var bot = driver.Bot;
        await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "notify", new Dictionary<string, JsonNode?> { ["mode"] = "digest" }, userId: Grace));
        var vendor = "slash:" + (await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Vendor contract", ["owner"] = Grace, ["due"] = "+1" }))).Interaction.Id;
        var notes = "slash:" + (await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Release notes", ["owner"] = Grace }))).Interaction.Id;
        var keys = "slash:" + (await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Rotate keys", ["due"] = "+2" }))).Interaction.Id;
        await SurfaceDriver.Eventually(() => driver.CardsOf(vendor).Count == 1 && driver.CardsOf(notes).Count == 1 && driver.CardsOf(keys).Count == 1);
        foreach (var key in new[] { vendor, notes })
        {
            Assert.StartsWith("Recorded", await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "status", new Dictionary<string, JsonNode?> { ["item"] = key, ["status"] = "in_progress" })), StringComparison.Ordinal);
            await SurfaceDriver.Eventually(() => driver.CardsOf(key) is [var card] && SurfaceDriver.Field(card, "Status") == "In progress");
        }

        Assert.StartsWith("Recorded", await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "status", new Dictionary<string, JsonNode?> { ["item"] = vendor, ["status"] = "blocked", ["reason"] = "waiting on legal" })), StringComparison.Ordinal);
        Assert.StartsWith("Recorded", await driver.AskTextAsync(SurfaceDriver.Slash("ledger", "status", new Dictionary<string, JsonNode?> { ["item"] = notes, ["status"] = "done" })), StringComparison.Ordinal);
        var log = bot.Services.GetRequiredService<DigestLog>();

        // 3 creates, 2 starts, the block (status and its reason note) and the completion.
        await SurfaceDriver.Eventually(() => log.PeekAsync(EmulatedGuild.Ids.General, CancellationToken.None).GetAwaiter().GetResult().Count >= 8);
        var job = bot.Services.GetRequiredService<OverdueNoticeJob>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        Assert.Equal(1, await job.NotifyAsync(today, CancellationToken.None));
        Assert.Equal(0, await job.NotifyAsync(today, CancellationToken.None));
        var digest = LastDigest(driver);
        Assert.Contains("8 change(s) to 3 item(s)", digest["embeds"]![0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(["Vendor contract", "Release notes", "Rotate keys"], title => Assert.Contains(title, DigestField(digest, "Changed since the last digest (3)"), StringComparison.Ordinal));
        Assert.Contains("waiting on legal", DigestField(digest, "Newly blocked (1)"), StringComparison.Ordinal);
        Assert.Contains("Release notes", DigestField(digest, "Done (1)"), StringComparison.Ordinal);
        var dueSoon = DigestField(digest, "Due within 2 days (2)");
        Assert.Contains("Vendor contract", dueSoon, StringComparison.Ordinal);
        Assert.Contains("Rotate keys", dueSoon, StringComparison.Ordinal);
        Assert.DoesNotContain(digest["embeds"]![0]!["fields"]!.AsArray(), f => f!["name"]!.GetValue<string>().StartsWith("Overdue", StringComparison.Ordinal));

        // No firehose: nobody was pinged for the assignment or the block; only cards and the one digest were posted.
        Assert.DoesNotContain(driver.Discord.MessagesIn(EmulatedGuild.Ids.General), m => m.Message["content"]?.GetValue<string>().Contains("<@", StringComparison.Ordinal) == true);
        Assert.Empty(digest["mentions"]!.AsArray());

        // Three days on: the changes were told already; two items are now overdue.
        Assert.Equal(1, await job.NotifyAsync(today.AddDays(3), CancellationToken.None));
        var later = LastDigest(driver);
        Assert.Equal("No changes since the last digest.", later["embeds"]![0]!["description"]!.GetValue<string>());
        var overdue = DigestField(later, "Overdue (2)");
        Assert.Contains("Vendor contract", overdue, StringComparison.Ordinal);
        Assert.Contains("Rotate keys", overdue, StringComparison.Ordinal);
        Assert.Single(driver.Discord.MessagesIn(EmulatedGuild.Ids.General), m => m.Message["embeds"] is JsonArray { Count: > 0 } e && e[0]!["title"]!.GetValue<string>() == $"Ledger digest {today:yyyy-MM-dd}");
        Assert.Empty(driver.SpecViolations());
    }

    private static JsonObject LastDigest(SurfaceDriver driver) =>
        driver.Discord.MessagesIn(EmulatedGuild.Ids.General).Select(m => m.Message).Last(m => m["embeds"] is JsonArray { Count: > 0 } e && e[0]!["title"]!.GetValue<string>().StartsWith("Ledger digest", StringComparison.Ordinal));

    private static string DigestField(JsonObject digest, string namePrefix) =>
        digest["embeds"]![0]!["fields"]!.AsArray().OfType<JsonObject>().First(f => f["name"]!.GetValue<string>().StartsWith(namePrefix, StringComparison.Ordinal))["value"]!.GetValue<string>();
}
