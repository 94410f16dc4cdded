using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Outbox;

/// <summary>
/// Applies the retention policy: confirmed outbox records older than <c>Storage:ConfirmedRetention</c> are purged once
/// at start and then every <see cref="Interval"/>. Pending, Sent and Failed records are never purged, so nothing that
/// still matters to monday or to an operator can disappear.
/// </summary>
public sealed partial class OutboxRetentionService(
    IOutboxStore store,
    IOptions<StorageOptions> options,
    TimeProvider time,
    ILogger<OutboxRetentionService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>One purge pass; returns how many confirmed records were removed.</summary>
    public async Task<int> PurgeOnceAsync(CancellationToken cancellationToken)
    {
        var removed = await store.PurgeConfirmedAsync(options.Value.ConfirmedRetention, cancellationToken);
        if (removed > 0)
        {
            LogPurged(logger, removed, options.Value.ConfirmedRetention);
        }

        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await PurgeOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A store that is briefly unavailable (Redis failover) is retried at the next pass.
                    LogPurgeFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox retention purged {Count} confirmed records older than {Retention}")]
    private static partial void LogPurged(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox retention pass failed; retrying at the next pass")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
