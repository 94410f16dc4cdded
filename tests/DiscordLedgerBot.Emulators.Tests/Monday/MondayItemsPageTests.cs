using System.Globalization;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class MondayItemsPageTests
{
    private static async Task<(MondayHttp Http, long Board)> SeedAsync(int count)
    {
        var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.CreateColumnAsync(board, "Status", "status", "status");
        await http.CreateColumnAsync(board, "Owner", "people", "owner");
        await http.CreateColumnAsync(board, "Due", "date", "due");
        await http.CreateColumnAsync(board, "External id", "text", "external_id");
        for (var i = 0; i < count; i++)
        {
            await http.CreateItemAsync(board, $"item {i}", new JsonObject
            {
                ["status"] = new JsonObject { ["index"] = i % 3 },
                ["owner"] = i % 2 == 0 ? "1002" : "1003",
                ["due"] = new JsonObject { ["date"] = $"2026-11-{i + 1:00}" },
                ["external_id"] = $"wf-{i}",
            });
        }

        return (http, board);
    }

    [Fact]
    public async Task Pages_follow_cursors_until_null()
    {
        var (http, board) = await SeedAsync(7);
        await using var _ = http;
        var first = await http.DataAsync($"{{ boards(ids: [{board}]) {{ items_page(limit: 3) {{ cursor items {{ name }} }} }} }}");
        var page = first["boards"]![0]!["items_page"]!;
        var names = page["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ToList();
        var cursor = page["cursor"]?.GetValue<string>();
        while (cursor is not null)
        {
            var next = await http.DataAsync("query ($c: String!) { next_items_page(cursor: $c, limit: 3) { cursor items { name } } }", new JsonObject { ["c"] = cursor });
            names.AddRange(next["next_items_page"]!["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()));
            cursor = next["next_items_page"]!["cursor"]?.GetValue<string>();
        }

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"item {i}"), names);
    }

    [Fact]
    public async Task Cursor_expires_sixty_minutes_after_the_first_request()
    {
        var (http, board) = await SeedAsync(4);
        await using var _ = http;
        var first = await http.DataAsync($"{{ boards(ids: [{board}]) {{ items_page(limit: 1) {{ cursor }} }} }}");
        var cursor = first["boards"]![0]!["items_page"]!["cursor"]!.GetValue<string>();
        http.Time.Advance(TimeSpan.FromMinutes(59));
        var second = await http.DataAsync("query ($c: String!) { next_items_page(cursor: $c, limit: 1) { cursor } }", new JsonObject { ["c"] = cursor });
        var cursor2 = second["next_items_page"]!["cursor"]!.GetValue<string>();
        http.Time.Advance(TimeSpan.FromMinutes(1));

        var expired = await http.PostAsync("query ($c: String!) { next_items_page(cursor: $c, limit: 1) { cursor } }", new JsonObject { ["c"] = cursor2 });
        Assert.Equal(200, expired.StatusCode);
        Assert.Equal("CursorExpiredError", expired.ErrorCode);
        Assert.Equal("next_items_page", expired.FirstError["path"]![0]!.GetValue<string>());
        Assert.Null(expired.Body["data"]);
    }

    [Theory]
    [InlineData("{rules: [{column_id: \"status\", compare_value: [1], operator: any_of}]}", new[] { 1, 4 })]
    [InlineData("{rules: [{column_id: \"status\", compare_value: [1, 2]}], operator: and, order_by: [{column_id: \"__creation_log__\", direction: desc}]}", new[] { 5, 4, 2, 1 })]
    [InlineData("{rules: [{column_id: \"owner\", compare_value: [\"person-1003\"]}]}", new[] { 1, 3, 5 })]
    [InlineData("{rules: [{column_id: \"due\", compare_value: [\"EXACT\", \"2026-11-04\"], operator: greater_than}]}", new[] { 4, 5 })]
    [InlineData("{rules: [{column_id: \"due\", compare_value: [\"2026-11-02\"], operator: lower_than}]}", new[] { 0 })]
    [InlineData("{rules: [{column_id: \"name\", compare_value: [\"item 3\"], operator: contains_text}]}", new[] { 3 })]
    [InlineData("{rules: [{column_id: \"external_id\", compare_value: [\"wf-2\", \"wf-5\"]}, {column_id: \"status\", compare_value: [0]}], operator: or}", new[] { 0, 2, 3, 5 })]
    [InlineData("{groups: [{rules: [{column_id: \"status\", compare_value: [0]}]}], rules: [{column_id: \"owner\", compare_value: [\"person-1002\"]}]}", new[] { 0 })]
    public async Task Query_params_filter_and_order(string queryParams, int[] expected)
    {
        var (http, board) = await SeedAsync(6);
        await using var _ = http;
        var data = await http.DataAsync($"{{ boards(ids: [{board}]) {{ items_page(limit: 100, query_params: {queryParams}) {{ items {{ name }} }} }} }}");
        var names = data["boards"]![0]!["items_page"]!["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>());
        Assert.Equal(expected.Select(i => $"item {i}"), names);
    }

    [Fact]
    public async Task Empty_status_matches_blank_index_five_and_is_empty()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.CreateColumnAsync(board, "Status", "status", "status");
        await http.CreateItemAsync(board, "blank");
        await http.CreateItemAsync(board, "set", new JsonObject { ["status"] = new JsonObject { ["index"] = 0 } });
        var data = await http.DataAsync($$"""
            { boards(ids: [{{board}}]) {
                a: items_page(query_params: {rules: [{column_id: "status", compare_value: [5]}]}) { items { name } }
                b: items_page(query_params: {rules: [{column_id: "status", compare_value: [], operator: is_empty}]}) { items { name } } } }
            """);
        Assert.Equal("blank", data["boards"]![0]!["a"]!["items"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("blank", Assert.Single(data["boards"]![0]!["b"]!["items"]!.AsArray())!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Limit_above_500_is_rejected()
    {
        var (http, board) = await SeedAsync(1);
        await using var _ = http;
        var response = await http.PostAsync($"{{ boards(ids: [{board}]) {{ items_page(limit: 501) {{ cursor }} }} }}");
        Assert.Equal("InvalidArgumentException", response.ErrorCode);
    }

    [Fact]
    public async Task Items_page_by_column_values_finds_by_external_id()
    {
        var (http, board) = await SeedAsync(4);
        await using var _ = http;
        var data = await http.DataAsync(
            "query ($b: ID!) { items_page_by_column_values(board_id: $b, columns: [{column_id: \"external_id\", column_values: [\"wf-2\"]}]) { cursor items { name } } }",
            new JsonObject { ["b"] = board.ToString(CultureInfo.InvariantCulture) });
        Assert.Equal("item 2", Assert.Single(data["items_page_by_column_values"]!["items"]!.AsArray())!["name"]!.GetValue<string>());
        Assert.Null(data["items_page_by_column_values"]!["cursor"]);
    }
}
