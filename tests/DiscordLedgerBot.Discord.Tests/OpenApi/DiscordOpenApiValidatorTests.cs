using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord.OpenApi;
using Json.Schema;

namespace DiscordLedgerBot.Discord.Tests.OpenApi;

public class DiscordOpenApiValidatorTests
{
    private static IReadOnlyList<string> Validate(HttpMethod method, string path, string body) =>
        DiscordSpec.Validator.Validate(method, path, JsonNode.Parse(body));

    [Fact]
    public void Every_schema_in_the_official_spec_builds_under_the_strict_dialect()
    {
        // Load builds every component schema and dispatch schema; an unknown keyword throws there.
        var exception = Record.Exception(() => DiscordSpec.Validator);

        Assert.Null(exception);
    }

    [Fact]
    public void An_unknown_keyword_fails_loudly()
    {
        using var schema = JsonDocument.Parse("""{ "type": "object", "x-made-up": { "type": "string" } }""");

        var exception = Assert.Throws<JsonSchemaException>(() => JsonSchema.Build(schema.RootElement, DiscordOpenApiValidator.CreateBuildOptions()));

        Assert.Contains("x-made-up", exception.Message, StringComparison.Ordinal);
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
    [InlineData("POST", "/channels/1/messages", """{"content":5}""", "/content: type:")]
    [InlineData("POST", "/interactions/1/tok/callback", """{"type":3}""", "/type: enum")]
    [InlineData("POST", "/interactions/1/tok/callback", """{"type":9}""", "Required properties [\"data\"]")]
    [InlineData("PATCH", "/webhooks/1/tok/messages/@original", """{"allowed_mentions":{"parse":[],"users":["not-a-snowflake"]}}""", "pattern")]
    [InlineData("PATCH", "/webhooks/1/tok/messages/@original", """{"embeds":[{"color":16777216}]}""", "maximum")]
    [InlineData("PUT", "/applications/1/commands", """[{"description":"no name"}]""", "required")]
    [InlineData("PUT", "/applications/1/commands", """[{"name":"x","default_member_permissions":"eight"}]""", "/0/default_member_permissions: pattern")]
    [InlineData("PUT", "/applications/1/commands", """[{"name":"x","contexts":[0,0]}]""", "uniqueItems")]
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

        Assert.Contains(errors, error => error.Contains("/components/0/components/0/label: maxLength", StringComparison.Ordinal));
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
        Assert.Contains(DiscordSpec.Validator.Validate(HttpMethod.Patch, path, overLimit), e => e.Contains("/content: maxLength", StringComparison.Ordinal));
        Assert.Empty(DiscordSpec.Validator.Validate(HttpMethod.Patch, path, tenEmbeds));
        Assert.Contains(DiscordSpec.Validator.Validate(HttpMethod.Patch, path, elevenEmbeds), e => e.Contains("/embeds: maxItems", StringComparison.Ordinal));
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
    public void Integer_strings_are_accepted_in_requests_but_not_in_responses()
    {
        var command = JsonNode.Parse("""[{"name":"x","description":"d","default_member_permissions":"32"}]""");
        var message = JsonNode.Parse("""{"id":"1","type":"0"}""");

        Assert.Empty(DiscordSpec.Validator.Validate(HttpMethod.Put, "/applications/1/commands", command));
        Assert.Contains(DiscordSpec.Validator.ValidateSchema("MessageResponse", message), error => error.Contains("/type", StringComparison.Ordinal));
    }

    [Fact]
    public void Responses_are_checked_against_the_schema_of_the_status_answered()
    {
        var error = JsonNode.Parse("""{"code":10003,"message":"Unknown Channel"}""");
        var noCode = JsonNode.Parse("""{"message":"Unknown Channel"}""");

        Assert.Empty(DiscordSpec.Validator.ValidateResponse(HttpMethod.Get, "/channels/1", 404, error));
        Assert.Contains(DiscordSpec.Validator.ValidateResponse(HttpMethod.Get, "/channels/1", 404, noCode), e => e.Contains("required", StringComparison.Ordinal));
        Assert.NotEmpty(DiscordSpec.Validator.ValidateResponse(HttpMethod.Get, "/channels/1", 204, null));
        Assert.NotEmpty(DiscordSpec.Validator.ValidateResponse(HttpMethod.Delete, "/channels/1/messages/2", 204, new JsonObject()));
        Assert.Empty(DiscordSpec.Validator.ValidateResponse(HttpMethod.Delete, "/channels/1/messages/2", 204, null));
    }

    [Fact]
    public void Dispatches_without_a_schema_are_violations()
    {
        Assert.NotEmpty(DiscordSpec.Validator.ValidateDispatch("MADE_UP_EVENT", new JsonObject()));
        Assert.Contains(DiscordSpec.Validator.ValidateDispatch("RESUMED", new JsonObject()), e => e.Contains("type", StringComparison.Ordinal));
        Assert.Empty(DiscordSpec.Validator.ValidateDispatch("RESUMED", null));
    }
}
