using Microsoft.Extensions.Options;
using System.Threading.Channels;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Core.Sync;

namespace DiscordLedgerBot.Sync;

/// <summary>
/// <c>POST /webhooks/monday/{pathToken}</c>: answers monday's challenge; refuses a wrong path token or JWT with 401 and
/// reads nothing; drops a <c>triggerUuid</c> it has seen (monday retries deliveries for 30 minutes); queues a targeted
/// re-read of the item for <see cref="MondayWebhookWorker"/> and answers at once (the payload is never trusted).
/// </summary>
public static partial class MondayWebhookEndpoint
{
    public const string Route = "/webhooks/monday/{pathToken}";
    private const int MaxBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapMondayWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, ReceiveAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> ReceiveAsync(
        string pathToken,
        HttpRequest request,
        MondayWebhookVerifier verifier,
        IDedupeStore dedupe,
        MondayWebhookQueue queue,
        IOptions<SyncOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (options.Value.WebhookPathToken.Length == 0)
        {
            return Results.NotFound();
        }

        var logger = loggers.CreateLogger(typeof(MondayWebhookEndpoint).FullName!);
        if (request.ContentLength > MaxBodyBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        // Chunked bodies carry no Content-Length: read at most one character more than allowed.
        var buffer = new char[MaxBodyBytes + 1];
        int read;
        using (var reader = new StreamReader(request.Body))
        {
            read = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        }

        if (read > MaxBodyBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var body = new string(buffer, 0, read);

        switch (verifier.Verify(pathToken, request.Headers.Authorization.ToString(), body))
        {
            case WebhookVerdict.Unauthorized refused:
                queue.CountRefused();
                LogRefused(logger, refused.Reason);
                return Results.Unauthorized();
            case WebhookVerdict.Malformed malformed:
                return Results.BadRequest(new { error = malformed.Reason });
            case WebhookVerdict.Challenge challenge:
                return Results.Json(new { challenge = challenge.Value });
            case WebhookVerdict.ItemEvent item:
                if (!await dedupe.TryMarkAsync("monday:webhook:" + item.TriggerUuid, options.Value.WebhookDedupeWindow, cancellationToken))
                {
                    queue.CountDuplicate();
                    return Results.Ok();
                }

                queue.Enqueue(item.ItemId);
                return Results.Ok();
            default:
                return Results.Ok();
        }
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Refused a monday webhook delivery: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}

/// <summary>Item ids webhooks asked to re-read, and what the receiver did (for operators and tests).</summary>
public sealed class MondayWebhookQueue
{
    private readonly Channel<string> _items = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
    private long _accepted;
    private long _duplicates;
    private long _refused;
    private long _reread;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Re-reads finished (whether or not the item had changed).</summary>
    public long Reread => Interlocked.Read(ref _reread);

    internal ChannelReader<string> Reader => _items.Reader;

    // A dropped id is not lost: the poller reads every change since its watermark anyway.
    internal void Enqueue(string itemId)
    {
        Interlocked.Increment(ref _accepted);
        _items.Writer.TryWrite(itemId);
    }

    internal void CountDuplicate() => Interlocked.Increment(ref _duplicates);

    internal void CountRefused() => Interlocked.Increment(ref _refused);

    internal void CountReread() => Interlocked.Increment(ref _reread);
}

/// <summary>Re-reads items webhooks pointed at, one at a time, and reconciles them like a poll does.</summary>
public sealed partial class MondayWebhookWorker(MondayWebhookQueue queue, LedgerSync sync, ILogger<MondayWebhookWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var itemId in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await sync.RefreshItemAsync(itemId, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // One failed re-read must not stop the others; the poller covers the item at its next interval.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    LogRereadFailed(logger, exception, itemId);
                }
                finally
                {
                    queue.CountReread();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    [LoggerMessage(EventId = 7011, Level = LogLevel.Warning, Message = "Re-reading monday item {ItemId} after a webhook failed; the next poll covers it")]
    private static partial void LogRereadFailed(ILogger logger, Exception exception, string itemId);
}
