using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.Documents;

namespace DiscordLedgerBot.Benchmarks.Ledger;

/// <summary>
/// CPU cost of the ledger's batching on our side: building an aliased mutation document with its variables and
/// parsing monday's answer. End-to-end throughput under rate limits is measured by `bot bench ledger-burst`.
/// </summary>
[MemoryDiagnoser]
public class MondayBatchBenchmarks
{
    private MondayRawResponse _answer = null!;

    [Params(1, 100, 500)]
    public int Mutations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var data = new JsonObject { ["complexity"] = new JsonObject { ["before"] = 10_000_000, ["after"] = 9_000_000, ["query"] = 1_000_000, ["reset_in_x_seconds"] = 42 } };
        for (var i = 0; i < Mutations; i++)
        {
            data[$"m{i}"] = new JsonObject { ["id"] = (9_100_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }

        _answer = new MondayRawResponse(200, new JsonObject { ["data"] = data }.ToJsonString(), new Dictionary<string, string>());
    }

    [Benchmark]
    public int BuildBatchDocument()
    {
        var batch = new MutationBatch("1001");
        for (var i = 0; i < Mutations; i++)
        {
            batch.Add(
                MutationKind.CreateItem,
                new Dictionary<string, JsonNode?>
                {
                    ["name"] = $"Item {i} with \"quotes\" and {{braces}}",
                    ["group"] = "group_mk1",
                    ["values"] = "{\"ledger_key\":\"slash:1\",\"ledger_status\":{\"index\":3}}",
                },
                $"slash:{i}:create");
        }

        var (document, variables) = batch.Build();
        return document.Length + variables.Count + batch.IdempotencyKey().Length;
    }

    [Benchmark]
    public int ParseBatchAnswer()
    {
        var response = MondayResponse.Parse(_answer);
        return response.Errors.Count + (response.Field("m0") is null ? 0 : 1);
    }
}
