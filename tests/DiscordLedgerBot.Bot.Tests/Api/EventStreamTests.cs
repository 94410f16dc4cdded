using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Api;

/// <summary>GET /api/v1/events over real sockets: resume without loss or repeats, and a stalled client is cut off.</summary>
public sealed class EventStreamTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_that_reconnects_with_Last_Event_ID_misses_nothing_and_sees_nothing_twice_across_ten_thousand_events()
    {
        const int total = 10_000;
        await using var bot = await ApiTestKit.StartAsync();
        var bus = bot.Services.GetRequiredService<IEventBus>();
        using var http = bot.Http(ApiTestKit.ReadOnly);
        var received = new List<(long Id, string CommandId)>();
        var connections = 0;
        var publishing = Task.Run(() =>
        {
            for (var i = 0; i < total; i++)
            {
                bus.Publish(new OutboxCommandConfirmed($"sse-{i}", $"api:sse-{i}", "create", 1, (100_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), Reconciled: false));
            }
        });

        long lastId = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (received.Count < total)
        {
            connections++;
            // Each connection takes a slice and hangs up mid-stream, as a flaky client would.
            var sliceEnd = Math.Min(total, received.Count + 1_337);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events?types=item.confirmed");
            request.Headers.Add("Last-Event-ID", lastId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            await foreach (var message in SseReader.ReadAsync(stream, timeout.Token))
            {
                if (message.Id is not { } id)
                {
                    continue;
                }

                var data = JsonNode.Parse(message.Data)!;
                received.Add((id, data["data"]!["commandId"]!.GetValue<string>()));
                lastId = id;
                if (received.Count >= sliceEnd)
                {
                    break;
                }
            }
        }

        await publishing;
        output.WriteLine($"{total} events over {connections} connections");
        Assert.True(connections >= 8, $"only {connections} connections");
        Assert.Equal(total, received.Count);
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"sse-{i}"), received.Select(r => r.CommandId));
        Assert.Equal(received.Select(r => r.Id).Order(), received.Select(r => r.Id));
        Assert.Equal(total, received.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task An_idle_stream_sends_heartbeats_and_a_type_filter_keeps_other_events_out()
    {
        await using var bot = await ApiTestKit.StartAsync("--Api:Events:HeartbeatInterval=00:00:00.200");
        var bus = bot.Services.GetRequiredService<IEventBus>();
        using var http = bot.Http(ApiTestKit.ReadOnly);
        using var response = await http.GetAsync(new Uri("/api/v1/events?types=item.failed", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        string? line;
        while ((line = await reader.ReadLineAsync().WaitAsync(Eventually.DefaultTimeout)) != ": heartbeat")
        {
            Assert.NotNull(line);
        }

        bus.Publish(new OutboxCommandConfirmed("filtered-out", "api:f", "create", 1, "1", Reconciled: false));
        bus.Publish(new OutboxCommandFailed("wanted", "api:w", "create", 1, "boom", RetryAt: null));
        var next = await SseReader.ReadAsync(reader, CancellationToken.None).FirstAsync(m => m.Id is not null).AsTask().WaitAsync(Eventually.DefaultTimeout);
        Assert.Equal("item.failed", next.Event);
        Assert.Contains("wanted", next.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stalled_client_is_dropped_within_the_configured_bound_and_others_keep_streaming()
    {
        var bound = TimeSpan.FromSeconds(1);
        await using var bot = await ApiTestKit.StartAsync($"--Api:Events:StalledClientTimeout={bound}");
        var bus = bot.Services.GetRequiredService<IEventBus>();

        // A client that sends its request, reads the response headers and then never reads again.
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await stalled.ConnectAsync(bot.BotUrl.Host, bot.BotUrl.Port);
        var head = $"GET /api/v1/events HTTP/1.1\r\nHost: {bot.BotUrl.Authority}\r\nAuthorization: Bearer {ApiTestKit.ReadOnly}\r\nAccept: text/event-stream\r\n\r\n";
        await stalled.SendAsync(Encoding.ASCII.GetBytes(head));
        var buffer = new byte[512];
        var headers = new StringBuilder();
        while (!headers.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stalled.ReceiveAsync(buffer);
            Assert.True(read > 0, "connection closed before the headers");
            headers.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.StartsWith("HTTP/1.1 200", headers.ToString(), StringComparison.Ordinal);
        var reason = new string('x', 4096);
        for (var i = 0; i < 3_000; i++)
        {
            bus.Publish(new OutboxCommandFailed($"stall-{i}", $"api:stall-{i}", "create", 1, reason, RetryAt: null));
        }

        var published = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => bot.Logs.Entries.Any(e => e.EventId.Id == 6101), "the stalled client was dropped");
        var droppedAfter = published.Elapsed;
        output.WriteLine($"stalled client dropped {droppedAfter.TotalMilliseconds:F0} ms after the last event was published (bound {bound})");

        // The log held every event (the stalled client only held a cursor), and a healthy client still streams.
        using var http = bot.Http(ApiTestKit.ReadOnly);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events?types=item.failed");
        request.Headers.Add("Last-Event-ID", "0");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var first = await SseReader.ReadAsync(stream, CancellationToken.None).FirstAsync(m => m.Id is not null);
        Assert.Contains("stall-0", first.Data, StringComparison.Ordinal);
        // The bound counts from the first write that stalled, which is at or after publishing began.
        Assert.True(droppedAfter < bound + TimeSpan.FromSeconds(3), $"dropped after {droppedAfter}");
    }
}

/// <summary>A minimal text/event-stream parser (id, event, data lines; comments skipped).</summary>
internal static class SseReader
{
    public sealed record Message(long? Id, string? Event, string Data);

    public static async IAsyncEnumerable<Message> ReadAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await foreach (var message in ReadAsync(reader, cancellationToken))
        {
            yield return message;
        }
    }

    /// <summary>Reads from <paramref name="reader"/>, which the caller may have read from already (its buffer is kept).</summary>
    public static async IAsyncEnumerable<Message> ReadAsync(StreamReader reader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? id = null;
        string? type = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0 || id is not null)
                {
                    yield return new Message(id, type, data.ToString());
                }

                (id, type) = (null, null);
                data.Clear();
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line[6..]);
            }
        }
    }
}
