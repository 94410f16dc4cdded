using System.Threading.Channels;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace DiscordLedgerBot.Slices.Speech;

/// <summary>What the speech slice's queues and HTTP clients share: draining a work queue, and the resilience order.</summary>
internal static class SpeechWork
{
    /// <summary>
    /// Drains <paramref name="queue"/> until the host stops. One item that fails must not stop the others, so a failure
    /// is handed to <paramref name="failed"/> (which logs it with the item's id) and the loop goes on.
    /// </summary>
    public static async Task DrainAsync<T>(ChannelReader<T> queue, Func<T, CancellationToken, Task> process, Action<Exception, T> failed, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var item in queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await process(item, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // See the summary: the failure is reported, the queue keeps draining.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    failed(exception, item);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    /// <summary>
    /// The host's HTTP order for one speaker's request: a bound on the whole call, retries that honour the server's
    /// Retry-After, and a per-attempt timeout, all on the host's <see cref="TimeProvider"/>.
    /// </summary>
    public static void AddRequestPolicy(ResiliencePipelineBuilder<HttpResponseMessage> builder, TimeProvider time, TimeSpan total, int retries, TimeSpan retryDelay, TimeSpan attempt)
    {
        builder.TimeProvider = time;
        builder.AddTimeout(total);
        if (retries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                Delay = retryDelay,
                BackoffType = DelayBackoffType.Exponential,

                // Deterministic waits: one speaker's request, not a fleet to de-synchronise.
                UseJitter = false,
                ShouldRetryAfterHeader = true,
            });
        }

        builder.AddTimeout(attempt);
    }
}
