using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Slices.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>Overdue items: the owner is told once a day; a channel in digest mode gets one digest instead.</summary>
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
        Assert.Contains("Renew the certificate", digest["embeds"]![0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(digest["mentions"]!.AsArray());
        Assert.Empty(driver.SpecViolations());
    }
}
