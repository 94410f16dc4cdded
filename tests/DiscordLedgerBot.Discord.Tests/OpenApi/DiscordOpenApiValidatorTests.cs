using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord.OpenApi;

namespace DiscordLedgerBot.Discord.Tests.OpenApi;

public class DiscordOpenApiValidatorTests
{
    private static IReadOnlyList<string> Validate(HttpMethod method, string path, string body) =>
        DiscordSpec.Validator.Validate(method, path, JsonNode.Parse(body));

    [Fact]
    public void Every_keyword_and_format_in_the_official_spec_is_implemented()
    {
        // Load walks every component schema and request schema and throws NotSupportedException on anything unknown.
        var exception = Record.Exception(() => DiscordSpec.Validator);

        Assert.Null(exception);
    }

    [Fact]
    public void An_unknown_keyword_fails_loudly()
    {
        using var schema = JsonDocument.Parse("""{ "type": "object", "patternProperties": { "^x": { "type": "string" } } }""");

        var exception = Assert.Throws<NotSupportedException>(() => JsonSchemaSubsetValidator.EnsureSupported(schema.RootElement, "#/test"));

        Assert.Contains("patternProperties", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_format_fails_loudly()
    {
        using var schema = JsonDocument.Parse("""{ "type": "string", "format": "ipv6" }""");

        Assert.Throws<NotSupportedException>(() => JsonSchemaSubsetValidator.EnsureSupported(schema.RootElement, "#/test"));
    }

    [Theory]
    [InlineData("POST", "/channels/1200000000000000003/messages", """{"content":"hello","allowed_mentions":{"parse":[]}}""")]
    [InlineData("POST", "/api/v10/channels/1200000000000000003/messages?x=1", """{"embeds":[{"title":"t","fields":[{"name":"a","value":"b","inline":true}]}],"allowed_mentions":{"parse":[],"users":["1200000000000000004"]}}""")]
    [InlineData("POST", "/interactions/1300000000000000010/tok/callback", """{"type":1}""")]
    [InlineData("POST", "/interactions/1300000000000000010/tok/callback", """{"type":5,"data":{"flags":64}}""")]
    [InlineData("PATCH", "/webhooks/1100000000000000001/tok/messages/@original", """{"content":"done","allowed_mentions":{"parse":[]}}""")]
    [InlineData("PUT", "/applications/1100000000000000001/commands", """[{"type":1,"name":"ledger","description":"Ledger","options":[{"type":3,"name":"title","description":"Title","required":true,"max_length":100}]}]""")]
    [InlineData("PUT", "/applications/1100000000000000001/commands", """[{"name":"ledger","description":"Ledger","default_member_permissions":"32"}]""")]
    public void Known_good_bodies_pass(string method, string path, string body) =>
        Assert.Empty(Validate(new HttpMethod(method), path, body));

    [Theory]
    [InlineData("POST", "/channels/1/messages", """{"content":5}""", "expected string or null")]
    [InlineData("POST", "/interactions/1/tok/callback", """{"type":3}""", "anyOf")]
    [InlineData("POST", "/interactions/1/tok/callback", """{"type":9}""", "anyOf")]
    [InlineData("PATCH", "/webhooks/1/tok/messages/@original", """{"allowed_mentions":{"parse":[],"users":["not-a-snowflake"]}}""", "does not match")]
    [InlineData("PATCH", "/webhooks/1/tok/messages/@original", """{"embeds":[{"color":16777216}]}""", "greater than the maximum")]
    [InlineData("PUT", "/applications/1/commands", """[{"description":"no name"}]""", "required property 'name'")]
    [InlineData("PUT", "/applications/1/commands", """[{"name":"x","default_member_permissions":"eight"}]""", "expected integer or null")]
    [InlineData("PUT", "/applications/1/commands", """[{"name":"x","contexts":[0,0]}]""", "unique")]
    [InlineData("POST", "/webhooks/1/tok", """{"embeds":[{"timestamp":"yesterday"}]}""", "date-time")]
    public void Known_bad_bodies_are_reported(string method, string path, string body, string expected)
    {
        var errors = Validate(new HttpMethod(method), path, body);

        Assert.Contains(errors, error => error.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Nested_component_limits_are_enforced()
    {
        var label = new string('l', 81);
        var errors = Validate(HttpMethod.Post, "/channels/1/messages", $$"""{"components":[{"type":1,"components":[{"type":2,"style":1,"custom_id":"a","label":"{{label}}"}]}]}""");

        Assert.Contains(errors, error => error.Contains("longer than 80", StringComparison.Ordinal));
    }

    [Fact]
    public void Limits_are_enforced_exactly()
    {
        var atLimit = new JsonObject { ["content"] = new string('a', 2000) };
        var overLimit = new JsonObject { ["content"] = new string('a', 2001) };
        var tenEmbeds = new JsonObject { ["embeds"] = new JsonArray([.. Enumerable.Range(0, 10).Select(_ => (JsonNode)new JsonObject { ["title"] = "t" })]) };
        var elevenEmbeds = new JsonObject { ["embeds"] = new JsonArray([.. Enumerable.Range(0, 11).Select(_ => (JsonNode)new JsonObject { ["title"] = "t" })]) };
        const string path = "/webhooks/1/tok/messages/@original";

        Assert.Empty(DiscordSpec.Validator.Validate(HttpMethod.Patch, path, atLimit));
        Assert.Contains(DiscordSpec.Validator.Validate(HttpMethod.Patch, path, overLimit), e => e.Contains("longer than 2000", StringComparison.Ordinal));
        Assert.Empty(DiscordSpec.Validator.Validate(HttpMethod.Patch, path, tenEmbeds));
        Assert.Contains(DiscordSpec.Validator.Validate(HttpMethod.Patch, path, elevenEmbeds), e => e.Contains("at most 10 items", StringComparison.Ordinal));
    }

    [Fact]
    public void Paths_map_to_their_templates_preferring_literal_segments()
    {
        var original = DiscordSpec.Validator.FindOperation(HttpMethod.Patch, "/webhooks/1/tok/messages/@original");
        var byId = DiscordSpec.Validator.FindOperation(HttpMethod.Patch, "/webhooks/1/tok/messages/55");
        var commands = DiscordSpec.Validator.FindOperation(HttpMethod.Put, "/api/v10/applications/1/guilds/2/commands");

        Assert.Equal("update_original_webhook_message", original?.OperationId);
        Assert.Equal("/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", byId?.Template);
        Assert.Equal("bulk_set_guild_application_commands", commands?.OperationId);
    }

    [Fact]
    public void Unknown_operations_and_unexpected_bodies_are_violations()
    {
        Assert.NotEmpty(DiscordSpec.Validator.Validate(HttpMethod.Post, "/nowhere/1", null));
        Assert.NotEmpty(DiscordSpec.Validator.Validate(HttpMethod.Delete, "/channels/1/messages", null));
        Assert.NotEmpty(DiscordSpec.Validator.Validate(HttpMethod.Get, "/gateway/bot", new JsonObject()));
        Assert.Empty(DiscordSpec.Validator.Validate(HttpMethod.Get, "/gateway/bot", null));
    }

    [Fact]
    public void Integer_strings_are_accepted_only_when_the_api_accepts_them()
    {
        using var document = JsonDocument.Parse("""{ "components": { "schemas": {} } }""");
        var strict = new JsonSchemaSubsetValidator(document.RootElement) { AcceptIntegerStrings = false };
        using var schema = JsonDocument.Parse("""{ "type": ["integer", "null"], "minimum": 0, "maximum": 10 }""");

        Assert.NotEmpty(strict.Validate(JsonSerializer.SerializeToElement("5"), schema.RootElement));
        Assert.Empty(new JsonSchemaSubsetValidator(document.RootElement).Validate(JsonSerializer.SerializeToElement("5"), schema.RootElement));
        Assert.NotEmpty(new JsonSchemaSubsetValidator(document.RootElement).Validate(JsonSerializer.SerializeToElement("11"), schema.RootElement));
    }
}
