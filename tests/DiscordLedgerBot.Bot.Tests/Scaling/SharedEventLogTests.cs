using System.Globalization;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Api;
using DiscordLedgerBot.Bot.Tests.Hosting;
using DiscordLedgerBot.Testing;
using Xunit.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Scaling;

/// <summary>
/// Storage:Backend=redis: two composed bots on one private redis-server (and one monday board) share one event log. An
/// item created through A and one created through B both appear, once each and in id order, on the /api/v1/events
/// stream of either bot, and a Last-Event-ID taken from one bot resumes on the other.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SharedEventLogTests(ITestOutputHelper output)
{
    private static readonly string[] Tokens =
    [
        "--Api:Tokens:0:Name=ops", $"--Api:Tokens:0:Token={ApiTestKit.Full}", "--Api:Tokens:0:Scopes=ledger:read ledger:write registry:read registry:admin",
    ];

    [Fact]
    public async Task Events_published_on_either_bot_are_read_in_order_once_from_both_and_cursors_resume_across_them()
    {
        await using var redis = await RedisServer.StartAsync();
        string[] shared = ["--Storage:Backend=redis", $"--Redis:ConnectionString={redis.ConnectionString}", .. Tokens];
        await using var a = await ComposedBot.StartAsync(shared);
        await using var b = await ComposedBot.StartAsync(
            new Dictionary<string, string?> { ["Monday:ApiUrl"] = a.Environment.MondayApiUrl.ToString(), ["Monday:BoardId"] = a.Environment.BoardId },
            shared);
        using var httpA = a.Http(ApiTestKit.Full);
        using var httpB = b.Http(ApiTestKit.Full);

        var keyA = await ApiTestKit.CreateConfirmedAsync(httpA, "Created through A");
        var keyB = await ApiTestKit.CreateConfirmedAsync(httpB, "Created through B");
        bool BothConfirmed(IReadOnlyList<Sse> events) =>
            new[] { keyA, keyB }.All(key => events.Any(e => e.Type == "item.confirmed" && e.Key == key));

        var onB = await ReadAsync(httpB, after: 0, BothConfirmed);
        var onA = await ReadAsync(httpA, after: 0, events => events.Count >= onB.Count);
        output.WriteLine(string.Join(Environment.NewLine, onB.Select(e => $"{e.Id} {e.Type} {e.Key}")));

        // One log: the same ids, types and items on both, strictly ascending, nothing twice.
        Assert.Equal(onB.Select(e => (e.Id, e.Type, e.Key)), onA.Take(onB.Count).Select(e => (e.Id, e.Type, e.Key)));
        Assert.All(onB.Zip(onB.Skip(1)), pair => Assert.True(pair.First.Id < pair.Second.Id, $"{pair.First.Id} then {pair.Second.Id}"));
        foreach (var key in new[] { keyA, keyB })
        {
            Assert.Single(onB, e => e.Type == "item.created" && e.Key == key);
            Assert.Single(onB, e => e.Type == "item.confirmed" && e.Key == key);
        }

        // A cursor from B resumes on A at the very next event, and one from A on B.
        var middle = onB[onB.Count / 2];
        var resumedOnA = await ReadAsync(httpA, after: middle.Id, events => events.Count > 0);
        Assert.Equal(onB[(onB.Count / 2) + 1].Id, resumedOnA[0].Id);
        var resumedOnB = await ReadAsync(httpB, after: onB[0].Id, events => events.Count > 0);
        Assert.Equal(onB[1].Id, resumedOnB[0].Id);
    }

    private sealed record Sse(long Id, string Type, string? Key);

    /// <summary>Reads GET /api/v1/events with Last-Event-ID <paramref name="after"/> until <paramref name="enough"/> holds.</summary>
    private static async Task<IReadOnlyList<Sse>> ReadAsync(HttpClient http, long after, Func<IReadOnlyList<Sse>, bool> enough)
    {
        using var within = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
        request.Headers.Add("Last-Event-ID", after.ToString(CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, within.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(within.Token));
        var events = new List<Sse>();
        string? type = null;
        long? id = null;
        while (!enough(events))
        {
            var line = await reader.ReadLineAsync(within.Token) ?? throw new InvalidOperationException("The event stream ended.");
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && id is { } eventId && type is not null)
            {
                var data = JsonNode.Parse(line[6..])!["data"];
                events.Add(new Sse(eventId, type, data?["key"]?.GetValue<string>()));
                (id, type) = (null, null);
            }
        }

        return events;
    }
}
