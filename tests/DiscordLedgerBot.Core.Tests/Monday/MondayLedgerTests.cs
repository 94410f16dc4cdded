using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Tests.Support;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Core.Tests.Monday;

public class MondayLedgerTests
{
    private static readonly LedgerKey Key = LedgerKey.FromOrigin(LedgerSource.Slash, "111");

    private readonly FakeTimeProvider _time = new(TestTime.Start);

    [Fact]
    public async Task Illegal_transition_is_rejected_without_any_request()
    {
        var transport = new FakeMondayTransport();
        var ledger = TestOptions.Ledger(TestOptions.Client(transport, _time));

        var result = await ledger.ExecuteAsync(new ChangeLedgerStatus("i-1", Key, LedgerStatus.Requested, LedgerStatus.Done) { MondayItemId = "5" }, CancellationToken.None);

        var rejected = Assert.IsType<LedgerRejected>(result);
        Assert.Equal(LedgerRejectionKind.IllegalTransition, rejected.Kind);
        Assert.Contains("requested", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("done", rejected.Reason, StringComparison.Ordinal);
        Assert.Empty(transport.Requests);
    }

    [Fact]
    public async Task Overlong_title_is_rejected_without_any_request()
    {
        var transport = new FakeMondayTransport();
        var ledger = TestOptions.Ledger(TestOptions.Client(transport, _time));

        var result = await ledger.ExecuteAsync(new CreateLedgerEntry("i-2", Key, new string('t', 10_000), LedgerSource.Slash), CancellationToken.None);

        Assert.Equal(LedgerRejectionKind.Validation, Assert.IsType<LedgerRejected>(result).Kind);
        Assert.Empty(transport.Requests);
    }

    [Fact]
    public async Task Mixed_batch_goes_out_as_one_aliased_mutation_with_per_command_results()
    {
        var transport = new FakeMondayTransport()
            .Then(BoardAnswer())
            .Then(request =>
            {
                Assert.Contains("m0: create_item(", request.Query, StringComparison.Ordinal);
                Assert.Contains("m1: create_update(", request.Query, StringComparison.Ordinal);
                Assert.Contains("m2: archive_item(", request.Query, StringComparison.Ordinal);
                Assert.Equal("a \"b\" {c} $d", request.Variables["m0_name"]!.GetValue<string>());
                Assert.DoesNotContain("a \"b\"", request.Query, StringComparison.Ordinal);
                var data = FakeMondayTransport.WithComplexity(new JsonObject
                {
                    ["m0"] = new JsonObject { ["id"] = "900" },
                    ["m1"] = null,
                    ["m2"] = new JsonObject { ["id"] = "42" },
                }, 900_000, 50, 30_000);
                return FakeMondayTransport.Json(200, new JsonObject
                {
                    ["data"] = data,
                    ["errors"] = new JsonArray(new JsonObject
                    {
                        ["message"] = "Item not found",
                        ["path"] = new JsonArray("m1"),
                        ["extensions"] = new JsonObject { ["code"] = "InvalidArgumentException" },
                    }),
                });
            });
        var ledger = TestOptions.Ledger(TestOptions.Client(transport, _time));

        var results = await ledger.ExecuteBatchAsync(
        [
            new CreateLedgerEntry("i-3", Key, "a \"b\" {c} $d", LedgerSource.Slash),
            new CommentOnLedgerEntry("i-4", LedgerKey.Parse("slash:222"), "hello") { MondayItemId = "41" },
            new ArchiveLedgerEntry("i-5", LedgerKey.Parse("slash:333")) { MondayItemId = "42" },
        ], CancellationToken.None);

        Assert.Equal(2, transport.Requests.Count);
        Assert.Equal("900", Assert.IsType<LedgerApplied>(results[0]).MondayItemId);
        Assert.Equal(LedgerRejectionKind.Validation, Assert.IsType<LedgerRejected>(results[1]).Kind);
        Assert.Equal("42", Assert.IsType<LedgerApplied>(results[2]).MondayItemId);
        Assert.StartsWith("ledger-batch-3-", transport.Requests[1].IdempotencyKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Single_command_uses_its_own_idempotency_key_and_operation()
    {
        var transport = new FakeMondayTransport()
            .Then(BoardAnswer())
            .Then(FakeMondayTransport.Data(new JsonObject { ["m0"] = new JsonObject { ["id"] = "77" } }));
        var ledger = TestOptions.Ledger(TestOptions.Client(transport, _time));

        await ledger.ExecuteAsync(new CreateLedgerEntry("slash-111", Key, "Title", LedgerSource.Slash), CancellationToken.None);

        Assert.Equal("slash:111/slash-111:create", transport.Requests[1].IdempotencyKey);
    }

    [Fact]
    public async Task Per_alias_rate_limit_maps_to_retryable()
    {
        var transport = new FakeMondayTransport()
            .Then(BoardAnswer())
            .Then(FakeMondayTransport.Json(200, new JsonObject
            {
                ["data"] = new JsonObject { ["m0"] = null },
                ["errors"] = new JsonArray(new JsonObject
                {
                    ["message"] = "Too many requests",
                    ["path"] = new JsonArray("m0"),
                    ["extensions"] = new JsonObject { ["code"] = "tooManyRequests", ["retry_in_seconds"] = 4 },
                }),
            }));
        var ledger = TestOptions.Ledger(TestOptions.Client(transport, _time));

        var result = await ledger.ExecuteAsync(new CreateLedgerEntry("i-6", Key, "x", LedgerSource.Api), CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(4), Assert.IsType<LedgerRetryable>(result).RetryAfter);
    }

    internal static Core.Monday.MondayRawResponse BoardAnswer() =>
        FakeMondayTransport.Data(new JsonObject
        {
            ["boards"] = new JsonArray(new JsonObject
            {
                ["id"] = "1001",
                ["name"] = "Team ledger",
                ["columns"] = new JsonArray(),
                ["groups"] = new JsonArray(LedgerBoardSchema.Groups.Select(g => (JsonNode?)new JsonObject { ["id"] = $"g_{g.Group.ToWireName()}", ["title"] = g.Title }).ToArray()),
            }),
        }, query: 100);
}
