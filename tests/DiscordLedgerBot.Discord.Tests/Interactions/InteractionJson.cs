using System.Text.Json;

namespace DiscordLedgerBot.Discord.Tests.Interactions;

/// <summary>Realistic interaction payloads, shaped like Discord's documentation examples.</summary>
internal static class InteractionJson
{
    public const string ApplicationId = "1100000000000000001";
    public const string GuildId = "1200000000000000002";
    public const string ChannelId = "1200000000000000003";
    public const string UserId = "1200000000000000004";
    public const string Token = "aW50ZXJhY3Rpb246MTE6c2VjcmV0LXRva2Vu";

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static string Envelope(int type, string data, string id = "1300000000000000010", string extra = "") => $$"""
        {
          "id": "{{id}}",
          "application_id": "{{ApplicationId}}",
          "type": {{type}},
          "token": "{{Token}}",
          "version": 1,
          "guild_id": "{{GuildId}}",
          "channel_id": "{{ChannelId}}",
          "channel": { "id": "{{ChannelId}}", "type": 0, "name": "ledger" },
          "member": {
            "user": { "id": "{{UserId}}", "username": "ada", "global_name": "Ada L.", "discriminator": "0", "avatar": null },
            "roles": ["1200000000000000099"],
            "permissions": "2147483648",
            "nick": null,
            "joined_at": "2026-01-01T00:00:00.000000+00:00",
            "deaf": false,
            "mute": false
          },
          "app_permissions": "1126881438187584",
          "locale": "en-US",
          "guild_locale": "en-US",
          "entitlements": [],
          "authorizing_integration_owners": { "0": "{{GuildId}}" },
          "context": 0,
          "attachment_size_limit": 10485760,
          {{extra}}
          "data": {{data}}
        }
        """;

    public static string SlashCommand(string name, string options = "[]", string resolved = "{}") => Envelope(2, $$"""
        { "id": "1400000000000000001", "name": "{{name}}", "type": 1, "options": {{options}}, "resolved": {{resolved}}, "guild_id": "{{GuildId}}" }
        """);

    public static string LedgerAdd(string title = "Ship v2") => SlashCommand("ledger", $$"""
        [{ "name": "add", "type": 1, "options": [
            { "name": "title", "type": 3, "value": "{{title}}" },
            { "name": "points", "type": 4, "value": 5 },
            { "name": "owner", "type": 6, "value": "{{UserId}}" },
            { "name": "urgent", "type": 5, "value": true }
        ] }]
        """, $$"""
        {
          "users": { "{{UserId}}": { "id": "{{UserId}}", "username": "ada", "global_name": null, "discriminator": "0", "avatar": null } },
          "members": { "{{UserId}}": { "nick": "Ada", "roles": ["1200000000000000099"], "permissions": "8", "joined_at": "2026-01-01T00:00:00+00:00" } }
        }
        """);

    public static string Button(string customId) => Envelope(3, $$"""
        { "custom_id": "{{customId}}", "component_type": 2 }
        """, extra: """
        "message": { "id": "1500000000000000001", "channel_id": "1200000000000000003", "content": "Approve?", "components": [] },
        """);

    public static string Select(string customId, params string[] values) => Envelope(3, $$"""
        { "custom_id": "{{customId}}", "component_type": 3, "values": [{{string.Join(',', values.Select(v => $"\"{v}\""))}}] }
        """, extra: """
        "message": { "id": "1500000000000000002", "channel_id": "1200000000000000003", "content": "Pick", "components": [] },
        """);

    public static string Autocomplete(string typed) => Envelope(4, $$"""
        { "id": "1400000000000000001", "name": "ledger", "type": 1, "options": [
            { "name": "close", "type": 1, "options": [
                { "name": "item", "type": 3, "value": "{{typed}}", "focused": true }
            ] }
        ] }
        """);

    public static string ModalSubmit(string customId) => Envelope(5, $$"""
        { "custom_id": "{{customId}}", "components": [
            { "type": 1, "components": [ { "type": 4, "custom_id": "title", "value": "Renamed item" } ] },
            { "type": 18, "id": 3, "component": { "type": 4, "custom_id": "notes", "value": "Line 1\nLine 2" } }
        ] }
        """);

    public const string Ping = """
        { "id": "1300000000000000011", "application_id": "1100000000000000001", "type": 1, "token": "cGluZw", "version": 1 }
        """;
}
