using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class MondayProtocolTests
{
    [Fact]
    public async Task Responses_carry_request_id_api_version_and_rate_limit_headers()
    {
        await using var http = await MondayHttp.StartAsync();
        var response = await http.PostAsync("{ me { id name } }");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("1001", response.Body["data"]!["me"]!["id"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(response.Body["extensions"]!["request_id"]!.GetValue<string>()));
        Assert.Equal("2026-10", response.Header("API-Version"));
        Assert.Equal(
            "\"minuteRate\";q=5000;w=60, \"concurrency\";q=250;qu=\"concurrent-requests\", \"complexityMinute\";q=10000000;w=60;qu=\"content-bytes\"",
            response.Header("RateLimit-Policy"));
        Assert.StartsWith("\"minuteRate\";r=4999, \"concurrency\";r=249, \"complexityMinute\";r=", response.Header("RateLimit"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "2026-10")]
    [InlineData("2026-07", "2026-07")]
    [InlineData("2027-01", "2027-01")]
    [InlineData("2030-04", "2026-10")]
    [InlineData("2024-10", "2026-07")]
    public async Task Api_version_header_is_routed_and_echoed(string? requested, string served)
    {
        await using var http = await MondayHttp.StartAsync();
        var response = await http.PostAsync("{ version { kind value display_name } }", configure: r =>
        {
            r.Headers.Remove("API-Version");
            if (requested is not null)
            {
                r.Headers.TryAddWithoutValidation("API-Version", requested);
            }
        });
        Assert.Equal(served, response.Header("API-Version"));
        Assert.Equal(served, response.Body["data"]!["version"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Malformed_api_version_is_InvalidVersionException_with_200()
    {
        await using var http = await MondayHttp.StartAsync();
        var response = await http.PostAsync("{ me { id } }", configure: r =>
        {
            r.Headers.Remove("API-Version");
            r.Headers.TryAddWithoutValidation("API-Version", "2023");
        });
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("InvalidVersionException", response.ErrorCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    [InlineData("Bearer wrong-token")]
    public async Task Missing_or_wrong_token_is_401(string? authorization)
    {
        await using var http = await MondayHttp.StartAsync();
        var response = await http.PostAsync("{ me { id } }", configure: r =>
        {
            r.Headers.Remove("Authorization");
            if (authorization is not null)
            {
                r.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
        });
        Assert.Equal(401, response.StatusCode);
        Assert.Equal("Unauthorized", response.ErrorCode);
        Assert.Equal(1, http.Emulator.Stats.Unauthorized);
    }

    [Fact]
    public async Task Bearer_scheme_is_accepted()
    {
        await using var http = await MondayHttp.StartAsync();
        var response = await http.PostAsync("{ me { id } }", configure: r =>
        {
            r.Headers.Remove("Authorization");
            r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + MondayHttp.Token);
        });
        Assert.Equal(200, response.StatusCode);
    }

    [Theory]
    [InlineData("{not json", "JsonParseException")]
    [InlineData("[1,2]", "JsonParseException")]
    [InlineData("{\"variables\":{}}", "BadRequest")]
    [InlineData("{\"query\":\"query ($n: Int) { boards(limit: $n) { id } }\",\"variables\":\"{\\\"n\\\":1}\"}", "InvalidVariablesException")]
    public async Task Bad_bodies_are_400(string body, string code)
    {
        await using var http = await MondayHttp.StartAsync();
        var response = await http.PostRawAsync(body);
        Assert.Equal(400, response.StatusCode);
        Assert.Equal(code, response.ErrorCode);
    }

    [Fact]
    public async Task Parse_and_validation_errors_are_200_without_data()
    {
        await using var http = await MondayHttp.StartAsync();
        var parse = await http.PostAsync("{ boards { id }");
        Assert.Equal(200, parse.StatusCode);
        Assert.Equal("Unexpected end of document", parse.FirstError["message"]!.GetValue<string>());
        var invalid = await http.PostAsync("{ boards { nope } }");
        Assert.Equal(200, invalid.StatusCode);
        Assert.Null(invalid.Body["data"]);
        Assert.Equal("undefinedField", invalid.ErrorCode);
        Assert.Equal(1, invalid.FirstError["locations"]![0]!["line"]!.GetValue<int>());
        Assert.Equal(12, invalid.FirstError["locations"]![0]!["column"]!.GetValue<int>());
    }

    [Fact]
    public async Task Complexity_version_and_versions_are_served()
    {
        await using var http = await MondayHttp.StartAsync();
        var data = await http.DataAsync("mutation { complexity { before after query reset_in_x_seconds } create_board(board_name: \"B\", board_kind: public) { id } }");
        Assert.Equal(10_000_000, data["complexity"]!["before"]!.GetValue<int>());
        Assert.Equal(10_000, data["complexity"]!["query"]!.GetValue<int>());
        Assert.Equal(9_990_000, data["complexity"]!["after"]!.GetValue<int>());
        Assert.Equal(60, data["complexity"]!["reset_in_x_seconds"]!.GetValue<int>());
        var versions = await http.DataAsync("{ versions { kind value } }");
        Assert.Contains(versions["versions"]!.AsArray(), v => v!["kind"]!.GetValue<string>() == "current" && v["value"]!.GetValue<string>() == "2026-10");
    }

    [Fact]
    public async Task Control_api_reports_stats_and_state_and_accepts_faults()
    {
        await using var http = await MondayHttp.StartAsync();
        await http.CreateBoardAsync("Visible");
        var state = await http.Client.GetStringAsync(new Uri(http.Emulator.BaseUrl, "/__emulator/state"));
        Assert.Contains("Visible", state, StringComparison.Ordinal);
        using var fault = await http.Client.PostAsync(new Uri(http.Emulator.BaseUrl, "/__emulator/faults"), new StringContent("{\"kind\":\"server_error\",\"status\":503}"));
        Assert.Equal(204, (int)fault.StatusCode);
        Assert.Equal(503, (await http.PostAsync("{ me { id } }")).StatusCode);
        var stats = JsonNode.Parse(await http.Client.GetStringAsync(new Uri(http.Emulator.BaseUrl, "/__emulator/stats")))!;
        Assert.Equal(2, stats["total_requests"]!.GetValue<long>());
        Assert.Equal(1, stats["faults_injected"]!.GetValue<long>());
    }
}
