using System.Text.Json.Nodes;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class MondayRateLimitTests
{
    private const string CreateItem = "mutation ($b: ID!) { create_item(board_id: $b, item_name: \"x\") { id } }";

    [Fact]
    public async Task Complexity_budget_exhaustion_is_429_with_retry_in_seconds_only_in_the_body_and_changes_nothing()
    {
        await using var http = await MondayHttp.StartAsync(o => o.RateLimits.ComplexityPerMinute = 35_000);
        var board = await http.CreateBoardAsync();
        var variables = new JsonObject { ["b"] = board.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await http.DataAsync(CreateItem, variables);
        await http.DataAsync(CreateItem, variables);
        http.Time.Advance(TimeSpan.FromSeconds(22));

        var rejected = await http.PostAsync(CreateItem, variables);

        Assert.Equal(429, rejected.StatusCode);
        Assert.Equal(
            $"{{\"errors\":[{{\"message\":\"Complexity budget exhausted\",\"extensions\":{{\"code\":\"COMPLEXITY_BUDGET_EXHAUSTED\",\"retry_in_seconds\":38}}}}],\"extensions\":{{\"request_id\":\"{rejected.Body["extensions"]!["request_id"]}\"}}}}",
            rejected.Text);
        Assert.Null(rejected.Header("Retry-After"));
        Assert.Equal(2, http.Emulator.Items(board).Count);
        Assert.Equal(1, http.Emulator.Stats.Rejections("COMPLEXITY_BUDGET_EXHAUSTED"));

        http.Time.Advance(TimeSpan.FromSeconds(38));
        await http.DataAsync(CreateItem, variables);
        Assert.Equal(3, http.Emulator.Items(board).Count);
    }

    [Fact]
    public async Task Single_query_over_the_cap_is_rejected()
    {
        await using var http = await MondayHttp.StartAsync(o => o.RateLimits.SingleQueryComplexityLimit = 15_000);
        var board = await http.CreateBoardAsync();
        var response = await http.PostAsync($"mutation {{ a: create_item(board_id: {board}, item_name: \"a\") {{ id }} b: create_item(board_id: {board}, item_name: \"b\") {{ id }} }}");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("maxComplexityExceeded", response.ErrorCode);
        Assert.Empty(http.Emulator.Items(board));
    }

    [Fact]
    public async Task Minute_limit_is_429_with_retry_after_and_rate_limit_state()
    {
        await using var http = await MondayHttp.StartAsync(o => o.RateLimits.RequestsPerMinute = 2);
        await http.DataAsync("{ me { id } }");
        http.Time.Advance(TimeSpan.FromSeconds(19));
        await http.DataAsync("{ me { id } }");
        var rejected = await http.PostAsync("{ me { id } }");
        Assert.Equal(429, rejected.StatusCode);
        Assert.Equal("MINUTE_RATE_LIMIT_EXCEEDED", rejected.ErrorCode);
        Assert.Equal("Minute rate limit exceeded", rejected.FirstError["message"]!.GetValue<string>());
        Assert.Equal(41, rejected.FirstError["extensions"]!["retry_in_seconds"]!.GetValue<int>());
        Assert.Equal("41", rejected.Header("Retry-After"));
        Assert.StartsWith("\"minuteRate\";r=0;t=41", rejected.Header("RateLimit"), StringComparison.Ordinal);

        http.Time.Advance(TimeSpan.FromSeconds(41));
        Assert.Equal(200, (await http.PostAsync("{ me { id } }")).StatusCode);
    }

    [Fact]
    public async Task Ip_limit_counts_requests_per_ten_seconds()
    {
        await using var http = await MondayHttp.StartAsync(o => o.RateLimits.IpRequestsPer10Seconds = 1);
        await http.DataAsync("{ me { id } }");
        http.Time.Advance(TimeSpan.FromSeconds(4));
        var rejected = await http.PostAsync("{ me { id } }");
        Assert.Equal(429, rejected.StatusCode);
        Assert.Equal("IP_RATE_LIMIT_EXCEEDED", rejected.ErrorCode);
        Assert.Equal("IP rate limit exceeded", rejected.FirstError["message"]!.GetValue<string>());
        Assert.Equal(6, rejected.FirstError["extensions"]!["retry_in_seconds"]!.GetValue<int>());
        Assert.Equal("6", rejected.Header("Retry-After"));
        http.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(200, (await http.PostAsync("{ me { id } }")).StatusCode);
    }

    [Fact]
    public async Task Rate_limit_status_can_be_switched_to_200()
    {
        await using var http = await MondayHttp.StartAsync(o =>
        {
            o.RateLimits.RequestsPerMinute = 1;
            o.RateLimits.RateLimitHttpStatus = 200;
        });
        await http.DataAsync("{ me { id } }");
        var rejected = await http.PostAsync("{ me { id } }");
        Assert.Equal(200, rejected.StatusCode);
        Assert.Equal("MINUTE_RATE_LIMIT_EXCEEDED", rejected.ErrorCode);
    }

    [Fact]
    public async Task Daily_limit_resets_at_midnight_utc()
    {
        await using var http = await MondayHttp.StartAsync(o => o.RateLimits.DailyCallLimit = 2);
        await http.DataAsync("{ me { id } }");
        await http.DataAsync("{ me { id } }");
        var rejected = await http.PostAsync("{ me { id } }");
        Assert.Equal(429, rejected.StatusCode);
        Assert.Equal("DAILY_LIMIT_EXCEEDED", rejected.ErrorCode);
        Assert.Equal("Daily limit exceeded", rejected.FirstError["message"]!.GetValue<string>());
        // FakeTimeProvider starts at 09:00 UTC: 15 hours to midnight.
        Assert.Equal(15 * 3600, rejected.FirstError["extensions"]!["retry_in_seconds"]!.GetValue<int>());
        Assert.Equal((15 * 3600).ToString(System.Globalization.CultureInfo.InvariantCulture), rejected.Header("Retry-After"));

        http.Time.Advance(TimeSpan.FromHours(15));
        Assert.Equal(200, (await http.PostAsync("{ me { id } }")).StatusCode);
    }

    [Fact]
    public async Task Complexity_only_calls_weigh_a_tenth_on_the_daily_limit()
    {
        await using var http = await MondayHttp.StartAsync(o => o.RateLimits.DailyCallLimit = 1);
        for (var i = 0; i < 5; i++)
        {
            await http.DataAsync("{ complexity { after } }");
        }

        Assert.Equal(200, (await http.PostAsync("{ me { id } }")).StatusCode);
        Assert.Equal("DAILY_LIMIT_EXCEEDED", (await http.PostAsync("{ me { id } }")).ErrorCode);
    }

    [Fact]
    public async Task Concurrency_limit_rejects_requests_beyond_those_in_flight()
    {
        await using var http = await MondayHttp.StartAsync(o => o.RateLimits.MaxConcurrentRequests = 1);
        http.Emulator.Faults.HangNext();
        using var cancel = new CancellationTokenSource();
        var hanging = Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, http.Emulator.ApiUrl) { Content = new StringContent("{\"query\":\"{ me { id } }\"}") };
            request.Headers.TryAddWithoutValidation("Authorization", MondayHttp.Token);
            await Assert.ThrowsAnyAsync<Exception>(() => http.Client.SendAsync(request, cancel.Token));
        });

        await Eventually.TrueAsync(() => http.Emulator.Faults.HangingCount == 1, "the first request hangs in the emulator");
        MondayResponse? rejected = null;
        await Eventually.TrueAsync(async () => (rejected = await http.PostAsync("{ me { id } }")).StatusCode == 429, "a request beyond the concurrency limit is refused");

        Assert.Equal(429, rejected!.StatusCode);
        Assert.Equal("MAX_CONCURRENCY_EXCEEDED", rejected.ErrorCode);
        Assert.Equal("Too many concurrent requests", rejected.FirstError["message"]!.GetValue<string>());
        Assert.Equal(15, rejected.FirstError["extensions"]!["retry_in_seconds"]!.GetValue<int>());
        Assert.Equal("15", rejected.Header("Retry-After"));
        await cancel.CancelAsync();
        await hanging;
    }
}
