using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Api;

/// <summary>/api/v1 over real HTTP against the composed bot and the monday emulator.</summary>
public sealed class HttpApiTests
{
    [Fact]
    public async Task Every_route_answers_its_happy_path_and_writes_reach_the_board_through_the_outbox()
    {
        await using var bot = await ApiTestKit.StartAsync();
        using var http = bot.Http(ApiTestKit.Full);

        // Create without waiting: 202, a command id and a Location to poll.
        using var accepted = await http.PostJsonAsync("/api/v1/items", """{"title":"Ship the API","owner":"dana","dueDate":"2030-01-31"}""", "ship-api");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var command = (await accepted.BodyAsync())["commands"]![0]!;
        Assert.Equal("api:ship-api", command["commandId"]!.GetValue<string>());
        Assert.Equal("/api/v1/commands/api%3Aship-api", accepted.Headers.Location!.ToString());

        var status = await PollUntilConfirmedAsync(http, accepted.Headers.Location!.ToString());
        var itemId = status["mondayItemId"]!.GetValue<string>();
        Assert.Contains(bot.Environment.Monday.Items(), i => i.Name == "Ship the API" && i.Id.ToString(CultureInfo.InvariantCulture) == itemId);

        var item = await http.GetJsonNodeAsync("/api/v1/items/api:ship-api");
        Assert.Equal("Ship the API", item!["title"]!.GetValue<string>());
        Assert.Equal("requested", item["status"]!.GetValue<string>());
        Assert.Equal("2030-01-31", item["dueDate"]!.GetValue<string>());

        var list = await http.GetJsonNodeAsync("/api/v1/items?status=requested&owner=dana");
        Assert.Contains(list!["items"]!.AsArray(), i => i!["key"]!.GetValue<string>() == "api:ship-api");

        // ?wait= answers 200 once monday confirmed.
        using var patched = await http.PatchJsonAsync("/api/v1/items/api:ship-api?wait=30", """{"status":"in_progress","owner":"erin"}""");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(2, (await patched.BodyAsync())["commands"]!.AsArray().Count);
        using var note = await http.PostJsonAsync("/api/v1/items/api:ship-api/notes?wait=30", """{"body":"Spec reviewed"}""");
        Assert.Equal(HttpStatusCode.OK, note.StatusCode);
        using var followUp = await http.PostJsonAsync("/api/v1/items/api:ship-api/follow-ups?wait=30", """{"title":"Write the changelog"}""");
        Assert.Equal(HttpStatusCode.OK, followUp.StatusCode);

        var after = await http.GetJsonNodeAsync("/api/v1/items/api:ship-api");
        Assert.Equal("in_progress", after!["status"]!.GetValue<string>());
        Assert.Equal("erin", after["owner"]!.GetValue<string>());
        Assert.Contains(bot.Environment.Monday.Updates(long.Parse(itemId, CultureInfo.InvariantCulture)), u => u.Body.Contains("Spec reviewed", StringComparison.Ordinal));
        Assert.Contains(bot.Environment.Monday.Items(), i => i.Name == "Write the changelog");

        // Registry: tools, one tool, health, rank, select (which records its rationale on the ledger), escalations.
        var tools = await http.GetJsonNodeAsync("/api/v1/registry/tools");
        Assert.Contains(tools!.AsArray(), t => t!["id"]!.GetValue<string>() == "cursor");
        Assert.Equal("cursor", (await http.GetJsonNodeAsync("/api/v1/registry/tools/cursor"))!["id"]!.GetValue<string>());
        Assert.NotEmpty((await http.GetJsonNodeAsync("/api/v1/registry/health"))!.AsArray());
        var ranking = await http.GetJsonNodeAsync("/api/v1/registry/rank?workflow=code-edit");
        Assert.NotEmpty(ranking!["tools"]!.AsArray());
        using var selected = await http.PostJsonAsync("/api/v1/registry/select", """{"workflow":"code-edit","ledgerKey":"api:ship-api"}""", "select-1");
        Assert.Equal(HttpStatusCode.OK, selected.StatusCode);
        var selection = await selected.BodyAsync();
        Assert.False(string.IsNullOrEmpty(selection["rationale"]!.GetValue<string>()));
        await PollUntilConfirmedAsync(http, $"/api/v1/commands/{Uri.EscapeDataString(selection["commandId"]!.GetValue<string>())}");
        Assert.Contains(bot.Environment.Monday.Updates(long.Parse(itemId, CultureInfo.InvariantCulture)), u => u.Body.Contains("code-edit", StringComparison.Ordinal));

        var escalations = await http.GetJsonNodeAsync("/api/v1/escalations");
        Assert.True(escalations!["enabled"]!.GetValue<bool>());
        Assert.Equal(["due-date-passed"], escalations["policies"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Empty(escalations["items"]!.AsArray());

        // Acknowledge: an item with nothing running is a conflict, an unknown one 404, a bad key 400, a reader 403 — all problem+json.
        using var nothing = await http.PostJsonAsync("/api/v1/escalations/api:ship-api/acknowledge", "{}", "ack-1");
        Assert.Equal(HttpStatusCode.Conflict, nothing.StatusCode);
        Assert.Contains("No escalation is running", (await nothing.BodyAsync())["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        using var unknown = await http.PostJsonAsync("/api/v1/escalations/api:nobody/acknowledge", "{}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var badKey = await http.PostJsonAsync("/api/v1/escalations/bad%20key/acknowledge", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Equal("application/problem+json", badKey.Content.Headers.ContentType!.MediaType);
        using var reader = bot.Http(ApiTestKit.ReadOnly);
        using var forbidden = await reader.PostJsonAsync("/api/v1/escalations/api:ship-api/acknowledge", "{}");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task An_admin_token_sets_and_clears_an_override_and_the_event_stream_carries_both()
    {
        await using var bot = await ApiTestKit.StartAsync();
        using var admin = bot.Http(ApiTestKit.Full);
        using var registryReader = bot.Http(ApiTestKit.RegistryReader);
        using var events = await admin.GetAsync(new Uri("/api/v1/events?types=override.set,override.cleared", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        var stream = SseReader.ReadAsync(await events.Content.ReadAsStreamAsync(), CancellationToken.None).Where(m => m.Id is not null).GetAsyncEnumerator();

        using var refused = await registryReader.PostJsonAsync("/api/v1/registry/tools/cursor/overrides", """{"action":"disable","actor":"ops","reason":"outage"}""");
        using var noActor = await admin.PostJsonAsync("/api/v1/registry/tools/cursor/overrides", """{"action":"disable","reason":"outage"}""");
        using var set = await admin.PostJsonAsync("/api/v1/registry/tools/cursor/overrides", """{"action":"disable","workflow":"code-edit","actor":"ops-alice","reason":"cursor outage"}""", "ovr-1");
        var ranking = await admin.GetJsonNodeAsync("/api/v1/registry/rank?workflow=code-edit");
        using var cleared = await admin.DeleteAsync(new Uri("/api/v1/registry/tools/cursor/overrides?workflow=code-edit&actor=ops-alice&reason=recovered", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noActor.StatusCode);
        Assert.Equal("actor", (await noActor.BodyAsync())["field"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("disable", (await set.BodyAsync())["action"]!.GetValue<string>());
        Assert.Contains(ranking!["tools"]!.AsArray(), t => t!["toolId"]!.GetValue<string>() == "cursor" && !t["eligible"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Eventually.DefaultTimeout));
        Assert.Equal("override.set", stream.Current.Event);
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(Eventually.DefaultTimeout));
        Assert.Equal("override.cleared", stream.Current.Event);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task Tokens_and_scopes_are_enforced_with_problem_json()
    {
        await using var bot = await ApiTestKit.StartAsync();
        using var anonymous = bot.Http();
        using var wrong = bot.Http("not-a-configured-token-000");
        using var reader = bot.Http(ApiTestKit.ReadOnly);
        using var writer = bot.Http(ApiTestKit.WriteOnly);
        using var registry = bot.Http(ApiTestKit.RegistryReader);

        using var noToken = await anonymous.GetAsync(new Uri("/api/v1/items", UriKind.Relative));
        using var badToken = await wrong.GetAsync(new Uri("/api/v1/items", UriKind.Relative));
        using var readerWrites = await reader.PostJsonAsync("/api/v1/items", """{"title":"x"}""");
        using var writerReads = await writer.GetAsync(new Uri("/api/v1/items", UriKind.Relative));
        using var registryReadsLedger = await registry.GetAsync(new Uri("/api/v1/commands/x", UriKind.Relative));
        using var readerSelects = await reader.PostJsonAsync("/api/v1/registry/select", """{"workflow":"code-edit","ledgerKey":"k"}""");
        using var registryRanks = await registry.GetAsync(new Uri("/api/v1/registry/rank?workflow=code-edit", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal("Bearer", noToken.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", noToken.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);
        Assert.DoesNotContain("not-a-configured-token", await badToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, readerWrites.StatusCode);
        Assert.Contains("ledger:write", (await readerWrites.BodyAsync())["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, writerReads.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, registryReadsLedger.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, readerSelects.StatusCode);
        Assert.Equal(HttpStatusCode.OK, registryRanks.StatusCode);
        Assert.DoesNotContain(bot.Environment.Monday.Items(), i => i.Name == "x");
    }

    [Theory]
    [InlineData("POST", "/api/v1/items", """{"title":""}""", "title")]
    [InlineData("POST", "/api/v1/items", """{"title":"ok","colour":"red"}""", "colour")]
    [InlineData("POST", "/api/v1/items", """{"title":"ok","dueDate":"31/01/2030"}""", "dueDate")]
    [InlineData("POST", "/api/v1/items", """{"title":"ok","discordChannelId":"general"}""", "discordChannelId")]
    [InlineData("POST", "/api/v1/items", """{"title":""", "title")]
    [InlineData("POST", "/api/v1/items", """not json""", "body")]
    [InlineData("POST", "/api/v1/items?wait=99", """{"title":"ok"}""", "wait")]
    [InlineData("GET", "/api/v1/items?status=open", null, "status")]
    [InlineData("GET", "/api/v1/items?limit=0", null, "limit")]
    [InlineData("GET", "/api/v1/items?cursor=garbage", null, "cursor")]
    [InlineData("GET", "/api/v1/items?dueBefore=tomorrow", null, "dueBefore")]
    [InlineData("GET", "/api/v1/items/bad%20key", null, "key")]
    [InlineData("GET", "/api/v1/registry/rank", null, "workflow")]
    [InlineData("GET", "/api/v1/registry/rank?workflow=painting", null, "workflow")]
    [InlineData("GET", "/api/v1/events?types=item.exploded", null, "types")]
    [InlineData("POST", "/api/v1/registry/select", """{"workflow":"code-edit","ledgerKey":"no spaces"}""", "ledgerKey")]
    public async Task Bad_input_is_a_400_problem_naming_the_field(string method, string path, string? body, string field)
    {
        await using var bot = await ApiTestKit.StartAsync();
        using var http = bot.Http(ApiTestKit.Full);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : ApiTestKit.Json(body) };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(field, (await response.BodyAsync())["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Read_only_mode_refuses_writes_with_a_clear_403_and_keeps_reads()
    {
        await using var bot = await ApiTestKit.StartAsync("--Ledger:ReadOnly=true");
        using var http = bot.Http(ApiTestKit.Full);
        var countsBefore = await bot.Services.GetRequiredService<IOutboxStore>().CountAsync();

        using var create = await http.PostJsonAsync("/api/v1/items", """{"title":"Nope"}""");
        using var select = await http.PostJsonAsync("/api/v1/registry/select", """{"workflow":"code-edit","ledgerKey":"k"}""");
        using var list = await http.GetAsync(new Uri("/api/v1/items", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        var problem = await create.BodyAsync();
        Assert.Equal("The ledger is read-only", problem["title"]!.GetValue<string>());
        Assert.Contains("Ledger:ReadOnly", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, select.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(countsBefore, await bot.Services.GetRequiredService<IOutboxStore>().CountAsync());
    }

    [Fact]
    public async Task The_same_idempotency_key_twice_creates_one_item()
    {
        await using var bot = await ApiTestKit.StartAsync();
        using var http = bot.Http(ApiTestKit.Full);

        using var first = await http.PostJsonAsync("/api/v1/items?wait=30", """{"title":"Only once"}""", "once-1");
        using var second = await http.PostJsonAsync("/api/v1/items?wait=30", """{"title":"Only once"}""", "once-1");
        using var different = await http.PostJsonAsync("/api/v1/items", """{"title":"Something else"}""", "once-1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(
            (await first.BodyAsync())["commands"]![0]!["mondayItemId"]!.GetValue<string>(),
            (await second.BodyAsync())["commands"]![0]!["mondayItemId"]!.GetValue<string>());
        Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Only once");
        // Reusing a key for a different request is a conflict, not a silent replay.
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Paging_walks_over_a_thousand_items_without_repeats_or_gaps()
    {
        await using var bot = await ApiTestKit.StartAsync("--Outbox:BatchSize=200");
        var submit = await bot.CliAsync("ingest", "submit", "--count", "1000", "--prefix", "page");
        Assert.True(submit.Exit == 0, submit.Error);
        var store = bot.Services.GetRequiredService<IOutboxStore>();
        // 1 000 creates spend the emulator's whole per-minute complexity budget, so the outbox paces them (~1 min).
        await Eventually.TrueAsync(async () => (await store.CountAsync()).Confirmed >= 1000, "1 000 creates confirmed", TimeSpan.FromMinutes(4));

        using var http = bot.Http(ApiTestKit.ReadOnly);
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await http.GetJsonNodeAsync($"/api/v1/items?limit=200{(cursor is null ? string.Empty : "&cursor=" + cursor)}");
            seen.AddRange(page!["items"]!.AsArray().Select(i => i!["mondayItemId"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        var onBoard = bot.Environment.Monday.Items().Select(i => i.Id.ToString(CultureInfo.InvariantCulture)).ToHashSet();
        Assert.Equal(1000, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(5, pages);
        Assert.Equal(onBoard, seen.ToHashSet());
        Assert.Equal(seen.OrderBy(id => long.Parse(id, CultureInfo.InvariantCulture)), seen);
    }

    internal static async Task<JsonNode> PollUntilConfirmedAsync(HttpClient http, string location)
    {
        JsonNode? status = null;
        await Eventually.TrueAsync(
            async () =>
            {
                status = await http.GetJsonNodeAsync(location);
                Assert.NotEqual("dead_lettered", status!["state"]!.GetValue<string>());
                return status["state"]!.GetValue<string>() == "confirmed";
            },
            $"{location} confirmed");
        return status!;
    }
}
