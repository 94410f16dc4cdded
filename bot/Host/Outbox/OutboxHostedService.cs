using DiscordLedgerBot.Core.Outbox;

namespace DiscordLedgerBot.Outbox;

/// <summary>Runs the outbox worker (reconcile at start, then flush and reconcile on their intervals) for the host's lifetime.</summary>
public sealed partial class OutboxHostedService(OutboxWorker worker, ILogger<OutboxHostedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting(logger);
        try
        {
            await worker.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown; claimed records stay Sent and are reconciled by the next start.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox worker starting")]
    private static partial void LogStarting(ILogger logger);
}
