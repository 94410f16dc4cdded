using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Sync;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Monday;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Shared;
using DiscordLedgerBot.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Sync;

/// <summary>
/// monday → Discord over the sockets: the composed bot, the monday emulator (where "a person" edits items as in
/// monday's UI) and the Discord emulator (where the item cards live).
/// </summary>
public sealed class MondaySyncTests
{
    private const string PathToken = "sync-test-path-token-0123456789";
    private const string SigningSecret = "sync-test-signing-secret";
    private static readonly string Grace = EmulatedGuild.Ids.Moderator;

    [Fact]
    public async Task An_item_edited_on_monday_is_on_its_card_after_one_poll_and_its_owner_is_told()
    {
        // The scheduled poll is off: the test runs exactly one poll, which is what one interval of the job does.
        var driver = await SurfaceDriver.StartAsync("--Sync:Enabled=false", $"--Surface:Owners:{Grace}=grace@emulated.monday");
        await using var bot = driver.Bot;
        var (key, itemId) = await CreateItemAsync(driver, "Patch the VPN gateway", Grace);

        bot.Environment.Monday.EditItem(long.Parse(itemId, System.Globalization.CultureInfo.InvariantCulture), new JsonObject
        {
            [LedgerBoardSchema.StatusColumn] = new JsonObject { ["index"] = LedgerBoardSchema.StatusIndex(LedgerStatus.Blocked) },
            [LedgerBoardSchema.DueColumn] = new JsonObject { ["date"] = "2031-05-06" },
        });
        using var changes = bot.Services.GetRequiredService<DiscordLedgerBot.Core.Events.IEventBus>().Subscribe<LedgerItemChangedOnMonday>("test");
        var result = await bot.Services.GetRequiredService<LedgerSync>().PollAsync(CancellationToken.None);

        Assert.Equal(1, result.Changes);
        Assert.True(changes.Reader.TryRead(out var change));
        Assert.Equal(LedgerFields.Status | LedgerFields.DueDate, change.Fields);
        Assert.Equal(LedgerStatus.Requested, change.Before!.Status);
        await SurfaceDriver.Eventually(() => SurfaceDriver.Field(driver.CardsOf(key)[0], "Status") == "Blocked");
        var card = driver.CardsOf(key).Single();
        Assert.Equal("2031-05-06", SurfaceDriver.Field(card, "Due"));
        Assert.Contains("changed on monday", SurfaceDriver.Field(card, "Last change"), StringComparison.Ordinal);
        Assert.Equal(LedgerStatus.Blocked, bot.Services.GetRequiredService<LedgerItemIndex>().Find(LedgerKey.Parse(key))!.Status);
        await SurfaceDriver.Eventually(() => driver.Discord.MessagesIn(EmulatedGuild.Ids.General).Select(m => m.Message)
            .Any(m => m["content"]?.GetValue<string>().Contains("**Patch the VPN gateway** is blocked", StringComparison.Ordinal) == true));
        var notice = driver.Discord.MessagesIn(EmulatedGuild.Ids.General).Select(m => m.Message)
            .Single(m => m["content"]?.GetValue<string>().Contains("is blocked", StringComparison.Ordinal) == true);
        Assert.Equal(Grace, Assert.Single(notice["mentions"]!.AsArray())!["id"]!.GetValue<string>());

        // A second poll finds nothing new: no second edit, no second notice.
        Assert.Equal(0, (await bot.Services.GetRequiredService<LedgerSync>().PollAsync(CancellationToken.None)).Changes);
        Assert.Empty(driver.SpecViolations());
    }

    [Fact]
    public async Task The_scheduled_poll_brings_a_monday_edit_to_the_card()
    {
        var driver = await SurfaceDriver.StartAsync("--Sync:PollInterval=00:00:00.500");
        await using var bot = driver.Bot;
        var (key, itemId) = await CreateItemAsync(driver, "Renew the TLS certificate", owner: null);

        bot.Environment.Monday.EditItem(long.Parse(itemId, System.Globalization.CultureInfo.InvariantCulture), new JsonObject { ["name"] = "Renew the TLS certificates" });

        await SurfaceDriver.Eventually(() => driver.CardsOf(key).Single()["embeds"]![0]!["title"]!.GetValue<string>() == "Renew the TLS certificates");
    }

