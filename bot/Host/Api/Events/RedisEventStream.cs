using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using StackExchange.Redis;

namespace DiscordLedgerBot.Api.Events;

/// <summary>Where the event log recorder appends: this process's <see cref="EventLog"/>, or the cluster's <see cref="RedisEventStream"/>.</summary>
public interface IEventLogSink
{
    Task AppendAsync(string type, JsonObject data, CancellationToken cancellationToken);
}

/// <summary>
/// The event log of a cluster (Redis store): every process appends to one Redis Stream, <c>{prefix}events:stream</c>,
/// with ids from one counter, <c>{prefix}events:seq</c> (entry id <c>0-N</c>, event id N: monotonic across processes),
/// trimmed with <c>MAXLEN ~ Api:Events:Capacity</c>, and announces N on the channel <c>{prefix}events:appended</c>. Each
/// process follows the stream into its own memory <see cref="EventLog"/>, which serves its /api/v1/events clients
/// exactly as in one process, so a Last-Event-ID from any process resumes on any other.
/// </summary>
public sealed partial class RedisEventStream(IConnectionMultiplexer redis, EventLog log, string keyPrefix, int capacity, TimeProvider time, ILogger<RedisEventStream> logger)
    : IEventLogSink
{
    /// <summary>How long an idle follower waits for an announcement before it looks anyway (one lost while disconnected).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long an append waits before trying again while Redis is unreachable.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private const int ReadBatch = 1000;

    // KEYS[1] stream, KEYS[2] counter; ARGV: type, at ms, data JSON, capacity, channel → the event id.
    private const string AppendScript = """
        local id = redis.call('INCR', KEYS[2])
        redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '0-' .. id, 'type', ARGV[1], 'at', ARGV[2], 'data', ARGV[3])
        redis.call('PUBLISH', ARGV[5], id)
        return id
        """;

    public string StreamKey => keyPrefix + "events:stream";

    public string CounterKey => keyPrefix + "events:seq";

    public string Channel => keyPrefix + "events:appended";

    /// <summary>Appends once Redis takes it: while it is unreachable the append waits and retries (logged), so no event is lost or numbered twice.</summary>
    public async Task AppendAsync(string type, JsonObject data, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(data);
        var at = time.GetUtcNow().ToUnixTimeMilliseconds();
        var json = data.ToJsonString();
        var warned = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await redis.GetDatabase().ScriptEvaluateAsync(AppendScript, [StreamKey, CounterKey], [type, at, json, capacity, Channel]).ConfigureAwait(false);
                return;
            }
            catch (Exception unavailable) when (unavailable is RedisConnectionException or RedisTimeoutException || IsLoading(unavailable))
            {
                if (!warned)
                {
                    LogAppendWaiting(logger, unavailable, type);
                    warned = true;
                }
            }

            await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Copies the stream into this process's log, then every appended event as it is announced, until stopped.</summary>
    public async Task FollowAsync(CancellationToken cancellationToken)
    {
        var wake = System.Threading.Channels.Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var subscription = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channel)).ConfigureAwait(false);
        subscription.OnMessage(_ => wake.Writer.TryWrite(true));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await CatchUpAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception unavailable) when (unavailable is RedisException or RedisTimeoutException)
                {
                    LogFollowFailed(logger, unavailable);
                }

                try
                {
                    await wake.Reader.WaitToReadAsync(cancellationToken).AsTask().WaitAsync(PollInterval, time, cancellationToken).ConfigureAwait(false);
                    wake.Reader.TryRead(out _);
                }
                catch (TimeoutException)
                {
                    // Nothing announced: look anyway.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        finally
        {
            await subscription.UnsubscribeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Imports every stream entry after the log's last id, in id order.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var from = "0-" + (log.LastId + 1).ToString(CultureInfo.InvariantCulture);
            var entries = await database.StreamRangeAsync(StreamKey, from, "+", ReadBatch).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                log.Import(ToEvent(entry));
            }

            if (entries.Length < ReadBatch)
            {
                return;
            }
        }
    }

    private static StreamEvent ToEvent(StreamEntry entry)
    {
        var id = ((string)entry.Id!).Split('-')[1];
        var at = long.Parse((string)entry["at"]!, CultureInfo.InvariantCulture);
        return new StreamEvent(
            long.Parse(id, CultureInfo.InvariantCulture),
            (string)entry["type"]!,
            DateTimeOffset.FromUnixTimeMilliseconds(at),
            JsonNode.Parse((string)entry["data"]!) as JsonObject ?? []);
    }

    private static bool IsLoading(Exception exception) =>
        exception is RedisServerException && exception.Message.StartsWith("LOADING", StringComparison.Ordinal);

    [LoggerMessage(EventId = 6110, Level = LogLevel.Warning, Message = "The shared event stream is unreachable; {Type} and the events after it wait until Redis answers")]
    private static partial void LogAppendWaiting(ILogger logger, Exception exception, string type);

    [LoggerMessage(EventId = 6111, Level = LogLevel.Warning, Message = "Reading the shared event stream failed; retrying")]
    private static partial void LogFollowFailed(ILogger logger, Exception exception);
}

/// <summary>With the Redis store, follows the cluster's event stream into this process's log; with any other store it does nothing.</summary>
public sealed class RedisEventStreamFollower(IServiceProvider services) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Scaling.SharedStateComposition.UsesRedis(services)
            ? services.GetRequiredService<RedisEventStream>().FollowAsync(stoppingToken)
            : Task.CompletedTask;
}
