using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Monday.Documents;
using DiscordLedgerBot.Core.Tests.Support;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Tests.Monday;

public class MondayLedgerReadTests
{
    private readonly FakeTimeProvider _time = new(TestTime.Start);

    [Fact]
    public async Task Expired_cursor_restarts_the_listing_and_dedupes()
    {
        var transport = new FakeMondayTransport()
            .Then(Page("c1", Item("1", "api:a"), Item("2", "api:b")))
            .Then(FakeMondayTransport.Error(200, "InvalidArgumentException", "CursorExpiredError: cursor has expired"))
            .Then(Page("c2", Item("2", "api:b"), Item("1", "api:a")))
            .Then(FakeMondayTransport.Data(new JsonObject { ["next_items_page"] = new JsonObject { ["cursor"] = null, ["items"] = new JsonArray(Item("3", "api:c")) } }));
        var ledger = TestOptions.Ledger(TestOptions.Client(transport, _time));

        var entries = await ledger.QueryAsync(new LedgerQuery(), CancellationToken.None);

        Assert.Equal(["1", "2", "3"], entries.Select(e => e.MondayItemId).Order());
        Assert.Equal(MondayDocuments.ItemsPage, transport.Requests[2].Query);
        Assert.Null(transport.Requests[3].Variables["query"]);
        Assert.Equal("c2", transport.Requests[3].Variables["cursor"]!.GetValue<string>());
    }

    [Fact]
    public async Task Items_without_a_ledger_key_are_left_out()
    {
        var transport = new FakeMondayTransport().Then(FakeMondayTransport.Data(new JsonObject { ["items"] = new JsonArray(Item("1", "api:a"), Item("2", null)) }));
        var ledger = TestOptions.Ledger(TestOptions.Client(transport, _time));

        var entries = await ledger.GetByIdsAsync(["1", "2"], CancellationToken.None);

        Assert.Equal("api:a", Assert.Single(entries).Key.Value);
    }

    [Fact]
    public async Task Reads_by_id_go_out_100_per_request()
    {
        var transport = new FakeMondayTransport().Then(FakeMondayTransport.Data(new JsonObject { ["items"] = new JsonArray() }));
        var ledger = TestOptions.Ledger(TestOptions.Client(transport, _time));

        await ledger.GetByIdsAsync(Enumerable.Range(1, 250).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), CancellationToken.None);

        Assert.Equal([100, 100, 50], transport.Requests.Select(r => r.Variables["ids"]!.AsArray().Count));
    }

    [Fact]
    public void AddMondayLedger_registers_the_facade_and_validates_options()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Monday:Token"] = "t",
            ["Monday:BoardId"] = "1001",
            ["Monday:ApiUrl"] = "http://127.0.0.1:9/v2",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddMondayLedger(configuration).BuildServiceProvider();

        Assert.IsType<MondayLedger>(provider.GetRequiredService<ILedger>());
        Assert.Equal("1001", provider.GetRequiredService<IOptions<MondayOptions>>().Value.BoardId);

        using var broken = new ServiceCollection().AddLogging().AddMondayLedger(new ConfigurationBuilder().Build()).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => broken.GetRequiredService<IOptions<MondayOptions>>().Value);
        Assert.Contains("Monday:Token is required (env Monday__Token).", error.Failures);
    }

    [Fact]
    public void Options_never_print_the_token() =>
        Assert.DoesNotContain("secret", TestOptions.Monday().ToString(), StringComparison.Ordinal);

    private static MondayRawResponse Page(string cursor, params JsonNode[] items) =>
        FakeMondayTransport.Data(new JsonObject
        {
            ["boards"] = new JsonArray(new JsonObject { ["items_page"] = new JsonObject { ["cursor"] = cursor, ["items"] = new JsonArray(items) } }),
        });

    private static JsonObject Item(string id, string? key)
    {
        var columns = new JsonArray(new JsonObject { ["id"] = LedgerBoardSchema.StatusColumn, ["type"] = "status", ["text"] = "Requested", ["value"] = "{\"index\":3}", ["index"] = 3 });
        if (key is not null)
        {
            columns.Add(new JsonObject { ["id"] = LedgerBoardSchema.KeyColumn, ["type"] = "text", ["text"] = key, ["value"] = JsonValue.Create(key)!.ToJsonString() });
        }

        return new JsonObject { ["id"] = id, ["name"] = $"Item {id}", ["state"] = "active", ["group"] = new JsonObject { ["id"] = "topics" }, ["column_values"] = columns };
    }
}
