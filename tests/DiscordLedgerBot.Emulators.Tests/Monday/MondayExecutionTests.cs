using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class MondayExecutionTests
{
    [Fact]
    public async Task Fragments_directives_aliases_typename_and_variable_defaults_execute()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync("Exec");
        await http.CreateColumnAsync(board, "Status", "status", "status");
        await http.CreateItemAsync(board, "x", new JsonObject { ["status"] = new JsonObject { ["index"] = 2 } });
        var data = await http.DataAsync($$"""
            query Exec($withName: Boolean = true, $skipId: Boolean!, $limit: Int = 5) {
              b: boards(ids: [{{board}}]) {
                __typename
                ...BoardParts
                id @skip(if: $skipId)
                items_page(limit: $limit) { items { column_values { __typename ... on StatusValue { label } ...Text } } }
              }
            }
            fragment BoardParts on Board { title: name @include(if: $withName) }
            fragment Text on ColumnValue { text }
            """, new JsonObject { ["skipId"] = true });
        var boardJson = data["b"]![0]!.AsObject();
        Assert.Equal("Board", boardJson["__typename"]!.GetValue<string>());
        Assert.Equal("Exec", boardJson["title"]!.GetValue<string>());
        Assert.False(boardJson.ContainsKey("id"));
        var value = boardJson["items_page"]!["items"]![0]!["column_values"]![0]!;
        Assert.Equal("StatusValue", value["__typename"]!.GetValue<string>());
        Assert.Equal("Stuck", value["label"]!.GetValue<string>());
        Assert.Equal("Stuck", value["text"]!.GetValue<string>());
        Assert.Equal(["__typename", "title", "items_page"], boardJson.Select(p => p.Key));
    }

    [Fact]
    public async Task Operation_name_selects_among_several_operations()
    {
        await using var http = await MondayHttp.StartAsync();
        var body = new JsonObject { ["query"] = "query A { me { id } } query B { account { id } }", ["operationName"] = "B" }.ToJsonString();
        var response = await http.PostRawAsync(body);
        Assert.NotNull(response.Body["data"]!["account"]);
        Assert.Null(response.Body["data"]!["me"]);
        var ambiguous = await http.PostRawAsync(new JsonObject { ["query"] = "query A { me { id } } query B { account { id } }" }.ToJsonString());
        Assert.Equal("An operation name is required", ambiguous.FirstError["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Errors_on_non_null_fields_propagate_to_the_nearest_nullable_parent()
    {
        await using var http = await MondayHttp.StartAsync();
        var response = await http.PostAsync("{ next_items_page(cursor: \"unknown\") { cursor } me { id } }");
        Assert.Equal(200, response.StatusCode);
        // next_items_page is ItemsResponse! at the root, so the whole data becomes null (GraphQL spec).
        Assert.Null(response.Body["data"]);
        Assert.Equal("InvalidCursorException", response.ErrorCode);
        Assert.Equal(200, response.FirstError["extensions"]!["status_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Unmodelled_nullable_fields_are_null()
    {
        await using var http = await MondayHttp.StartAsync();
        var board = await http.CreateBoardAsync();
        var data = await http.DataAsync($"{{ boards(ids: [{board}]) {{ id board_folder_id }} }}");
        Assert.Null(data["boards"]![0]!["board_folder_id"]);
    }
}
