using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Registry.Tests;

public sealed class CatalogValidationTests
{
    [Fact]
    public async Task The_shipped_catalog_and_onboarding_template_are_valid()
    {
        var catalog = await RegistryCatalogParser.LoadFileAsync(SharedContracts.Asset("registry", "tools.json"), CancellationToken.None);
        Assert.Equal(["cursor", "zed-mcp", "local-workspace", "legacy-runner"], catalog.Tools.Select(t => t.Id));
        Assert.Equal(
            [HealthCheckKind.Http, HealthCheckKind.Tcp, HealthCheckKind.Command, HealthCheckKind.Ttl],
            catalog.Tools.Select(t => t.HealthCheck.Kind));

        await using var template = File.OpenRead(SharedContracts.Asset("registry", "onboarding-template.json"));
        var tool = RegistryCatalogParser.ValidateTool(await RegistryCatalogParser.DeserializeToolAsync(template, "template", CancellationToken.None), catalog.Workflows);
        Assert.Equal("my-new-tool", tool.Id);
    }

    [Fact]
    public void Every_problem_is_reported_with_the_tool_and_field()
    {
        const string json = """
            {
              "workflows": ["code-edit"],
              "tools": [
                { "id": "cursor", "displayName": "Cursor", "surface": "ide", "owner": "", "lifecycle": "production",
                  "workflows": ["code-edit", "deploy"],
                  "healthCheck": { "kind": "tcp", "intervalSeconds": 10, "timeoutMs": 20000, "host": "127.0.0.1", "port": 70000 },
                  "damping": { "successesToPass": 0 } },
                { "id": "Bad Id", "displayName": "x", "surface": "mcp", "owner": "o", "lifecycle": "beta", "workflows": ["code-edit"],
                  "healthCheck": { "kind": "http", "url": "ftp://example" } }
              ]
            }
            """;

        var error = Assert.Throws<RegistryValidationException>(() => RegistryCatalogParser.Parse(json));

        Assert.Contains("tool 'cursor': surface 'ide' is not one of: cursor, mcp, local, other.", error.Errors);
        Assert.Contains("tool 'cursor': owner is required (a team or person accountable for the tool).", error.Errors);
        Assert.Contains(error.Errors, e => e.StartsWith("tool 'cursor': workflows contains 'deploy', which is not a declared workflow", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("tool 'cursor': healthCheck.timeoutMs must be between 1 and 60000 and shorter than the interval", StringComparison.Ordinal));
        Assert.Contains("tool 'cursor': healthCheck.port must be between 1 and 65535 for a tcp check, got 70000.", error.Errors);
        Assert.Contains("tool 'cursor': damping.successesToPass must be between 1 and 20, got 0.", error.Errors);
        Assert.Contains(error.Errors, e => e.StartsWith("tool 'Bad Id': id is required", StringComparison.Ordinal));
        Assert.Contains("tool 'Bad Id': lifecycle 'beta' is not one of: experimental, production, deprecated.", error.Errors);
        Assert.Contains("tool 'Bad Id': healthCheck.url must be an absolute http(s) URL, got 'ftp://example'.", error.Errors);
    }

    [Fact]
    public void Unknown_fields_wrong_types_and_duplicates_are_rejected()
    {
        var unknown = Assert.Throws<RegistryValidationException>(() => RegistryCatalogParser.Parse("""{ "workflows": ["a"], "tools": [ { "id": "x", "colour": "red" } ] }"""));
        Assert.StartsWith("registry catalog: unknown field at $.tools[0]", unknown.Message, StringComparison.Ordinal);

        var wrongType = Assert.Throws<RegistryValidationException>(() => RegistryCatalogParser.Parse("""{ "workflows": ["a"], "tools": [ { "id": "x", "fallbackPriority": "high" } ] }"""));
        Assert.StartsWith("registry catalog: wrong type at $.tools[0].fallbackPriority", wrongType.Message, StringComparison.Ordinal);

        var tool = RegistryTestKit.Tool("twin");
        var duplicate = Assert.Throws<RegistryValidationException>(() => RegistryCatalogParser.Validate(new RegistryCatalogDocument { Workflows = RegistryTestKit.Workflows, Tools = [tool, tool] }));
        Assert.Equal("tool 'twin': id is declared more than once.", duplicate.Message);
    }

    [Fact]
    public void Staleness_must_leave_room_for_two_checks_and_ttl_needs_a_max_age()
    {
        var error = Assert.Throws<RegistryValidationException>(() => RegistryTestKit.Catalog(
            RegistryTestKit.Tool("agent", check: new HealthCheckDocument { Kind = "ttl", IntervalSeconds = 30, TimeoutMs = 1000 }, staleness: new StalenessDocument { StaleAfterSeconds = 30 })));

        Assert.Contains("tool 'agent': healthCheck.maxAgeSeconds is required for a ttl check (1-86400 seconds a heartbeat stays valid).", error.Errors);
        Assert.Contains(error.Errors, e => e.StartsWith("tool 'agent': staleness.staleAfterSeconds must be at least twice the check interval", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tool_round_trips_through_its_document()
    {
        var catalog = RegistryTestKit.Catalog(RegistryTestKit.Tool("cursor", check: new HealthCheckDocument { Kind = "command", IntervalSeconds = 60, TimeoutMs = 5000, Executable = "git", Arguments = ["--version"] }));
        var document = RegistryCatalogParser.ToDocument(catalog.Tools[0]);
        var again = RegistryCatalogParser.ValidateTool(document, catalog.Workflows);

        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(document, RegistryCatalogParser.JsonOptions),
            System.Text.Json.JsonSerializer.Serialize(RegistryCatalogParser.ToDocument(again), RegistryCatalogParser.JsonOptions));
    }
}
