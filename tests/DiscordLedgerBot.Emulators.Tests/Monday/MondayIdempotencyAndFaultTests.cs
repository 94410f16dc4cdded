using System.Text.Json.Nodes;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class MondayIdempotencyAndFaultTests
{
    private static string CreateItem(long board) => $"mutation {{ create_item(board_id: {board}, item_name: \"Once\") {{ id }} }}";

    private static Action<HttpRequestMessage> Key(string key) => r => r.Headers.TryAddWithoutValidation("Idempotency-Key", key);

    [Fact]
    public async Task Same_key_replays_the_first_response_without_a_second_side_effect()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        var first = await http.PostAsync(CreateItem(board), configure: Key("evt-1-create"));
        var second = await http.PostAsync(CreateItem(board), configure: Key("evt-1-create"));

        Assert.Equal(first.Text, second.Text);
        Assert.Null(first.Header("Idempotency-Replayed"));
        Assert.Equal("true", second.Header("Idempotency-Replayed"));
        Assert.Single(http.Emulator.Items(board));
        Assert.Equal(1, http.Emulator.Stats.IdempotentReplays);
    }

    [Fact]
    public async Task Keys_expire_after_thirty_minutes_and_are_ignored_on_queries()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.PostAsync(CreateItem(board), configure: Key("k"));
        http.Time.Advance(TimeSpan.FromMinutes(30));
        var later = await http.PostAsync(CreateItem(board), configure: Key("k"));
        Assert.Null(later.Header("Idempotency-Replayed"));
        Assert.Equal(2, http.Emulator.Items(board).Count);

        await http.PostAsync("{ me { id } }", configure: Key("q"));
        Assert.Null((await http.PostAsync("{ me { id } }", configure: Key("q"))).Header("Idempotency-Replayed"));
    }

    [Fact]
    public async Task Duplicate_while_first_is_in_flight_is_409_conflict_with_retry_after()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        http.Emulator.Faults.HangNext();
        using var cancel = new CancellationTokenSource();
        var firstTask = http.PostAsync(CreateItem(board), configure: Key("dup")).WaitAsync(cancel.Token);

        await Eventually.TrueAsync(() => http.Emulator.Faults.HangingCount == 1, "the first request hangs in the emulator");
        MondayResponse? conflict = null;
        await Eventually.TrueAsync(async () => (conflict = await http.PostAsync(CreateItem(board), configure: Key("dup"))).StatusCode == 409, "a second request with the same key conflicts");

        Assert.Equal(409, conflict!.StatusCode);
        Assert.Equal("IDEMPOTENCY_CONFLICT", conflict.ErrorCode);
        Assert.Equal("1", conflict.Header("Retry-After"));
        Assert.Empty(http.Emulator.Items(board));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstTask);
    }

    [Fact]
    public async Task Execute_then_drop_runs_the_mutation_and_the_retry_gets_the_replay()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        http.Emulator.Faults.ExecuteThenDropResponseNext();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(CreateItem(board), configure: Key("evt-7")));
        Assert.Single(http.Emulator.Items(board));

        var retry = await http.PostAsync(CreateItem(board), configure: Key("evt-7"));
        Assert.Equal("true", retry.Header("Idempotency-Replayed"));
        Assert.Equal(http.Emulator.Items(board)[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), retry.Body["data"]!["create_item"]!["id"]!.GetValue<string>());
        Assert.Single(http.Emulator.Items(board));
    }

    [Fact]
    public async Task Drop_connection_does_nothing()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        http.Emulator.Faults.DropConnectionNext();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(CreateItem(board)));
        Assert.Empty(http.Emulator.Items(board));
    }

    [Theory]
    [InlineData(500, "INTERNAL_SERVER_ERROR")]
    [InlineData(503, "TIMEOUT_EXCEEDED")]
    public async Task Server_error_faults_use_monday_shapes(int status, string code)
    {
        await using var http = await MondayHttp.StartAsync();
        http.Emulator.Faults.FailNext(2, status);
        Assert.Equal(code, (await http.PostAsync("{ me { id } }")).ErrorCode);
        Assert.Equal(status, (await http.PostAsync("{ me { id } }")).StatusCode);
        Assert.Equal(200, (await http.PostAsync("{ me { id } }")).StatusCode);
    }

    [Fact]
    public async Task Bad_gateway_is_an_html_page()
    {
        await using var http = await MondayHttp.StartAsync();
        http.Emulator.Faults.FailNext(1, 502);
        var response = await http.PostAsync("{ me { id } }");
        Assert.Equal(502, response.StatusCode);
        Assert.StartsWith("<html>", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Random_failure_ratio_is_reproducible_for_a_seed()
    {
        async Task<string> RunAsync()
        {
            await using var http = await MondayHttp.StartAsync();
            http.Emulator.Faults.SetRandomFailureRatio(0.3, seed: 42);
            var pattern = new System.Text.StringBuilder();
            for (var i = 0; i < 20; i++)
            {
                pattern.Append((await http.PostAsync("{ me { id } }")).StatusCode == 500 ? 'x' : '.');
            }

            return pattern.ToString();
        }

        var first = await RunAsync();
        Assert.Equal(first, await RunAsync());
        Assert.Contains('x', first);
        Assert.Contains('.', first);
    }

    [Fact]
    public async Task Hang_is_released_when_the_client_gives_up()
    {
        await using var http = await MondayHttp.StartAsync();
        http.Emulator.Faults.HangNext();
        using var shortClient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        using var request = new HttpRequestMessage(HttpMethod.Post, http.Emulator.ApiUrl) { Content = new StringContent(new JsonObject { ["query"] = "{ me { id } }" }.ToJsonString()) };
        request.Headers.TryAddWithoutValidation("Authorization", MondayHttp.Token);
        await Assert.ThrowsAsync<TaskCanceledException>(() => shortClient.SendAsync(request));
        Assert.Equal(200, (await http.PostAsync("{ me { id } }")).StatusCode);
    }
}
