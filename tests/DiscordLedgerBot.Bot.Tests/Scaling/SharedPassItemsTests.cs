using System.Globalization;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Api;
using DiscordLedgerBot.Bot.Tests.Hosting;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Sync;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Scaling;

/// <summary>
/// Storage:Backend=redis, two composed bots on one Redis and one monday board, monday polls off: the items an escalation
/// or overdue pass works on are the board's, identical on both bots, including an edit made on monday that neither bot
/// has polled yet; and reading them leaves each bot's item index alone, so the next poll still announces the edit.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SharedPassItemsTests
{
    [Fact]
    public async Task Both_bots_pass_over_the_boards_items_and_the_poll_still_announces_the_edit()
    {
        await using var redis = await RedisServer.StartAsync();
        string[] shared =
        [
            "--Storage:Backend=redis", $"--Redis:ConnectionString={redis.ConnectionString}", "--Sync:Enabled=false",
            "--Api:Tokens:0:Name=ops", $"--Api:Tokens:0:Token={ApiTestKit.Full}", "--Api:Tokens:0:Scopes=ledger:read ledger:write",
        ];
        await using var a = await ComposedBot.StartAsync(shared);
        await using var b = await ComposedBot.StartAsync(
            new Dictionary<string, string?> { ["Monday:ApiUrl"] = a.Environment.MondayApiUrl.ToString(), ["Monday:BoardId"] = a.Environment.BoardId },
            shared);
        using var http = a.Http(ApiTestKit.Full);
        var key = await ApiTestKit.CreateConfirmedAsync(http, "Rotate the signing keys");
        var itemId = a.Environment.Monday.Items().Single(i => i.Name == "Rotate the signing keys").Id;

        // The confirming bot re-reads its own write into its index; the edit below must come after that, as a person's would.
        await Eventually.TrueAsync(
            () => new[] { a, b }.Any(bot => bot.Services.GetRequiredService<LedgerItemIndex>().Find(LedgerKey.Parse(key)) is not null)
                && new[] { a, b }.All(bot => bot.Services.GetRequiredService<LedgerSync>().PendingOwnWrites == 0),
            "the confirmation absorbed into an index");

        a.Environment.Monday.EditItem(itemId, new JsonObject
        {
            [LedgerBoardSchema.StatusColumn] = new JsonObject { ["index"] = LedgerBoardSchema.StatusIndex(LedgerStatus.Blocked) },
        });

        foreach (var bot in new[] { a, b })
        {
            var passes = bot.Services.GetRequiredService<LedgerPassSource>();
            Assert.True(passes.ReadsBoard);
            var entry = Assert.Single(await passes.ActiveEntriesAsync(CancellationToken.None), e => e.Key.Value == key);
            Assert.Equal(LedgerStatus.Blocked, entry.Status);
            Assert.Equal(itemId.ToString(CultureInfo.InvariantCulture), entry.MondayItemId);
        }

        // The bot whose index knew the item (the one that confirmed it) still announces the edit at its next poll.
        var knowing = new[] { a, b }.First(bot => bot.Services.GetRequiredService<LedgerItemIndex>().Find(LedgerKey.Parse(key)) is not null);
        Assert.NotEqual(LedgerStatus.Blocked, knowing.Services.GetRequiredService<LedgerItemIndex>().Find(LedgerKey.Parse(key))!.Status);
        var poll = await knowing.Services.GetRequiredService<LedgerSync>().PollAsync(CancellationToken.None);
        Assert.Equal(1, poll.Changes);
    }
}
