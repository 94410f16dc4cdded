using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace DiscordLedgerBot.Bot.Tests.Api;

/// <summary>The served OpenAPI document is valid, matches the mapped routes and is the one checked in (docs/api/openapi-v1.json).</summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task The_served_document_validates_matches_the_routes_and_equals_the_checked_in_copy()
    {
        await using var bot = await ApiTestKit.StartAsync();
        using var http = bot.Http();
        var served = await http.GetStringAsync(new Uri("/api/v1/openapi.json", UriKind.Relative));

        var read = OpenApiDocument.Parse(served, OpenApiConstants.Json);
        Assert.Empty(read.Diagnostic!.Errors);
        var documented = read.Document!.Paths
            .SelectMany(path => path.Value.Operations!.Keys.Select(method => $"{method.Method.ToUpperInvariant()} {path.Key}"))
            .ToHashSet(StringComparer.Ordinal);
        var mapped = bot.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true && !e.RoutePattern.RawText.Contains("openapi", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(mapped.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));

        var checkedIn = CheckedInPath();
        var pretty = JsonNode.Parse(served)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable("DLB_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(checkedIn, pretty);
        }

        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(checkedIn)), JsonNode.Parse(served)),
            $"The served OpenAPI document differs from {checkedIn}; regenerate it with DLB_UPDATE_OPENAPI=1 and review the diff.");
    }

    private static string CheckedInPath([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "docs", "api", "openapi-v1.json"));
}
