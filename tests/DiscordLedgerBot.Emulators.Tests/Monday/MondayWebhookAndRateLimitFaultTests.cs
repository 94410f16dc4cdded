using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class MondayWebhookAndRateLimitFaultTests
{
    [Fact]
    public async Task Rate_limit_faults_answer_with_mondays_bodies_and_hints_and_count_requests_before_the_hint()
    {
        await using var http = await MondayHttp.StartAsync();
        http.Emulator.Faults.ComplexityExhaustedNext(1, retryInSeconds: 22);
        http.Emulator.Faults.MinuteLimitNext(1, retryAfterSeconds: 41);
        http.Emulator.Faults.DailyLimitNext();

        var complexity = await http.PostAsync("{ me { id } }");
        Assert.Equal(429, complexity.StatusCode);
        Assert.Equal("""{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":22}}]}""",
            Without(complexity.Text, "extensions"));
        Assert.Null(complexity.Header("Retry-After")); // monday puts the complexity wait in the body only

        var minute = await http.PostAsync("{ me { id } }");
        Assert.Equal(429, minute.StatusCode);
        Assert.Equal("MINUTE_RATE_LIMIT_EXCEEDED", minute.ErrorCode);
        Assert.Equal("Minute rate limit exceeded", minute.FirstError["message"]!.GetValue<string>());
        Assert.Equal("41", minute.Header("Retry-After"));

        var daily = await http.PostAsync("{ me { id } }");
        Assert.Equal("DAILY_LIMIT_EXCEEDED", daily.ErrorCode);
        var untilMidnight = (int)Math.Ceiling((TestTime.Start.UtcDateTime.Date.AddDays(1) - TestTime.Start.UtcDateTime).TotalSeconds);
        Assert.Equal(untilMidnight, daily.FirstError["extensions"]!["retry_in_seconds"]!.GetValue<int>());
        Assert.Equal(untilMidnight.ToString(System.Globalization.CultureInfo.InvariantCulture), daily.Header("Retry-After"));

        // The second and third requests came before the first one's 22 s had passed.
        Assert.Equal(2, http.Emulator.Stats.RequestsBeforeHint);
        http.Time.Advance(TimeSpan.FromSeconds(untilMidnight));
        Assert.Equal(200, (await http.PostAsync("{ me { id } }")).StatusCode);
        Assert.Equal(2, http.Emulator.Stats.RequestsBeforeHint);
        Assert.Equal(3, http.Emulator.Stats.RateLimited);
    }

    [Fact]
    public async Task A_webhook_is_verified_by_its_challenge_and_then_told_about_edits_made_in_the_ui()
    {
        await using var receiver = await Receiver.StartAsync(echo: true);
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.CreateColumnAsync(board, "Status", "status", "status");
        var item = await http.CreateItemAsync(board, "Fix the printer");
        var created = await http.DataAsync(
            "mutation ($b: ID!, $u: String!) { create_webhook(board_id: $b, url: $u, event: change_status_column_value, config: \"{\\\"columnId\\\":\\\"status\\\"}\") { id board_id event config } }",
            new JsonObject { ["b"] = board.ToString(System.Globalization.CultureInfo.InvariantCulture), ["u"] = receiver.Url });
        Assert.Equal("change_status_column_value", created["create_webhook"]!["event"]!.GetValue<string>());
        await Eventually.TrueAsync(() => http.Emulator.Webhooks().Count == 1, "the challenge to be answered", TimeSpan.FromSeconds(10));
        Assert.Contains(receiver.Bodies, b => b["challenge"] is not null);

        var before = http.Emulator.Items(board).Single().UpdatedAt;
        http.Time.Advance(TimeSpan.FromMinutes(3));
        var requests = http.Emulator.Stats.TotalRequests;
        http.Emulator.EditItem(item, new JsonObject { ["status"] = new JsonObject { ["index"] = 1 } });

        // The emulator records a delivery once the receiver has answered it, a moment after the receiver saw the body.
        await Eventually.TrueAsync(() => receiver.Bodies.Any(b => b["event"] is not null) && http.Emulator.WebhookDeliveries.Count == 1, "the event delivery", TimeSpan.FromSeconds(10));
        var @event = receiver.Bodies.Single(b => b["event"] is not null)["event"]!;
        Assert.Equal("update_column_value", @event["type"]!.GetValue<string>());
        Assert.Equal(item, @event["pulseId"]!.GetValue<long>());
        Assert.Equal("color", @event["columnType"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{32}$", @event["triggerUuid"]!.GetValue<string>());
        Assert.Equal(1, @event["value"]!["index"]!.GetValue<int>());
        Assert.Equal(before + TimeSpan.FromMinutes(3), http.Emulator.Items(board).Single().UpdatedAt);
        Assert.Equal(requests, http.Emulator.Stats.TotalRequests); // a UI edit is no API request

        var delivery = Assert.Single(http.Emulator.WebhookDeliveries);
        Assert.Equal(200, await http.Emulator.RedeliverAsync(delivery));
        Assert.True(receiver.Bodies.Last()["event"]!["isRetry"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_webhook_whose_url_does_not_echo_the_challenge_is_dropped()
    {
        await using var receiver = await Receiver.StartAsync(echo: false);
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        var item = await http.CreateItemAsync(board, "Order toner");
        await http.DataAsync(
            "mutation ($b: ID!, $u: String!) { create_webhook(board_id: $b, url: $u, event: change_name) { id } }",
            new JsonObject { ["b"] = board.ToString(System.Globalization.CultureInfo.InvariantCulture), ["u"] = receiver.Url });
        await Eventually.TrueAsync(() => http.Emulator.WebhooksPending == 0 && receiver.Bodies.Count == 1, "the challenge", TimeSpan.FromSeconds(10));

        http.Emulator.EditItem(item, new JsonObject { ["name"] = "Order more toner" });
        await Eventually.TrueAsync(() => http.Emulator.WebhooksPending == 0, "the dispatcher to idle", TimeSpan.FromSeconds(10));

        Assert.Empty(http.Emulator.Webhooks());
        Assert.Empty(http.Emulator.WebhookDeliveries);
    }

    [Fact]
    public async Task A_direct_edit_of_an_unknown_item_changes_nothing()
    {
        await using var http = await MondayHttp.StartAsync();
        var error = Assert.Throws<ArgumentException>(() => http.Emulator.EditItem(42, new JsonObject { ["name"] = "x" }));
        Assert.Contains("InvalidItemIdException", error.Message, StringComparison.Ordinal);
        using var response = await http.Client.PostAsync(new Uri(http.Emulator.BaseUrl, "/__emulator/items/abc"), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static string Without(string body, string property)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        json.Remove(property);
        return json.ToJsonString();
    }

    /// <summary>A webhook endpoint on loopback that records every body and echoes challenges (or not).</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Receiver(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public ConcurrentQueue<JsonObject> Bodies { get; } = new();

        public static async Task<Receiver> StartAsync(bool echo)
        {
            var port = FreeTcpPort.Next();
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrelCore().UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            var receiver = new Receiver(app, $"http://127.0.0.1:{port}/hook");
            app.Run(async context =>
            {
                var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
                receiver.Bodies.Enqueue(body);
                if (echo && body["challenge"] is { } challenge)
                {
                    await context.Response.WriteAsJsonAsync(new { challenge = challenge.GetValue<string>() });
                    return;
                }

                context.Response.StatusCode = 200;
            });
            await app.StartAsync();
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
