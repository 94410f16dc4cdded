using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Telemetry;

/// <summary>
/// Turns bus events into metrics (commands recorded, confirm latency, dead letters, escalations fired/acknowledged) and samples the outbox's depth and
/// oldest pending age on an interval, so the gauges are cheap to scrape.
/// </summary>
public sealed partial class TelemetryEventReader(
    IEventBus bus,
    IOutboxStore store,
    LedgerBotMetrics metrics,
    TimeProvider time,
    ILogger<TelemetryEventReader> logger) : BackgroundService
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(15);

    private EventSubscription<object>? _subscription;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.Subscribe<object>("telemetry");
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.WhenAll(ReadEventsAsync(_subscription!, stoppingToken), SampleOutboxAsync(stoppingToken));
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        base.Dispose();
    }

    private async Task ReadEventsAsync(EventSubscription<object> subscription, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var @event in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                switch (@event)
                {
                    case OutboxCommandRecorded recorded:
                        metrics.CommandRecorded(recorded.CommandKind);
                        break;
                    case OutboxCommandConfirmed confirmed when await store.GetAsync(confirmed.IdempotencyKey, stoppingToken) is { } record:
                        metrics.CommandConfirmed(confirmed.CommandKind, time.GetUtcNow() - record.CreatedAt);
                        break;
                    case OutboxCommandFailed { IsDeadLettered: true } dead:
                        metrics.CommandDeadLettered(dead.CommandKind);
                        break;
                    case EscalationFired fired:
                        metrics.EscalationFired(fired.Policy, fired.Level);
                        break;
                    case EscalationAcknowledged acknowledged:
                        metrics.EscalationAcknowledged(acknowledged.Policy, acknowledged.Source);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    private async Task SampleOutboxAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SampleInterval, time);
        try
        {
            do
            {
                try
                {
                    var counts = await store.CountAsync(stoppingToken);
                    var oldest = (await store.ListAsync(OutboxState.Pending, 1, stoppingToken)).FirstOrDefault();
                    metrics.OutboxSampled(counts, oldest is null ? TimeSpan.Zero : time.GetUtcNow() - oldest.CreatedAt);
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    // A store outage must not stop telemetry; the storage health check reports the outage itself.
                    LogSampleFailed(logger, failure);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sampling the outbox for metrics failed")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
