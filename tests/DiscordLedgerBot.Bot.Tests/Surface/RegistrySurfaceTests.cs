using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Emulators.Discord;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>/registry and its override buttons over real sockets: authority from the interaction, every click audited.</summary>
public sealed class RegistrySurfaceTests
{
    private static readonly string Linus = EmulatedGuild.Ids.Member;
    private static readonly string Grace = EmulatedGuild.Ids.Moderator;

    [Fact]
    public async Task A_non_moderators_press_changes_nothing_and_says_why_and_a_moderators_press_changes_the_ranking_and_is_audited()
    {
        var driver = await SurfaceDriver.StartAsync();
        await using var bot = driver.Bot;
        var registry = bot.Services.GetRequiredService<CapabilityRegistry>();
        RankVerdict CursorVerdict() => registry.Rank("code-edit").Tools.Single(t => t.ToolId == "cursor").Verdict;
        Assert.NotEqual(RankVerdict.Disabled, CursorVerdict());

        var shown = await driver.AskTextAsync(SurfaceDriver.Slash("registry", "show", new Dictionary<string, JsonNode?> { ["tool"] = "cursor" }, userId: Grace));
        Assert.Contains("Posted the card of cursor", shown, StringComparison.Ordinal);

        var (denied, deniedReply) = await driver.AskAsync(EmulatedInteractions.ComponentInteraction("registry:disable:cursor", userId: Linus));
        Assert.Contains("Only moderators", deniedReply["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(64, deniedReply["flags"]!.GetValue<int>() & 64);
        Assert.Empty(registry.Overrides);
        Assert.NotEqual(RankVerdict.Disabled, CursorVerdict());

        var (pressed, _) = await driver.AskAsync(EmulatedInteractions.ComponentInteraction("registry:disable:cursor", userId: Grace));

        Assert.Equal(RankVerdict.Disabled, CursorVerdict());
        var audit = Assert.Single(registry.Audit, a => a.Action == "override-disable");
        Assert.Contains(Grace, audit.Actor, StringComparison.Ordinal);
        // The card itself was updated in place by the press (callback type 7) and shows the override.
        var card = driver.Discord.MessagesIn(EmulatedGuild.Ids.General).Select(m => m.Message).Single(m => m["embeds"] is JsonArray { Count: > 0 } embeds && embeds[0]!["footer"]?["text"]?.GetValue<string>().StartsWith("tool cursor", StringComparison.Ordinal) == true);
        Assert.Contains("disabled for all workflows", SurfaceDriver.Field(card, "Overrides"), StringComparison.Ordinal);
        // Both the refused and the accepted click are on the ledger's registry audit item.
        await SurfaceDriver.Eventually(() => bot.Environment.Monday.Items().FirstOrDefault(i => i.Name == "Capability registry audit log") is { } item
            && bot.Environment.Monday.Updates(item.Id).Count(u => u.Body.Contains("cursor", StringComparison.Ordinal)) >= 3);
        var notes = bot.Environment.Monday.Updates(bot.Environment.Monday.Items().Single(i => i.Name == "Capability registry audit log").Id);
        Assert.Contains(notes, n => n.Body.Contains("Refused", StringComparison.Ordinal) && n.Body.Contains(Linus, StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Body.Contains("disabled", StringComparison.Ordinal) && n.Body.Contains(Grace, StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Body.Contains("accepted, override set", StringComparison.Ordinal) && n.Body.Contains($"Discord {Grace}", StringComparison.Ordinal));
        Assert.NotNull(denied);
        Assert.NotNull(pressed);

        // A forged or stale custom_id gets an explanation and changes nothing.
        var revision = registry.Revision;
        var genuine = driver.Discord.InteractionResponsesOf(pressed.Id) is not null ? pressed.Payload : throw new InvalidOperationException();
        Assert.Contains("not made by the ledger bot", ForgedInteractions.Text(await ForgedInteractions.PressAsync(driver, genuine, "registry:explode:cursor")), StringComparison.Ordinal);
        Assert.Contains("no longer in the registry", ForgedInteractions.Text(await ForgedInteractions.PressAsync(driver, genuine, "registry:disable:no-such-tool")), StringComparison.Ordinal);
        Assert.Equal(revision, registry.Revision);

        // A health change edits the posted card in place and says once that the tool went critical.
        for (var i = 0; i < 3; i++)
        {
            registry.RecordCheckResult("cursor", HealthCheckResult.Failure(TimeSpan.FromMilliseconds(5), "connection refused (test)"));
        }

        await SurfaceDriver.Eventually(() => driver.Discord.MessagesIn(EmulatedGuild.Ids.General).Any(m => m.Message["content"]?.GetValue<string>().Contains("Tool **cursor** went critical", StringComparison.Ordinal) == true));
        var edited = driver.Discord.MessagesIn(EmulatedGuild.Ids.General).Select(m => m.Message).Single(m => m["embeds"] is JsonArray { Count: > 0 } embeds && embeds[0]!["footer"]?["text"]?.GetValue<string>().StartsWith("tool cursor", StringComparison.Ordinal) == true);
        Assert.StartsWith("critical", SurfaceDriver.Field(edited, "Health"), StringComparison.Ordinal);

        Assert.Empty(driver.SpecViolations());
    }
}
