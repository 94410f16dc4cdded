using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>
/// Acknowledgement latency over the sockets, as the Discord emulator measures it: INTERACTION_CREATE written to the
/// bot's gateway socket → the bot's REST callback received. 1 000 interactions, 50 in flight, per interaction kind.
/// Prints p50/p99/max (recorded in docs/benchmarks.md) beside the bot's own share (its ack-latency histogram: frame read
/// off the gateway socket → callback answered by REST) and the throughput, so Little's law (in flight = throughput ×
/// latency) can be checked; asserts only that every interaction was answered.
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
        var botShare = new ConcurrentQueue<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "dlb.discord.interaction_ack_latency")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => botShare.Enqueue(value));
        listener.Start();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, load average {LoadAverage()}"));
        foreach (var (name, make) in kinds)
        {
            await RunAsync(driver, make, InFlight, InFlight); // warm-up: JIT, connections, first file-store group commits
            foreach (var inFlight in new[] { InFlight, 10, 1 })
            {
                botShare.Clear();
                var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                var started = TimeProvider.System.GetTimestamp();
                var latencies = await RunAsync(driver, make, Interactions, inFlight);
                var elapsed = TimeProvider.System.GetElapsedTime(started);
                var cpuPerInteraction = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / Interactions;
                var sorted = latencies.Select(l => l.TotalMilliseconds).Order().ToArray();
                var share = botShare.Order().ToArray();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: n={sorted.Length}, in flight {inFlight}: p50 {Percentile(sorted, 0.50):F2} ms, p99 {Percentile(sorted, 0.99):F2} ms, max {sorted[^1]:F2} ms, {sorted.Length / elapsed.TotalSeconds:F0}/s; bot's share p50 {Percentile(share, 0.50):F2} ms, p99 {Percentile(share, 0.99):F2} ms; process CPU {cpuPerInteraction:F2} ms per interaction (whole loop: driver, both emulators, bot), so at most {Environment.ProcessorCount / cpuPerInteraction * 1000:F0}/s on {Environment.ProcessorCount} free cores and, by Little's law, ≥ {inFlight * cpuPerInteraction / Environment.ProcessorCount:F1} ms mean latency at {inFlight} in flight"));
                Assert.Equal(Interactions, sorted.Length);
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load average after: {LoadAverage()}"));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static async Task<IReadOnlyList<TimeSpan>> RunAsync(SurfaceDriver driver, Func<int, JsonObject> make, int count, int inFlight)
    {
        var ids = new ConcurrentBag<string>();
        var next = -1;
        var workers = Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                // Waiting from the log's current end keeps the harness's own cost flat (not a scan of every earlier answer).
                var from = driver.Discord.InteractionResponses.Count;
                var sent = await driver.SendAsync(make(i));
                ids.Add(sent.Id);
                await driver.Discord.InteractionResponses.WaitForAfterAsync(from, r => r.InteractionId == sent.Id, SurfaceDriver.Wait);
            }
        });
        await Task.WhenAll(workers);
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        return [.. driver.Discord.InteractionResponses.Snapshot().Where(r => wanted.Contains(r.InteractionId)).Select(r => r.Latency)];
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
