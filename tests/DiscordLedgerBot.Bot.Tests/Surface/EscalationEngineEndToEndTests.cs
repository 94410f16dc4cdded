using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Api;
using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>
/// The escalation engine in the composed bot over real sockets: an overdue item escalates on the job's own schedule,
/// its notice appears in Discord with buttons, the board gets the level, trail, update and follow-up through the
/// outbox, and only a moderator's Acknowledge stops it (seen on /api/v1/events and /api/v1/escalations).
/// </summary>
public sealed class EscalationEngineEndToEndTests
{
    private static readonly string Linus = EmulatedGuild.Ids.Member;
    private static readonly string Grace = EmulatedGuild.Ids.Moderator;
    private const string Token = "escalation-test-token-0123456789";

    [Fact]
    public async Task An_overdue_item_escalates_with_a_notice_and_board_writes_and_only_a_moderators_acknowledge_stops_it()
    {
        var driver = await SurfaceDriver.StartAsync(
            $"--Surface:Owners:{Linus}=ada@emulated.monday",
            "--Api:Tokens:0:Name=ops", $"--Api:Tokens:0:Token={Token}", "--Api:Tokens:0:Scopes=ledger:read ledger:write metrics:read",
            "--Escalation:Interval=00:00:01",
            $"--Escalation:ModeratorChannelId={EmulatedGuild.Ids.ModeratorsOnly}",
            $"--Escalation:Teams:default:RoleId={EmulatedGuild.Ids.ModeratorsRole}",
            "--Escalation:Policies:due-date-passed:Urgency=High",
            "--Escalation:Policies:due-date-passed:Levels:0:Delay=00:00:00",
            "--Escalation:Policies:due-date-passed:Levels:0:Targets:0=Owner",
            "--Escalation:Policies:due-date-passed:Levels:0:Targets:1=TeamRole",
            "--Escalation:Policies:due-date-passed:Levels:0:FollowUp=true",
            "--Escalation:Policies:due-date-passed:Levels:1:Delay=01:00:00",
            "--Escalation:Policies:due-date-passed:Levels:1:Targets:0=ModeratorChannel");
        await using var bot = driver.Bot;
        using var api = bot.Http(Token);

        // An item with a card, then made overdue (the API accepts a past due date; Discord does not).
        var (created, _) = await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Renew the TLS certificate", ["owner"] = Linus }));
        var key = "slash:" + created.Id;
        await SurfaceDriver.Eventually(() => driver.CardsOf(key) is [_]);
        var yesterday = DateOnly.FromDateTime(DateTime.SpecifyKind(bot.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, DateTimeKind.Utc)).AddDays(-1);
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/items/{key}") { Content = ApiTestKit.Json($"{{\"dueDate\":\"{yesterday:yyyy-MM-dd}\"}}") })
        {
            Assert.True((await api.SendAsync(patch)).IsSuccessStatusCode);
        }

