using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Telemetry;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Api.Events;

/// <summary>
/// GET /api/v1/events: Server-Sent Events from the <see cref="EventLog"/>. Resumes after Last-Event-ID (header, or
/// <c>?lastEventId=</c> for clients that cannot set it), filters by <c>?types=</c>, sends a comment heartbeat when idle,
/// and cuts off a client that does not take a write within <see cref="ApiEventStreamOptions.StalledClientTimeout"/>.
/// A connection holds only a cursor into the log, so a slow client costs Kestrel's bounded response buffer, never more.
/// </summary>
public static partial class EventStreamEndpoint
{
    private const int BatchSize = 256;

    public static RouteGroupBuilder MapEventStream(this RouteGroupBuilder api)
    {
        api.MapGet("/events", StreamAsync).AddEndpointFilter(ApiAuthorization.Require(ApiScopes.LedgerRead)).WithName("streamEvents")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(400);
        return api;
    }

    private static async Task<IResult> StreamAsync(
        HttpContext http,
        string? types,
        string? lastEventId,
        EventLog log,
        IOptions<ApiOptions> options,
        TimeProvider time,
        LedgerBotMetrics metrics,
        ILoggerFactory loggers)
    {
        HashSet<string>? filter = null;
        if (types is not null)
        {
            filter = types.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            if (filter.FirstOrDefault(t => !StreamEventTypes.All.Contains(t)) is { } unknown)
            {
                return ApiProblems.BadRequest("types", $"Unknown event type '{unknown}'; known: {string.Join(", ", StreamEventTypes.All)}.");
            }
        }

        var resumeFrom = http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : lastEventId;
        long cursor;
        if (resumeFrom is null)
        {
            cursor = log.LastId;
        }
        else if (!long.TryParse(resumeFrom, NumberStyles.None, CultureInfo.InvariantCulture, out cursor))
        {
            return ApiProblems.BadRequest("Last-Event-ID", $"Last-Event-ID must be an event id this stream sent; got '{resumeFrom}'.");
        }

        var settings = options.Value.Events;
        var logger = loggers.CreateLogger(typeof(EventStreamEndpoint));
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        // Reverse proxies (nginx) must not buffer a stream.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        var aborted = http.RequestAborted;
        using var subscriber = metrics.EventStreamSubscriberConnected();
        try
        {
            await WriteAsync(http, "retry: 2000\n\n", settings.StalledClientTimeout, time);
            while (!aborted.IsCancellationRequested)
            {
                var (events, next, gap) = log.ReadAfter(cursor, BatchSize, filter);
                if (gap)
                {
                    // The client was away longer than the log keeps events; say so instead of pretending continuity.
                    var gapData = new JsonObject { ["after"] = cursor, ["firstAvailable"] = log.FirstId }.ToJsonString();
                    await WriteAsync(http, $"event: stream.gap\ndata: {gapData}\n\n", settings.StalledClientTimeout, time);
                }

                if (events.Count > 0)
                {
                    var text = new StringBuilder();
                    foreach (var entry in events)
                    {
                        var data = new JsonObject { ["id"] = entry.Id, ["type"] = entry.Type, ["at"] = entry.At, ["data"] = entry.Data.DeepClone() }.ToJsonString();
                        text.Append(CultureInfo.InvariantCulture, $"id: {entry.Id}\nevent: {entry.Type}\ndata: {data}\n\n");
                    }

                    await WriteAsync(http, text.ToString(), settings.StalledClientTimeout, time);
                    metrics.EventStreamEventsSent(events.Count);
                }
                else if (next == cursor && !await log.WaitAfterAsync(cursor, settings.HeartbeatInterval, aborted))
                {
                    await WriteAsync(http, ": heartbeat\n\n", settings.StalledClientTimeout, time);
                }

                cursor = next;
            }
        }
        catch (StalledClientException)
        {
            LogStalled(logger, cursor, settings.StalledClientTimeout);
            metrics.EventStreamClientDropped();
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; it resumes with Last-Event-ID.
        }
        catch (IOException) when (aborted.IsCancellationRequested)
        {
            // The connection broke mid-write.
        }

        return Results.Empty;
    }

    /// <summary>
    /// Writes and flushes; when the client has not taken it within <paramref name="bound"/>, aborts the connection and
    /// throws <see cref="StalledClientException"/>. A timer races the write instead of cancelling it, because a flush
    /// blocked on a full socket may end as "cancelled" without throwing, which would let a stalled client linger.
    /// </summary>
    private static async Task WriteAsync(HttpContext http, string text, TimeSpan bound, TimeProvider time)
    {
        var write = WriteAndFlushAsync(http, text);
        if (!write.IsCompleted)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            var stall = Task.Delay(bound, time, timer.Token);
            if (await Task.WhenAny(write, stall) != write)
            {
                http.Abort();
                try
                {
                    await write;
                }
                catch (Exception aborted) when (aborted is OperationCanceledException or IOException or InvalidOperationException)
                {
                    // The abort ended the pending write; the client is gone either way.
                }

                throw new StalledClientException();
            }

            await timer.CancelAsync();
        }

        await write;
    }

    private static async Task WriteAndFlushAsync(HttpContext http, string text)
    {
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    private sealed class StalledClientException : Exception;

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Event stream client dropped: it took no write for {Bound} (last event sent {Cursor}); it may resume with Last-Event-ID")]
    private static partial void LogStalled(ILogger logger, long cursor, TimeSpan bound);
}
