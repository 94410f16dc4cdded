using Microsoft.Extensions.Options;
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