        // The job fires level 1: the notice in the card's channel, mentioning only the owner and the team role.
        JsonObject? notice = null;
        await SurfaceDriver.Eventually(() => (notice = NoticesIn(driver, EmulatedGuild.Ids.General).FirstOrDefault()) is not null);
        Assert.StartsWith("Escalation level 1: Renew the TLS certificate", notice!["embeds"]![0]!["title"]!.GetValue<string>(), StringComparison.Ordinal);
        var buttons = notice["components"]![0]!["components"]!.AsArray().Select(b => b!["custom_id"]!.GetValue<string>()).ToList();
        Assert.Equal([$"esc:ack:due-date-passed.1:{key}", $"esc:up:due-date-passed.1:{key}", $"esc:done:due-date-passed.1:{key}"], buttons);
        Assert.Equal(Linus, Assert.Single(notice["mentions"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal([EmulatedGuild.Ids.ModeratorsRole], notice["mention_roles"]!.AsArray().Select(r => r!.GetValue<string>()));

        // The board: level and trail columns, an update and a follow-up subitem, all through the outbox.
        var item = Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Renew the TLS certificate");
        await SurfaceDriver.Eventually(() => Column(bot, item.Id, "escalation_level") == "1"
            && bot.Environment.Monday.Updates(item.Id).Any(u => u.Body.Contains("Escalation level 1 (due-date-passed", StringComparison.Ordinal))
            && bot.Environment.Monday.Items().Any(i => i.ParentItemId == item.Id && i.Name.StartsWith("Escalation level 1", StringComparison.Ordinal)));
        Assert.Contains("level 1 (due-date-passed)", Column(bot, item.Id, "escalation_trail"), StringComparison.Ordinal);

        // A member who is not a moderator presses Acknowledge: told why, nothing changes.
        var refused = await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(buttons[0], channelId: EmulatedGuild.Ids.General, userId: Linus));
        Assert.Contains("Only moderators", refused, StringComparison.Ordinal);
        var engine = bot.Services.GetRequiredService<EscalationEngine>();
        Assert.Null((await engine.GetStateAsync(key, CancellationToken.None))!.Episodes[0].AcknowledgedAt);

        // The moderator acknowledges: the event stream says so, and the episode fires no further level.
        using var stream = await api.GetStreamAsync(new Uri("/api/v1/events?types=escalation.acknowledged", UriKind.Relative));
        var acknowledged = await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(buttons[0], channelId: EmulatedGuild.Ids.General, userId: Grace));
        Assert.StartsWith("Recorded", acknowledged, StringComparison.Ordinal);
        var streamed = await SseReader.ReadAsync(stream, CancellationToken.None).FirstAsync(m => m.Event == "escalation.acknowledged").AsTask().WaitAsync(Eventually.DefaultTimeout);
        var data = JsonNode.Parse(streamed.Data)!["data"]!;
        Assert.Equal((key, "due-date-passed.1"), (data["key"]!.GetValue<string>(), data["episode"]!.GetValue<string>()));
        Assert.Contains("Grace", data["actor"]!.GetValue<string>(), StringComparison.Ordinal);

        var state = (await engine.GetStateAsync(key, CancellationToken.None))!;
        Assert.Contains("Grace", state.Episodes[0].AcknowledgedBy, StringComparison.Ordinal);
        var policies = bot.Services.GetRequiredService<IOptionsMonitor<EscalationOptions>>().CurrentValue.BuildPolicies();
        var entry = bot.Services.GetRequiredService<LedgerItemIndex>().Find(Core.Ledger.LedgerKey.Parse(key))!;
        var later = EscalationEvaluator.Evaluate(state.Episodes[0].AcknowledgedAt!.Value.AddDays(3), entry, state, policies);
        Assert.DoesNotContain(later.Decisions, d => d is FireEscalation);
        await SurfaceDriver.Eventually(() => bot.Environment.Monday.Updates(item.Id).Any(u => u.Body.Contains("Escalation acknowledged by Grace", StringComparison.Ordinal)));

        var list = await api.GetFromJsonAsync<JsonObject>(new Uri("/api/v1/escalations", UriKind.Relative));
        var listed = Assert.Single(list!["items"]!.AsArray())!;
        Assert.Equal(key, listed["item"]!["key"]!.GetValue<string>());
        Assert.Contains("Grace", listed["episodes"]![0]!["acknowledgedBy"]!.GetValue<string>(), StringComparison.Ordinal);
        var again = await api.PostAsync(new Uri($"/api/v1/escalations/{key}/acknowledge", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);

        // Both changes reach /metrics (the acknowledgement through the bus, so it may lag the API by a moment).
        using var scraper = bot.Http(Token);
        await Eventually.TrueAsync(
            async () => (await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n') is var lines
                && lines.Any(l => l.StartsWith("dlb_escalations_total{", StringComparison.Ordinal) && l.Contains("change=\"fired\"", StringComparison.Ordinal))
                && lines.Any(l => l.StartsWith("dlb_escalations_total{", StringComparison.Ordinal) && l.Contains("change=\"acknowledged\"", StringComparison.Ordinal)),
            "the escalation metrics on /metrics");
        Assert.Single(NoticesIn(driver, EmulatedGuild.Ids.General));
        Assert.Empty(driver.SpecViolations());
    }

    private static IEnumerable<JsonObject> NoticesIn(SurfaceDriver driver, string channelId) =>
        driver.Discord.MessagesIn(channelId).Select(m => m.Message)
            .Where(m => m["embeds"] is JsonArray { Count: > 0 } embeds && embeds[0]!["footer"]?["text"]?.GetValue<string>().StartsWith("escalation ", StringComparison.Ordinal) == true);

    /// <summary>A column's text as monday stores it: a JSON string (numbers) or an object with "text" (long text).</summary>
    private static string Column(Hosting.ComposedBot bot, long itemId, string column) =>
        bot.Environment.Monday.Items().Single(i => i.Id == itemId).ColumnValues.GetValueOrDefault(column) is { } raw
            ? JsonNode.Parse(raw) switch
            {
                JsonValue text => text.GetValue<string>(),
                JsonObject value => value["text"]?.GetValue<string>() ?? string.Empty,
                _ => string.Empty,
            }
            : string.Empty;
}
