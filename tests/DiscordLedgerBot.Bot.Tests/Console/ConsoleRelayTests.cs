using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Emulators.Discord;

namespace DiscordLedgerBot.Bot.Tests.Console;

/// <summary>
/// The sandbox console without a browser (fast, so `./test.sh --fast` still catches a broken console): its files and
/// the same-origin relay to the emulators, on the composed sandbox over real sockets.
/// </summary>
public sealed class ConsoleRelayTests
{
    [Fact]
    public async Task The_sandbox_serves_the_console_and_relays_to_the_emulators_with_their_answers_unchanged()
    {
        var driver = await SurfaceDriver.StartAsync();
        await using var bot = driver.Bot;
        using var http = bot.Http();

        var page = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("SANDBOX", html, StringComparison.Ordinal);
        Assert.Contains("/console/console.js", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/console/console.js", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/console/console.css", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/console/SandboxConsole.cs", UriKind.Relative))).StatusCode);

        var config = (await http.GetFromJsonAsync<JsonObject>(new Uri("/console/api/config", UriKind.Relative)))!;
        Assert.Equal(bot.Environment.BoardId, config["boardId"]!.GetValue<string>());
        Assert.Contains(config["users"]!.AsArray(), u => u!["username"]!.GetValue<string>() == "grace" && u["roles"]!.GetValue<string>() == "Moderators");
        Assert.DoesNotContain(config["users"]!.AsArray(), u => u!["id"]!.GetValue<string>() == bot.Environment.DiscordApplicationId);
        Assert.Equal(EmulatedGuild.Ids.General, config["defaultChannelId"]!.GetValue<string>());

        var commands = (await http.GetFromJsonAsync<JsonArray>(new Uri("/console/api/discord/commands", UriKind.Relative)))!;
        Assert.Equal(["aws", "github", "ledger", "registry", "voice"], commands.Select(c => c!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));

        // A slash command through the relay reaches the bot over the gateway; its answer comes back the same way.
        var create = SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = "Through the relay" });
        var sent = await (await http.PostAsJsonAsync(new Uri("/console/api/discord/interactions", UriKind.Relative), create)).Content.ReadFromJsonAsync<JsonObject>();
        var id = sent!["id"]!.GetValue<string>();
        await SurfaceDriver.Eventually(() => driver.CardsOf("slash:" + id).Count == 1);
        var steps = (await http.GetFromJsonAsync<JsonArray>(new Uri($"/console/api/discord/interactions/{id}/responses", UriKind.Relative)))!;
        Assert.Equal("callback", steps[0]!["kind"]!.GetValue<string>());
        var messages = (await http.GetFromJsonAsync<JsonArray>(new Uri($"/console/api/discord/channels/{EmulatedGuild.Ids.General}/messages", UriKind.Relative)))!;
        Assert.Contains(messages, m => m!["embeds"]!.AsArray().Any(e => e!["title"]?.GetValue<string>() == "Through the relay"));

        var board = await http.PostAsJsonAsync(new Uri("/console/api/monday", UriKind.Relative), new JsonObject { ["query"] = $"query {{ boards(ids: [{bot.Environment.BoardId}]) {{ items_page(limit: 50) {{ items {{ name }} }} }} }}" });
        Assert.Contains("Through the relay", await board.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Bad input is answered by the emulator, unchanged: the page shows Discord's reason.
        using var notJson = new StringContent("{not json", Encoding.UTF8, "application/json");
        var refused = await http.PostAsync(new Uri("/console/api/discord/interactions", UriKind.Relative), notJson);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("not JSON", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
