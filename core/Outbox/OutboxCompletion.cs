using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>Where a set of recorded commands stands when a caller stopped waiting for them.</summary>
/// <param name="Records">Each command's record as last read, in the order asked for (null: not in the store).</param>
/// <param name="TimedOut">True when the wait ended before every command was confirmed or dead-lettered.</param>
public sealed record OutboxCompletionReport(IReadOnlyList<OutboxRecord?> Records, bool TimedOut)
{
    public bool AllConfirmed => Records.All(r => r?.State == OutboxState.Confirmed);
}

/// <summary>
/// Lets a surface that recorded commands wait, bounded, for their outcome (the CLI's `ledger create` prints the monday
/// item id). With <c>flush</c> the caller is the only process on the store, so it drives the flusher itself; without,
/// a running bot flushes and this only watches the store.
/// </summary>
public sealed partial class OutboxCompletion(
    IOutboxStore store,
    OutboxFlusher flusher,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxCompletion> logger)
{
    public async Task<OutboxCompletionReport> WaitAsync(IReadOnlyList<string> idempotencyKeys, bool flush, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKeys);
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var records = new List<OutboxRecord?>(idempotencyKeys.Count);
            foreach (var key in idempotencyKeys)
            {
                records.Add(await store.GetAsync(key, cancellationToken).ConfigureAwait(false));
            }

            if (records.All(r => r is null || r.IsTerminal))
            {
                return new OutboxCompletionReport(records, TimedOut: false);
            }

            if (time.GetUtcNow() >= deadline)
            {
                return new OutboxCompletionReport(records, TimedOut: true);
            }

            var claimed = 0;
            if (flush)
            {
                try
                {
                    claimed = (await flusher.FlushOnceAsync(cancellationToken).ConfigureAwait(false)).Claimed;
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    // The records stay in the outbox; the next pass (or the bot) sends them.
                    LogFlushFailed(logger, failure);
                }
            }

            if (claimed == 0)
            {
                var remaining = deadline - time.GetUtcNow();
                var pause = remaining < options.Value.FlushInterval ? remaining : options.Value.FlushInterval;
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flushing while waiting for a command failed; trying again")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
