using System.Globalization;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class MondayColumnTests
{
    [Theory]
    [InlineData("Bad-Id")]
    [InlineData("this_id_is_longer_than_20")]
    public async Task Column_ids_must_be_short_lowercase(string id)
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        var response = await http.PostAsync($"mutation {{ create_column(board_id: {board}, title: \"T\", column_type: text, id: \"{id}\") {{ id }} }}");
        Assert.Equal("InvalidArgumentException", response.ErrorCode);
        Assert.Equal(["name"], http.Emulator.Boards().Single(b => b.Id == board).Columns.Select(c => c.Id));
    }

    [Fact]
    public async Task Generated_column_ids_and_default_status_labels()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        var id = await http.CreateColumnAsync(board, "State", "status");
        Assert.StartsWith("color_", id, StringComparison.Ordinal);
        var data = await http.DataAsync($"{{ boards(ids: [{board}]) {{ columns(types: [status]) {{ id title type settings }} }} }}");
        var labels = data["boards"]![0]!["columns"]![0]!["settings"]!["labels"]!.AsArray();
        Assert.Equal(["0:Working on it", "1:Done", "2:Stuck", "5:"], labels.Select(l => $"{l!["index"]}:{l["label"]}"));
    }

    [Fact]
    public async Task Dropdown_tags_people_and_email_values()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.CreateColumnAsync(board, "Area", "dropdown", "area", "{\"labels\":[\"Ops\"]}");
        await http.CreateColumnAsync(board, "Tags", "tags", "tags");
        await http.CreateColumnAsync(board, "People", "people", "people");
        await http.CreateColumnAsync(board, "Mail", "email", "mail");
        var tag = (await http.DataAsync("mutation { create_or_get_tag(tag_name: \"urgent\") { id } }"))["create_or_get_tag"]!["id"]!.GetValue<string>();

        var unknownLabel = await http.PostAsync(
            "mutation ($b: ID!, $v: JSON) { create_item(board_id: $b, item_name: \"x\", column_values: $v) { id } }",
            new JsonObject { ["b"] = board.ToString(CultureInfo.InvariantCulture), ["v"] = "{\"area\":{\"labels\":[\"Legal\"]}}" });
        Assert.Equal("ColumnValueException", unknownLabel.ErrorCode);

        var item = await http.CreateItemAsync(board, "x", new JsonObject
        {
            ["tags"] = new JsonObject { ["tag_ids"] = new JsonArray(long.Parse(tag, CultureInfo.InvariantCulture)) },
            ["people"] = "1002, 1003",
            ["mail"] = "ops@example.org Ops",
        });
        var data = await http.DataAsync($$"""
            { items(ids: [{{item}}]) { column_values(ids: ["tags", "people", "mail"]) { id text
              ... on TagsValue { tags { name } } ... on EmailValue { email label } } } }
            """);
        var values = data["items"]![0]!["column_values"]!.AsArray().ToDictionary(v => v!["id"]!.GetValue<string>(), v => v!);
        Assert.Equal("urgent", values["tags"]["tags"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("Ada Lovelace, Grace Hopper", values["people"]["text"]!.GetValue<string>());
        Assert.Equal("ops@example.org", values["mail"]["email"]!.GetValue<string>());
        Assert.Equal("Ops", values["mail"]["label"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"due\":{\"date\":\"03/11/2026\"}}")]
    [InlineData("{\"due\":{\"date\":20261103}}")]
    [InlineData("{\"nope\":\"x\"}")]
    [InlineData("not json")]
    public async Task Bad_column_values_fail_with_monday_codes_and_change_nothing(string columnValues)
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.CreateColumnAsync(board, "Due", "date", "due");
        var response = await http.PostAsync(
            "mutation ($b: ID!, $v: JSON) { create_item(board_id: $b, item_name: \"x\", column_values: $v) { id } }",
            new JsonObject { ["b"] = board.ToString(CultureInfo.InvariantCulture), ["v"] = columnValues });
        Assert.Equal(200, response.StatusCode);
        Assert.Contains(response.ErrorCode, new[] { "ColumnValueException", "InvalidColumnIdException" });
        Assert.Empty(http.Emulator.Items(board));
    }

    [Fact]
    public async Task Values_record_changed_at_from_the_time_provider()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.CreateColumnAsync(board, "Notes", "long_text", "notes");
        await http.CreateItemAsync(board, "x", new JsonObject { ["notes"] = new JsonObject { ["text"] = "hi" } });
        var stored = JsonNode.Parse(http.Emulator.Items(board)[0].ColumnValues["notes"])!;
        Assert.Equal("2026-11-21T09:00:00.000Z", stored["changed_at"]!.GetValue<string>());
    }
}
