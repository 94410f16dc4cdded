using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>
/// Acknowledgement latency over the sockets, as the Discord emulator measures it: INTERACTION_CREATE written to the
/// bot's gateway socket → the bot's REST callback received. 1 000 interactions, 50 in flight, per interaction kind.
/// Prints p50/p99/max (recorded in docs/benchmarks.md); asserts only that every interaction was answered.
/// </summary>
public sealed class InteractionAckBench(ITestOutputHelper output)
{
    private const int Interactions = 1_000;
    private const int InFlight = 50;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Acknowledgement_latency_over_the_sockets_for_1000_interactions_50_in_flight()
    {
        var driver = await SurfaceDriver.StartAsync();
        await using var bot = driver.Bot;
        (string Name, Func<int, JsonObject> Make)[] kinds =
        [
            ("autocomplete /ledger status item (local index)", i => SurfaceDriver.Slash("ledger", "status", new Dictionary<string, JsonNode?> { ["item"] = "bench" }, autocomplete: true, focused: "item")),
            ("/ledger create (validate + durable outbox append, file store)", i => SurfaceDriver.Slash("ledger", "create", new Dictionary<string, JsonNode?> { ["title"] = $"Bench item {i}" })),
        ];
        foreach (var (name, make) in kinds)
        {
            await RunAsync(driver, make, InFlight, InFlight); // warm-up: JIT, connections, first file-store group commits
            foreach (var inFlight in new[] { InFlight, 1 })
            {
                var started = TimeProvider.System.GetTimestamp();
                var latencies = await RunAsync(driver, make, Interactions, inFlight);
                var elapsed = TimeProvider.System.GetElapsedTime(started);
                var sorted = latencies.Select(l => l.TotalMilliseconds).Order().ToArray();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: n={sorted.Length}, in flight {inFlight}: p50 {Percentile(sorted, 0.50):F2} ms, p99 {Percentile(sorted, 0.99):F2} ms, max {sorted[^1]:F2} ms, {sorted.Length / elapsed.TotalSeconds:F0}/s"));
                Assert.Equal(Interactions, sorted.Length);
            }
        }
    }

    private static async Task<IReadOnlyList<TimeSpan>> RunAsync(SurfaceDriver driver, Func<int, JsonObject> make, int count, int inFlight)
    {
        var ids = new ConcurrentBag<string>();
        var next = -1;
        var workers = Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var sent = await driver.SendAsync(make(i));
                ids.Add(sent.Id);
                await driver.Discord.InteractionResponses.WaitForAsync(r => r.InteractionId == sent.Id, SurfaceDriver.Wait);
            }
        });
        await Task.WhenAll(workers);
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        return [.. driver.Discord.InteractionResponses.Snapshot().Where(r => wanted.Contains(r.InteractionId)).Select(r => r.Latency)];
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
