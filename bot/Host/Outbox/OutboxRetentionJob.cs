using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Options;
using Quartz;

namespace DiscordLedgerBot.Outbox;

/// <summary>
/// Applies the retention policy: confirmed outbox records older than <c>Storage:ConfirmedRetention</c> are purged at
/// start and then every <see cref="Interval"/>. Pending, Sent and Failed records are never purged, so nothing that
/// still matters to monday or to an operator can disappear.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class OutboxRetentionJob(IOutboxStore store, IOptions<StorageOptions> options, ILogger<OutboxRetentionJob> logger) : IJob
{
    public static readonly JobKey Key = new("outbox-retention", "outbox");

    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await PurgeOnceAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A store that is briefly unavailable (Redis failover) is retried at the next firing.
            LogPurgeFailed(logger, e);
        }
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox retention purged {Count} confirmed records older than {Retention}")]
    private static partial void LogPurged(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox retention pass failed; retrying at the next firing")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
