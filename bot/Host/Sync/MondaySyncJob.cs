using Microsoft.Extensions.Options;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Sync;
using Quartz;

namespace DiscordLedgerBot.Sync;

/// <summary>One poll of monday for items changed since the last one. Never two at once: a slow poll delays the next.</summary>
[DisallowConcurrentExecution]
public sealed partial class MondaySyncJob(LedgerSync sync, ILogger<MondaySyncJob> logger) : IJob
{
    public static readonly JobKey Key = new("monday-poll", "sync");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            var result = await sync.PollAsync(cancellationToken);
            if (result.Changes > 0)
            {
                LogPolled(logger, result.ItemsRead, result.Changes, result.Requests);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failed poll (monday down, board missing) is logged; the next interval tries again from the same watermark.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogPollFailed(logger, exception);
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "monday poll: {Items} items read, {Changes} changed on monday, {Requests} requests")]
    private static partial void LogPolled(ILogger logger, int items, int changes, int requests);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "monday poll failed; the next poll retries from the same watermark")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}

/// <summary>Schedules <see cref="MondaySyncJob"/> on the host's Quartz scheduler at <see cref="SyncOptions.PollInterval"/>.</summary>
public sealed class MondaySyncScheduler(ISchedulerFactory schedulers, TimeProvider time, IOptions<SyncOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<MondaySyncJob>().WithIdentity(MondaySyncJob.Key).Build();
        // The first poll waits one interval: the item index was just warmed from the board.
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity("monday-poll", "sync")
            .ForJob(job)
            .StartAt(time.GetUtcNow() + options.Value.PollInterval)
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(options.Value.PollInterval).RepeatForever())
            .Build();
        await scheduler.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing, cancellationToken);
    }

    // The scheduler belongs to the host's Quartz service, which stops it.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Keeps the local view current after the bot's own writes (outbox confirmations from any surface): marks the entry at
/// once, so a poll does not announce the write as a monday edit, then re-reads what was confirmed in batches and stores
/// it silently.
/// </summary>
public sealed partial class OwnWriteNotifier(IEventBus bus, LedgerSync sync, ILogger<OwnWriteNotifier> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private EventSubscription<OutboxCommandConfirmed>? _subscription;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribed before the host serves requests, so no confirmation slips past.
        _subscription = bus.Subscribe<OutboxCommandConfirmed>("sync-own-writes", 16_384);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _subscription!.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<(string, string)>();
                while (batch.Count < BatchSize && reader.TryRead(out var confirmed))
                {
                    sync.NoteOwnWrite(confirmed.EntryKey);
                    batch.Add((confirmed.EntryKey, confirmed.MondayItemId));
                }

                try
                {
                    await sync.AbsorbOwnWritesAsync(batch, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // The view catches up at the next poll; one failed read must not stop the reader.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    LogAbsorbFailed(logger, exception, batch.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Could not re-read {Count} entries the bot just wrote; the next poll brings them in")]
    private static partial void LogAbsorbFailed(ILogger logger, Exception exception, int count);
}
