using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Monday.Documents;
using DiscordLedgerBot.Emulators.Monday;

namespace DiscordLedgerBot.Core.Tests.Monday;

/// <summary>Every document the client can send must validate against monday's official 2026-10 schema.</summary>
public class MondayDocumentSchemaTests
{
    public static TheoryData<string> ConstantDocuments() => [.. MondayDocuments.All.Keys];

    [Theory]
    [MemberData(nameof(ConstantDocuments))]
    public void Constant_document_is_valid_against_the_schema(string name)
    {
        var errors = MondayDocumentValidator.Validate(MondayDocuments.All[name], SampleVariables(name));
        Assert.True(errors.Count == 0, $"{name}: {string.Join("; ", errors.Select(e => e.Message))}");
    }

    [Fact]
    public void Batched_mutation_with_every_kind_is_valid_against_the_schema()
    {
        var batch = new MutationBatch("1001");
        batch.Add(MutationKind.CreateItem, Vars(("name", "Title"), ("group", "topics"), ("values", "{\"ledger_key\":\"slash:1\"}")), "a:create");
        batch.Add(MutationKind.ChangeColumnValues, Vars(("item", "5"), ("values", "{\"ledger_status\":{\"index\":0}}")), "b:status");
        batch.Add(MutationKind.MoveToGroup, Vars(("item", "5"), ("group", "topics")), "b:status");
        batch.Add(MutationKind.CreateUpdate, Vars(("item", "5"), ("body", "hello")), "c:comment");
        batch.Add(MutationKind.CreateSubitem, Vars(("item", "5"), ("name", "follow up")), "d:followup");
        batch.Add(MutationKind.ArchiveItem, Vars(("item", "5")), "e:archive");
        var (document, variables) = batch.Build();

        var errors = MondayDocumentValidator.Validate(document, variables);

        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => e.Message)));
        Assert.Contains("m5: archive_item(", document, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_without_board_fields_declares_no_board_variable()
    {
        var batch = new MutationBatch("1001");
        batch.Add(MutationKind.ArchiveItem, Vars(("item", "5")), "e:archive");
        var (document, variables) = batch.Build();

        Assert.DoesNotContain("$board", document, StringComparison.Ordinal);
        Assert.Empty(MondayDocumentValidator.Validate(document, variables));
    }

    [Fact]
    public void Batch_idempotency_key_depends_on_composition()
    {
        static string KeyOf(params string[] identities)
        {
            var batch = new MutationBatch("1");
            foreach (var identity in identities)
            {
                batch.Add(MutationKind.ArchiveItem, Vars(("item", "5")), identity);
            }

            return batch.IdempotencyKey();
        }

        Assert.Equal(KeyOf("a", "b"), KeyOf("a", "b"));
        Assert.NotEqual(KeyOf("a", "b"), KeyOf("b", "a"));
        Assert.NotEqual(KeyOf("a", "b"), KeyOf("a", "b", "c"));
        Assert.Equal("a", KeyOf("a"));
    }

    private static Dictionary<string, JsonNode?> Vars(params (string Name, string Value)[] values) =>
        values.ToDictionary(v => v.Name, v => (JsonNode?)JsonValue.Create(v.Value));

    private static JsonObject SampleVariables(string name) => name switch
    {
        nameof(MondayDocuments.BoardSchema) => new() { ["board"] = new JsonArray("1001") },
        nameof(MondayDocuments.CreateBoard) => new() { ["name"] = LedgerBoardSchema.DefaultBoardName, ["kind"] = "private" },
        nameof(MondayDocuments.CreateGroup) => new() { ["board"] = "1001", ["name"] = "Requested", ["color"] = "#579bfc" },
        nameof(MondayDocuments.CreateColumn) => new()
        {
            ["board"] = "1001", ["id"] = LedgerBoardSchema.StatusColumn, ["title"] = "Status", ["type"] = "status",
            ["defaults"] = new JsonObject { ["labels"] = new JsonObject { ["0"] = "In progress" } },
        },
        nameof(MondayDocuments.ItemsByIds) => new() { ["ids"] = new JsonArray("1", "2") },
        nameof(MondayDocuments.ItemsByColumnValues) => new()
        {
            ["board"] = "1001",
            ["columns"] = new JsonArray(new JsonObject { ["column_id"] = LedgerBoardSchema.KeyColumn, ["column_values"] = new JsonArray("slash:1") }),
        },
        nameof(MondayDocuments.ItemsPage) => new()
        {
            ["board"] = new JsonArray("1001"),
            ["query"] = new JsonObject
            {
                ["rules"] = new JsonArray(
                    new JsonObject { ["column_id"] = LedgerBoardSchema.StatusColumn, ["compare_value"] = new JsonArray(LedgerBoardSchema.StatusIndex(LedgerStatus.Blocked)), ["operator"] = "any_of" },
                    new JsonObject { ["column_id"] = LedgerBoardSchema.DueColumn, ["compare_value"] = new JsonArray("EXACT", "2026-11-30"), ["operator"] = "lower_than" }),
            },
        },
        nameof(MondayDocuments.NextItemsPage) => new() { ["cursor"] = "abc" },
        nameof(MondayDocuments.ChangedItemsPage) => new()
        {
            ["board"] = new JsonArray("1001"),
            ["limit"] = 100,
            ["query"] = new JsonObject { ["order_by"] = new JsonArray(new JsonObject { ["column_id"] = "__last_updated__", ["direction"] = "desc" }) },
        },
        nameof(MondayDocuments.NextChangedItemsPage) => new() { ["cursor"] = "abc", ["limit"] = 100 },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Add sample variables for the new document."),
    };
}
