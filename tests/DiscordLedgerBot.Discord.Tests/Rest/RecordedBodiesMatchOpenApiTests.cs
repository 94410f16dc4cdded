using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Discord.Tests.Gateway;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Discord.OpenApi;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Discord.Tests.Rest;

/// <summary>
/// Drives every REST route the transport uses through the real client into the emulator, then validates each recorded
/// request (method, path, body) and the emulator's answer to it against Discord's official OpenAPI document.
/// </summary>
public sealed class RecordedBodiesMatchOpenApiTests
{
    private static readonly string ChannelId = EmulatedGuild.Ids.General;

    [Fact]
    public async Task Every_request_and_response_body_the_emulator_recorded_is_valid_against_the_openapi_spec()
    {
        var validator = DiscordOpenApiValidator.Load(SharedContracts.Contract("discord", "openapi.json"));
        await using var harness = await DiscordClientHarness.StartAsync(configureServices: services =>
            services.AddSingleton<IGatewayEventHandler<InteractionCreated>, PongResponder>());
        await harness.StartAndWaitForReadyAsync();
        var appId = harness.Emulator.Options.ApplicationId;

        await harness.Rest.SendAsync(
            new DiscordRestRequest(
                HttpMethod.Put,
                "/applications/{application_id}/guilds/{guild_id}/commands",
                new Dictionary<string, string> { ["application_id"] = appId, ["guild_id"] = harness.GuildId },
                JsonNode.Parse("""[{"name":"task","description":"Create a task","type":1,"options":[{"name":"title","description":"Title","type":3,"required":true,"max_length":100}]}]""")) { RetrySafe = true },
            CancellationToken.None);
        var interaction = await harness.InjectSlashCommandAsync("task");
        await harness.Emulator.InteractionResponses.WaitForAsync(r => r.InteractionId == interaction.Id);
        var webhook = new Dictionary<string, string> { ["webhook_id"] = appId, ["webhook_token"] = interaction.Token };
        await harness.Rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, "/webhooks/{webhook_id}/{webhook_token}", webhook, new JsonObject { ["content"] = "follow-up", ["flags"] = 64 }, Authenticated: false), CancellationToken.None);
        await harness.Rest.SendAsync(new DiscordRestRequest(HttpMethod.Patch, "/webhooks/{webhook_id}/{webhook_token}/messages/@original", webhook, new JsonObject { ["content"] = "edited" }, Authenticated: false), CancellationToken.None);
        var created = await harness.Rest.SendAsync(
            new DiscordRestRequest(
                HttpMethod.Post,
                "/channels/{channel_id}/messages",
                new Dictionary<string, string> { ["channel_id"] = ChannelId },
                JsonNode.Parse("""{"content":"Task created","embeds":[{"title":"Fix login","description":"Owner: @ana","color":5763719,"fields":[{"name":"Status","value":"Working on it","inline":true}]}]}""")),
            CancellationToken.None);
        var message = new Dictionary<string, string> { ["channel_id"] = ChannelId, ["message_id"] = created!.Value.GetProperty("id").GetString()! };
        await harness.Rest.SendAsync(new DiscordRestRequest(HttpMethod.Patch, "/channels/{channel_id}/messages/{message_id}", message, new JsonObject { ["content"] = "Task done" }), CancellationToken.None);
        await harness.Rest.SendAsync(new DiscordRestRequest(HttpMethod.Delete, "/channels/{channel_id}/messages/{message_id}", message), CancellationToken.None);

        var recorded = harness.Emulator.RestRequests.Snapshot();
        var violations = recorded
            .SelectMany(request => validator.Validate(new HttpMethod(request.Method), request.Path, request.Body)
                .Concat(validator.ValidateResponse(new HttpMethod(request.Method), request.Path, request.StatusCode, request.ResponseBody)))
            .ToList();

        Assert.Equal(8, recorded.Count);
        Assert.All(recorded, request => Assert.InRange(request.StatusCode, 200, 299));
        Assert.Empty(violations);

        // Guard against a vacuous pass: the same validator rejects a malformed body.
        Assert.NotEmpty(validator.Validate(HttpMethod.Post, "/channels/1/messages", new JsonObject { ["content"] = 5 }));
    }
}
