using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Monday;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

/// <summary>A started emulator plus an HttpClient speaking monday's wire format to it.</summary>
internal sealed class MondayHttp : IAsyncDisposable
{
    public const string Token = "test-token-123";

    private MondayHttp(MondayEmulator emulator, FakeTimeProvider time)
    {
        Emulator = emulator;
        Time = time;
        Client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public MondayEmulator Emulator { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public static async Task<MondayHttp> StartAsync(Action<MondayEmulatorOptions>? configure = null)
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var options = new MondayEmulatorOptions { RequiredToken = Token, TimeProvider = time };
        configure?.Invoke(options);
        return new MondayHttp(await MondayEmulator.StartAsync(options), time);
    }

    public async Task<MondayResponse> PostAsync(string query, JsonObject? variables = null, Action<HttpRequestMessage>? configure = null)
    {
        var body = new JsonObject { ["query"] = query };
        if (variables is not null)
        {
            body["variables"] = variables.DeepClone();
        }

        return await PostRawAsync(body.ToJsonString(), configure);
    }

    public async Task<MondayResponse> PostRawAsync(string json, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Emulator.ApiUrl)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", Token);
        request.Headers.TryAddWithoutValidation("API-Version", "2026-10");
        configure?.Invoke(request);
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new MondayResponse((int)response.StatusCode, text, response.Headers);
    }

    /// <summary>Posts and asserts a clean 200 with no errors; returns <c>data</c>.</summary>
    public async Task<JsonObject> DataAsync(string query, JsonObject? variables = null)
    {
        var response = await PostAsync(query, variables);
        Assert.True(response.StatusCode == 200 && response.Body["errors"] is null, $"Expected success, got {response.StatusCode}: {response.Text}");
        return response.Body["data"]!.AsObject();
    }

    public async Task<long> CreateBoardAsync(string name = "Ledger")
    {
        var data = await DataAsync("mutation ($n: String!) { create_board(board_name: $n, board_kind: public) { id } }", new JsonObject { ["n"] = name });
        return long.Parse(data["create_board"]!["id"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<string> CreateColumnAsync(long boardId, string title, string type, string? id = null, string? defaults = null)
    {
        var data = await DataAsync(
            "mutation ($b: ID!, $t: String!, $type: ColumnType!, $id: String, $d: JSON) { create_column(board_id: $b, title: $t, column_type: $type, id: $id, defaults: $d) { id } }",
            new JsonObject { ["b"] = boardId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["t"] = title, ["type"] = type, ["id"] = id, ["d"] = defaults });
        return data["create_column"]!["id"]!.GetValue<string>();
    }

    public async Task<long> CreateItemAsync(long boardId, string name, JsonObject? columnValues = null)
    {
        var data = await DataAsync(
            "mutation ($b: ID!, $n: String!, $v: JSON) { create_item(board_id: $b, item_name: $n, column_values: $v) { id } }",
            new JsonObject { ["b"] = boardId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["n"] = name, ["v"] = columnValues?.ToJsonString() });
        return long.Parse(data["create_item"]!["id"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }
}

internal sealed record MondayResponse(int StatusCode, string Text, HttpResponseHeaders Headers)
{
    public JsonObject Body { get; } = Text.Length > 0 && Text[0] == '{' ? JsonNode.Parse(Text)!.AsObject() : [];

    public JsonObject FirstError => Body["errors"]![0]!.AsObject();

    public string? ErrorCode => Body["errors"]?[0]?["extensions"]?["code"]?.GetValue<string>();

    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
