using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Emulators.Discord;
using Microsoft.Extensions.DependencyInjection;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>Discord retries an HTTP interaction it did not hear back about; the same signed request must be handled once.</summary>
public sealed class HttpInteractionDedupeTests
{
    [Fact]
    public async Task The_same_signed_interaction_posted_twice_is_recorded_once_with_one_card()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var keys = generator.GenerateKeyPair();
        var publicKey = Convert.ToHexString(((Ed25519PublicKeyParameters)keys.Public).GetEncoded()).ToLowerInvariant();
        var driver = await SurfaceDriver.StartAsync($"--Discord:PublicKey={publicKey}");
        await using var bot = driver.Bot;
        var botUrl = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bot.DataDirectory, "endpoints.json")))!["botUrl"]!.GetValue<string>();
        var interactionId = driver.Discord.Snowflakes.Next();
        var body = new JsonObject
        {
            ["id"] = interactionId,
            ["application_id"] = driver.Discord.Options.ApplicationId,
            ["type"] = 2,
            ["token"] = "http-delivered-token",
            ["version"] = 1,
            ["guild_id"] = EmulatedGuild.Ids.Guild,
            ["channel_id"] = EmulatedGuild.Ids.General,
            ["member"] = new JsonObject { ["user"] = new JsonObject { ["id"] = EmulatedGuild.Ids.Member, ["username"] = "linus" }, ["roles"] = new JsonArray(), ["permissions"] = "2147485696" },
            ["data"] = new JsonObject
            {
                ["id"] = "1",
                ["name"] = "ledger",
                ["type"] = 1,
                ["options"] = new JsonArray(new JsonObject
                {
                    ["name"] = "create",
                    ["type"] = 1,
                    ["options"] = new JsonArray(new JsonObject { ["name"] = "title", ["type"] = 3, ["value"] = "Delivered twice" }),
                }),
            },
        }.ToJsonString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signer = new Ed25519Signer();
        signer.Init(true, keys.Private);
        var message = Encoding.UTF8.GetBytes(timestamp + body);
        signer.BlockUpdate(message, 0, message.Length);
        var signature = Convert.ToHexString(signer.GenerateSignature()).ToLowerInvariant();
        var countsBefore = await bot.Services.GetRequiredService<IOutboxStore>().CountAsync();

        using var http = new HttpClient { BaseAddress = new Uri(botUrl) };
        async Task<JsonNode> PostAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/interactions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Signature-Ed25519", signature);
            request.Headers.Add("X-Signature-Timestamp", timestamp);
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }

        var first = await PostAsync();
        var second = await PostAsync();

        // /ledger create defers at once (ephemeral) and says what happened in the edit of @original.
        Assert.All([first, second], reply => Assert.Equal((5, 64), (reply["type"]!.GetValue<int>(), reply["data"]!["flags"]!.GetValue<int>())));
        string[] Edits() => [.. driver.Discord.RestRequests.Snapshot()
            .Where(r => r.Method == "PATCH" && r.Path.Contains("/http-delivered-token/messages/@original", StringComparison.Ordinal))
            .Select(r => r.Body?["content"]?.GetValue<string>() ?? string.Empty)];
        await SurfaceDriver.Eventually(() => Edits().Length == 2);
        Assert.Single(Edits(), e => e.StartsWith("Recorded", StringComparison.Ordinal));
        Assert.Single(Edits(), e => e.Contains("already handled", StringComparison.Ordinal));
        var key = "slash:" + interactionId;
        await SurfaceDriver.Eventually(() => driver.CardsOf(key).Count == 1);
        var countsAfter = await bot.Services.GetRequiredService<IOutboxStore>().CountAsync();
        Assert.Equal(countsBefore.Total + 1, countsAfter.Total);
        Assert.Single(driver.CardsOf(key));
        Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Delivered twice");
    }
}
