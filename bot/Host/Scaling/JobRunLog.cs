using Quartz;

namespace DiscordLedgerBot.Scaling;

/// <summary>
/// One Debug line per job run naming the job, the firing it serves and the process that ran it: with several processes
/// on one clustered schedule this is how an operator (and the cluster tests) see that each firing ran exactly once.
/// </summary>
public sealed partial class JobRunLog(ILogger<JobRunLog> logger) : IJobListener
{
    public string Name => "ledger-bot-job-run-log";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        LogRun(
            context.JobDetail.Key.ToString(),
            context.ScheduledFireTimeUtc?.ToUnixTimeMilliseconds() ?? 0,
            context.Scheduler.SchedulerInstanceId,
            context.Recovering);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    [LoggerMessage(EventId = 9300, Level = LogLevel.Debug, Message = "Job {Job} ran for firing {ScheduledFireMs} on scheduler instance {Instance} (recovering {Recovering})")]
    private partial void LogRun(string job, long scheduledFireMs, string instance, bool recovering);
}