    [Fact]
    public async Task A_webhook_triggers_a_re_read_a_duplicate_is_ignored_and_a_forged_one_gets_401()
    {
        var driver = await SurfaceDriver.StartAsync("--Sync:Enabled=false", $"--Sync:WebhookPathToken={PathToken}");
        await using var bot = driver.Bot;
        var monday = bot.Environment.Monday;
        var (key, itemId) = await CreateItemAsync(driver, "Rotate the backup keys", owner: null);
        await RegisterWebhookAsync(bot);
        await SurfaceDriver.Eventually(() => monday.Webhooks().Count == 1);
        var queue = bot.Services.GetRequiredService<MondayWebhookQueue>();

        monday.EditItem(long.Parse(itemId, System.Globalization.CultureInfo.InvariantCulture), new JsonObject
        {
            [LedgerBoardSchema.StatusColumn] = new JsonObject { ["index"] = LedgerBoardSchema.StatusIndex(LedgerStatus.InProgress) },
        });

        await SurfaceDriver.Eventually(() => SurfaceDriver.Field(driver.CardsOf(key).Single(), "Status") == LedgerStatus.InProgress.Label());
        Assert.Equal(1, queue.Accepted);
        var delivery = Assert.Single(monday.WebhookDeliveries);
        Assert.Equal(200, delivery.Status);

        // monday's retry of the same delivery: acknowledged, not re-read.
        Assert.Equal(200, await monday.RedeliverAsync(delivery));
        Assert.Equal(1, queue.Duplicates);
        Assert.Equal(1, queue.Accepted);

        // A stranger who knows the route but not the token: 401, nothing read, nothing changed.
        var requestsBefore = monday.Stats.TotalRequests;
        using var http = bot.Http();
        using var forged = await http.PostAsync("/webhooks/monday/wrong-token-0123456789abcdef", new StringContent(delivery.Body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(1, queue.Refused);
        Assert.Equal(1, queue.Accepted);
        Assert.Equal(requestsBefore, monday.Stats.TotalRequests);
        Assert.Equal(LedgerStatus.InProgress.Label(), SurfaceDriver.Field(driver.CardsOf(key).Single(), "Status"));
    }

    [Fact]
    public async Task With_a_signing_secret_only_a_delivery_with_a_valid_jwt_is_read()
    {
        var driver = await SurfaceDriver.StartAsync("--Sync:Enabled=false", $"--Sync:WebhookPathToken={PathToken}", $"--Sync:WebhookSigningSecret={SigningSecret}");
        await using var bot = driver.Bot;
        var monday = bot.Environment.Monday;
        var (key, itemId) = await CreateItemAsync(driver, "Audit the firewall rules", owner: null);
        monday.EditItem(long.Parse(itemId, System.Globalization.CultureInfo.InvariantCulture), new JsonObject { ["name"] = "Audit every firewall rule" });
        var queue = bot.Services.GetRequiredService<MondayWebhookQueue>();
        var body = new JsonObject
        {
            ["event"] = new JsonObject { ["type"] = "update_name", ["pulseId"] = long.Parse(itemId, System.Globalization.CultureInfo.InvariantCulture), ["triggerUuid"] = "6f1e0c8a2b7d4e5f9a0b1c2d3e4f5a6b" },
        }.ToJsonString();
        using var http = bot.Http();
        var route = $"/webhooks/monday/{PathToken}";
        var requestsBefore = monday.Stats.TotalRequests;

        foreach (var jwt in new[] { null, Jwt("another-secret", DateTimeOffset.UtcNow.AddMinutes(5)), Jwt(SigningSecret, DateTimeOffset.UtcNow.AddMinutes(-1)) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (jwt is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", jwt);
            }

            using var refused = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Equal(3, queue.Refused);
        Assert.Equal(0, queue.Accepted);
        Assert.Equal(requestsBefore, monday.Stats.TotalRequests);
        Assert.Equal("Audit the firewall rules", driver.CardsOf(key).Single()["embeds"]![0]!["title"]!.GetValue<string>());

        using var signed = new HttpRequestMessage(HttpMethod.Post, route) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        signed.Headers.TryAddWithoutValidation("Authorization", Jwt(SigningSecret, DateTimeOffset.UtcNow.AddMinutes(5)));
        using var accepted = await http.SendAsync(signed);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await SurfaceDriver.Eventually(() => driver.CardsOf(key).Single()["embeds"]![0]!["title"]!.GetValue<string>() == "Audit every firewall rule");
    }

    private static async Task<(string Key, string ItemId)> CreateItemAsync(SurfaceDriver driver, string title, string? owner)
    {
        var options = new Dictionary<string, JsonNode?> { ["title"] = title };
        if (owner is not null)
        {
            options["owner"] = owner;
        }

        var (created, _) = await driver.AskAsync(SurfaceDriver.Slash("ledger", "create", options));
        var key = "slash:" + created.Id;
        await SurfaceDriver.Eventually(() => driver.CardsOf(key).Count == 1);
        var entry = driver.Bot.Services.GetRequiredService<LedgerItemIndex>().Find(LedgerKey.Parse(key))!;
        // The create is the bot's own write: once it is absorbed, what changes next was done on monday.
        await SurfaceDriver.Eventually(() => driver.Bot.Services.GetRequiredService<LedgerSync>().PendingOwnWrites == 0);
        return (key, entry.MondayItemId);
    }

    private static async Task RegisterWebhookAsync(DiscordLedgerBot.Bot.Tests.Hosting.ComposedBot bot)
    {
        var client = bot.Services.GetRequiredService<MondayClient>();
        var variables = new JsonObject
        {
            ["board"] = bot.Environment.BoardId,
            ["url"] = new Uri(bot.BotUrl, $"/webhooks/monday/{PathToken}").ToString(),
        };
        var response = await client.MutateAsync(
            "mutation RegisterWebhook($board: ID!, $url: String!) { create_webhook(board_id: $board, url: $url, event: change_column_value) { id board_id event } }",
            variables, Guid.NewGuid().ToString("N"), 10_000, CancellationToken.None);
        Assert.NotNull(response.Field("create_webhook"));
    }

    private static string Jwt(string secret, DateTimeOffset expires)
    {
        static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = Encode(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        var payload = Encode(Encoding.UTF8.GetBytes(new JsonObject { ["accountId"] = 1, ["userId"] = 1001, ["exp"] = expires.ToUnixTimeSeconds() }.ToJsonString()));
        var signature = Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(header + "." + payload)));
        return $"{header}.{payload}.{signature}";
    }
}
