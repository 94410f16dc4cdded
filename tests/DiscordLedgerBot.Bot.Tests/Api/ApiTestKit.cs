using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Hosting;

namespace DiscordLedgerBot.Bot.Tests.Api;

/// <summary>The composed bot with API tokens of every scope combination the tests need.</summary>
internal static class ApiTestKit
{
    public const string Full = "full-access-token-0123456789";
    public const string ReadOnly = "ledger-read-token-0123456789";
    public const string WriteOnly = "ledger-write-token-0123456789";
    public const string RegistryReader = "registry-read-token-0123456789";
    public const string Scraper = "metrics-scrape-token-0123456789";

    public static Task<ComposedBot> StartAsync(params string[] settings) => ComposedBot.StartAsync(
    [
        "--Api:Tokens:0:Name=ops", $"--Api:Tokens:0:Token={Full}", "--Api:Tokens:0:Scopes=ledger:read ledger:write registry:read registry:admin github:read aws:read",
        "--Api:Tokens:1:Name=reader", $"--Api:Tokens:1:Token={ReadOnly}", "--Api:Tokens:1:Scopes=ledger:read",
        "--Api:Tokens:2:Name=writer", $"--Api:Tokens:2:Token={WriteOnly}", "--Api:Tokens:2:Scopes=ledger:write",
        "--Api:Tokens:3:Name=registry", $"--Api:Tokens:3:Token={RegistryReader}", "--Api:Tokens:3:Scopes=registry:read",
        "--Api:Tokens:4:Name=prometheus", $"--Api:Tokens:4:Token={Scraper}", "--Api:Tokens:4:Scopes=metrics:read",
        .. settings,
    ]);

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonNode> BodyAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, string json, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(json) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await http.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> PatchJsonAsync(this HttpClient http, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = Json(json) };
        return await http.SendAsync(request);
    }

    /// <summary>Creates an entry through the API and waits for monday's confirmation; returns its ledger key.</summary>
    public static async Task<string> CreateConfirmedAsync(HttpClient http, string title, string? idempotencyKey = null)
    {
        using var response = await http.PostJsonAsync("/api/v1/items?wait=30", $$"""{"title":"{{title}}"}""", idempotencyKey);
        var body = await response.BodyAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, body.ToJsonString());
        return body["commands"]![0]!["key"]!.GetValue<string>();
    }

    public static Task<JsonNode?> GetJsonNodeAsync(this HttpClient http, string path) => http.GetFromJsonAsync<JsonNode>(path);
}
