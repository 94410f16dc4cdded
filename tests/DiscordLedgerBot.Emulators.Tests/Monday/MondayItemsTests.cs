using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class MondayItemsTests
{
    [Fact]
    public async Task Create_board_columns_and_item_then_read_typed_column_values()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.CreateColumnAsync(board, "Status", "status", "status");
        await http.CreateColumnAsync(board, "Owner", "people", "owner");
        await http.CreateColumnAsync(board, "Due", "date", "due");
        await http.CreateColumnAsync(board, "Notes", "text", "notes");
        var item = await http.CreateItemAsync(board, "First", new JsonObject
        {
            ["status"] = new JsonObject { ["label"] = "Done" },
            ["owner"] = new JsonObject { ["personsAndTeams"] = new JsonArray(new JsonObject { ["id"] = 1002, ["kind"] = "person" }) },
            ["due"] = new JsonObject { ["date"] = "2026-11-03", ["time"] = "16:30:00" },
            ["notes"] = "hello",
        });

        var data = await http.DataAsync("""
            query ($ids: [ID!]) {
              items(ids: $ids) {
                id name
                column_values(ids: ["status", "owner", "due", "notes"]) {
                  id type text value
                  ... on StatusValue { index label is_done }
                  ... on PeopleValue { persons_and_teams { id kind } }
                  ... on DateValue { date time }
                  ... on TextValue { text }
                }
              }
            }
            """, new JsonObject { ["ids"] = new JsonArray(item.ToString(System.Globalization.CultureInfo.InvariantCulture)) });

        var values = data["items"]![0]!["column_values"]!.AsArray();
        var status = values.Single(v => v!["id"]!.GetValue<string>() == "status")!;
        Assert.Equal(1, status["index"]!.GetValue<int>());
        Assert.Equal("Done", status["label"]!.GetValue<string>());
        Assert.True(status["is_done"]!.GetValue<bool>());
        Assert.Contains("changed_at", status["value"]!.GetValue<string>(), StringComparison.Ordinal);
        var owner = values.Single(v => v!["id"]!.GetValue<string>() == "owner")!;
        Assert.Equal("1002", owner["persons_and_teams"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("Ada Lovelace", owner["text"]!.GetValue<string>());
        var due = values.Single(v => v!["id"]!.GetValue<string>() == "due")!;
        Assert.Equal("2026-11-03", due["date"]!.GetValue<string>());
        Assert.Equal("16:30:00", due["time"]!.GetValue<string>());
        Assert.Equal("hello", values.Single(v => v!["id"]!.GetValue<string>() == "notes")!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_status_label_lists_valid_labels_unless_create_labels_if_missing()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.CreateColumnAsync(board, "Status", "status", "status", "{\"labels\":{\"0\":\"Open\",\"1\":\"Done\",\"3\":\"Blocked\"}}");
        var bad = await http.PostAsync($"mutation {{ create_item(board_id: {board}, item_name: \"x\", column_values: \"{{\\\"status\\\":{{\\\"label\\\":\\\"Nope\\\"}}}}\") {{ id }} }}");
        Assert.Equal(200, bad.StatusCode);
        Assert.Equal("ColumnValueException", bad.ErrorCode);
        Assert.Equal("This status label doesn't exist, possible statuses are: {0: Open, 1: Done, 3: Blocked, 5: }", bad.FirstError["message"]!.GetValue<string>());
        Assert.Equal("create_item", bad.FirstError["path"]![0]!.GetValue<string>());
        Assert.Null(bad.Body["data"]!["create_item"]);
        Assert.Empty(http.Emulator.Items(board));

        var created = await http.DataAsync(
            "mutation ($b: ID!, $v: JSON) { create_item(board_id: $b, item_name: \"x\", column_values: $v, create_labels_if_missing: true) { column_values(ids: [\"status\"]) { ... on StatusValue { index label } } } }",
            new JsonObject { ["b"] = board.ToString(System.Globalization.CultureInfo.InvariantCulture), ["v"] = "{\"status\":{\"label\":\"Nope\"}}" });
        Assert.Equal("Nope", created["create_item"]!["column_values"]![0]!["label"]!.GetValue<string>());
        Assert.Equal(2, created["create_item"]!["column_values"]![0]!["index"]!.GetValue<int>());
        var settings = await http.DataAsync($"{{ boards(ids: [{board}]) {{ columns(ids: [\"status\"]) {{ settings }} }} }}");
        Assert.Contains(settings["boards"]![0]!["columns"]![0]!["settings"]!["labels"]!.AsArray(), l => l!["label"]!.GetValue<string>() == "Blocked" && l["index"]!.GetValue<int>() == 3);
    }

    [Fact]
    public async Task Aliased_mutations_run_in_order_and_a_failing_alias_is_null_with_path()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        var longName = new string('n', 256);
        var response = await http.PostAsync($$"""
            mutation {
              a: create_item(board_id: {{board}}, item_name: "first") { id name }
              b: create_item(board_id: {{board}}, item_name: "{{longName}}") { id }
              c: create_item(board_id: {{board}}, item_name: "third") { id name }
            }
            """);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("first", response.Body["data"]!["a"]!["name"]!.GetValue<string>());
        Assert.Null(response.Body["data"]!["b"]);
        Assert.Equal("third", response.Body["data"]!["c"]!["name"]!.GetValue<string>());
        var error = Assert.Single(response.Body["errors"]!.AsArray())!;
        Assert.Equal("ItemNameTooLongException", error["extensions"]!["code"]!.GetValue<string>());
        Assert.Equal("b", error["path"]![0]!.GetValue<string>());
        Assert.Equal(3, error["locations"]![0]!["line"]!.GetValue<int>());
        Assert.Equal(["first", "third"], http.Emulator.Items(board).Select(i => i.Name));
        Assert.Equal(2, http.Emulator.Stats.MutationsExecuted); // create_board + the aliased batch
        Assert.Equal(2, http.Emulator.Stats.ItemsCreated);
    }

    [Fact]
    public async Task Change_mutations_update_values_and_clear_them()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.CreateColumnAsync(board, "Status", "status", "status");
        await http.CreateColumnAsync(board, "Notes", "long_text", "notes");
        await http.CreateColumnAsync(board, "Amount", "numbers", "amount");
        await http.CreateColumnAsync(board, "Link", "link", "link");
        await http.CreateColumnAsync(board, "Done", "checkbox", "done");
        await http.CreateColumnAsync(board, "Span", "timeline", "span");
        await http.CreateColumnAsync(board, "Area", "dropdown", "area", "{\"labels\":[\"Ops\",\"Legal\"]}");
        var item = await http.CreateItemAsync(board, "Item");
        var b = board.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var i = item.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await http.DataAsync(
            "mutation ($b: ID!, $i: ID, $v: JSON!) { change_multiple_column_values(board_id: $b, item_id: $i, column_values: $v) { id } }",
            new JsonObject
            {
                ["b"] = b,
                ["i"] = i,
                ["v"] = new JsonObject
                {
                    ["name"] = "Renamed",
                    ["notes"] = new JsonObject { ["text"] = "multi\nline" },
                    ["amount"] = "42.5",
                    ["link"] = new JsonObject { ["url"] = "https://example.org/x", ["text"] = "Runbook" },
                    ["done"] = new JsonObject { ["checked"] = "true" },
                    ["span"] = new JsonObject { ["from"] = "2026-11-01", ["to"] = "2026-11-14" },
                    ["area"] = new JsonObject { ["labels"] = new JsonArray("Legal") },
                }.ToJsonString(),
            });
        await http.DataAsync("mutation ($b: ID!, $i: ID) { change_column_value(board_id: $b, item_id: $i, column_id: \"status\", value: \"{\\\"index\\\":2}\") { id } }", new JsonObject { ["b"] = b, ["i"] = i });
        await http.DataAsync("mutation ($b: ID!, $i: ID) { change_simple_column_value(board_id: $b, item_id: $i, column_id: \"status\", value: \"Done\") { id } }", new JsonObject { ["b"] = b, ["i"] = i });

        var data = await http.DataAsync($$"""
            { items(ids: [{{item}}]) { name column_values { id text
              ... on StatusValue { index } ... on NumbersValue { number } ... on LinkValue { url url_text } ... on CheckboxValue { checked }
              ... on TimelineValue { from to } ... on DropdownValue { values { id label } } ... on LongTextValue { text } } } }
            """);
        var values = data["items"]![0]!["column_values"]!.AsArray().ToDictionary(v => v!["id"]!.GetValue<string>(), v => v!);
        Assert.Equal("Renamed", data["items"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(1, values["status"]["index"]!.GetValue<int>());
        Assert.Equal("multi\nline", values["notes"]["text"]!.GetValue<string>());
        Assert.Equal(42.5, values["amount"]["number"]!.GetValue<double>());
        Assert.Equal("Runbook", values["link"]["url_text"]!.GetValue<string>());
        Assert.True(values["done"]["checked"]!.GetValue<bool>());
        Assert.Equal("2026-11-14", values["span"]["to"]!.GetValue<string>());
        Assert.Equal("Legal", values["area"]["values"]![0]!["label"]!.GetValue<string>());

        await http.DataAsync("mutation ($b: ID!, $i: ID) { change_simple_column_value(board_id: $b, item_id: $i, column_id: \"amount\", value: null) { id } }", new JsonObject { ["b"] = b, ["i"] = i });
        Assert.False(http.Emulator.Items(board)[0].ColumnValues.ContainsKey("amount"));
    }

    [Fact]
    public async Task Archive_delete_move_groups_subitems_and_updates()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        var group = (await http.DataAsync($"mutation {{ create_group(board_id: {board}, group_name: \"Escalated\") {{ id title }} }}"))["create_group"]!["id"]!.GetValue<string>();
        var first = await http.CreateItemAsync(board, "one");
        var second = await http.CreateItemAsync(board, "two");
        await http.DataAsync($"mutation {{ move_item_to_group(item_id: {first}, group_id: \"{group}\") {{ id }} }}");
        await http.DataAsync($"mutation {{ archive_item(item_id: {second}) {{ id state }} }}");
        var sub = (await http.DataAsync($"mutation {{ create_subitem(parent_item_id: {first}, item_name: \"child\") {{ id board {{ id }} parent_item {{ id }} }} }}"))["create_subitem"]!;
        Assert.Equal(first.ToString(System.Globalization.CultureInfo.InvariantCulture), sub["parent_item"]!["id"]!.GetValue<string>());
        Assert.NotEqual(board.ToString(System.Globalization.CultureInfo.InvariantCulture), sub["board"]!["id"]!.GetValue<string>());
        var update = (await http.DataAsync($"mutation {{ create_update(item_id: {first}, body: \"<p>Hi</p>\") {{ id text_body }} }}"))["create_update"]!;
        Assert.Equal("Hi", update["text_body"]!.GetValue<string>());

        var data = await http.DataAsync($$"""
            { boards(ids: [{{board}}]) { groups { id title } items_count
                g: groups(ids: ["{{group}}"]) { items_page { items { id name group { id } subitems { name } updates { body creator { name } } } } } } }
            """);
        var boardJson = data["boards"]![0]!;
        Assert.Equal(1, boardJson["items_count"]!.GetValue<int>());
        Assert.Equal(2, boardJson["groups"]!.AsArray().Count);
        var item = boardJson["g"]![0]!["items_page"]!["items"]![0]!;
        Assert.Equal("one", item["name"]!.GetValue<string>());
        Assert.Equal("child", item["subitems"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("Emulator Admin", item["updates"]![0]!["creator"]!["name"]!.GetValue<string>());

        await http.DataAsync($"mutation {{ delete_item(item_id: {first}) {{ id }} }}");
        var gone = await http.PostAsync($"{{ items(ids: [{first}]) {{ id }} }}");
        Assert.Empty(gone.Body["data"]!["items"]!.AsArray());
        Assert.Equal("deleted", http.Emulator.Items(board).Single(i => i.Id == first).State);
    }

    [Fact]
    public async Task Users_me_account_and_workspaces()
    {
        await using var http = await MondayHttp.StartAsync();
        var data = await http.DataAsync("{ me { id name } users(limit: 2) { id name email } account { id name } workspaces { id name } }");
        Assert.Equal("Emulator Admin", data["me"]!["name"]!.GetValue<string>());
        Assert.Equal(2, data["users"]!.AsArray().Count);
        Assert.Equal("Main workspace", data["workspaces"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Int_variables_and_literals_both_drive_limits()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        await http.CreateItemAsync(board, "a");
        await http.CreateItemAsync(board, "b");
        var data = await http.DataAsync(
            "query ($n: Int!, $b: [ID!]) { boards(ids: $b, limit: $n) { items_page(limit: $n) { cursor items { name } } } users(limit: $n) { id } }",
            new JsonObject { ["n"] = 1, ["b"] = new JsonArray(board.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
        Assert.Single(data["boards"]![0]!["items_page"]!["items"]!.AsArray());
        Assert.NotNull(data["boards"]![0]!["items_page"]!["cursor"]);
        Assert.Single(data["users"]!.AsArray());
    }

    [Fact]
    public async Task Too_many_item_ids_is_an_error()
    {
        await using var http = await MondayHttp.StartAsync();
        var ids = new JsonArray(Enumerable.Range(1, 101).Select(n => (JsonNode)n.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        var response = await http.PostAsync("query ($ids: [ID!]) { items(ids: $ids) { id } }", new JsonObject { ["ids"] = ids });
        Assert.Equal("InvalidArgumentException", response.ErrorCode);
    }

    [Fact]
    public async Task State_file_round_trips_across_restarts()
    {
        var file = Path.Combine(Path.GetTempPath(), $"monday-emulator-{Guid.NewGuid():N}.json");
        try
        {
            long board;
            await using (var http = await MondayHttp.StartAsync(o => o.StateFile = file))
            {
                board = await http.CreateBoardAsync("Persisted");
                await http.CreateColumnAsync(board, "Status", "status", "status");
                await http.CreateItemAsync(board, "kept", new JsonObject { ["status"] = new JsonObject { ["index"] = 1 } });
            }

            Assert.True(File.Exists(file));
            await using (var http = await MondayHttp.StartAsync(o => o.StateFile = file))
            {
                var data = await http.DataAsync($"{{ boards(ids: [{board}]) {{ name items_page {{ items {{ name column_values(ids: [\"status\"]) {{ text }} }} }} }} }}");
                Assert.Equal("Persisted", data["boards"]![0]!["name"]!.GetValue<string>());
                Assert.Equal("Done", data["boards"]![0]!["items_page"]!["items"]![0]!["column_values"]![0]!["text"]!.GetValue<string>());
                var next = await http.CreateItemAsync(board, "new");
                Assert.True(next > http.Emulator.Items(board)[0].Id);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }
}
