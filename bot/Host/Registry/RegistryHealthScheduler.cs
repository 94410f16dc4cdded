using DiscordLedgerBot.Core.Registry;
using Microsoft.Extensions.Options;
using Quartz;

namespace DiscordLedgerBot.Registry;

/// <summary>
/// Plans the registry's jobs on the host's one Quartz scheduler (see <c>LedgerBotJobs</c>): one repeating trigger per
/// tool at its check interval, plus the sweep (staleness, pruning, override expiry, adopting CLI changes). Re-plans
/// whenever the tool set changes. Loads (or seeds) the registry first, so nothing reads an empty registry.
/// </summary>
public sealed partial class RegistryHealthScheduler : IHostedService, IAsyncDisposable
{
    private const string JobGroup = "capability-registry";
    private const string SweepJobName = "sweep";
    private readonly CapabilityRegistry _registry;
    private readonly IRegistryStore _store;
    private readonly ISchedulerFactory _schedulers;
    private readonly TimeProvider _time;
    private readonly RegistryOptions _options;
    private readonly ILogger<RegistryHealthScheduler> _logger;
    private readonly SemaphoreSlim _planLock = new(1, 1);
    private readonly Dictionary<string, TimeSpan> _scheduled = new(StringComparer.Ordinal);
    private IScheduler? _scheduler;

    public RegistryHealthScheduler(
        CapabilityRegistry registry,
        IRegistryStore store,
        ISchedulerFactory schedulers,
        TimeProvider time,
        IOptions<RegistryOptions> options,
        ILogger<RegistryHealthScheduler> logger)
    {
        _registry = registry;
        _store = store;
        _schedulers = schedulers;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await RegistryBootstrap.InitializeAsync(_registry, _store, _options, cancellationToken);
        await _registry.FollowSharedHealthAsync(cancellationToken);
        if (!_options.HealthChecksEnabled)
        {
            LogChecksDisabled();
            return;
        }

        _scheduler = await _schedulers.GetScheduler(cancellationToken);
        var sweep = JobBuilder.Create<RegistrySweepJob>().WithIdentity(SweepJobName, JobGroup).DisallowConcurrentExecution(true).Build();
        var sweepTrigger = TriggerBuilder.Create(_time)
            .WithIdentity(SweepJobName, JobGroup)
            .ForJob(sweep)
            .StartNow()
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(_options.SweepIntervalSeconds)).RepeatForever())
            .Build();
        if (!await KeepsStoredTriggerAsync(sweepTrigger.Key, TimeSpan.FromSeconds(_options.SweepIntervalSeconds), cancellationToken))
        {
            await _scheduler.ScheduleJob(sweep, sweepTrigger, ScheduleJobOptions.Replacing, cancellationToken);
        }

        _registry.ToolsChanged += OnToolsChanged;
        await PlanAsync(cancellationToken);
    }

    // The scheduler belongs to the host's Quartz service, which stops it; this only stops re-planning.
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registry.ToolsChanged -= OnToolsChanged;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _registry.ToolsChanged -= OnToolsChanged;
        _planLock.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Brings the triggers in line with the registered tools: adds new ones, re-times changed ones, removes gone ones.</summary>
    private async Task PlanAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is null)
        {
            return;
        }

        await _planLock.WaitAsync(cancellationToken);
        try
        {
            var desired = _registry.ListTools().ToDictionary(t => t.Definition.Id, t => t.Definition.HealthCheck.Interval, StringComparer.Ordinal);
            foreach (var gone in _scheduled.Keys.Where(id => !desired.ContainsKey(id)).ToList())
            {
                await _scheduler.DeleteJob(new JobKey(JobName(gone), JobGroup), cancellationToken);
                _scheduled.Remove(gone);
            }

            foreach (var (toolId, interval) in desired)
            {
                if (_scheduled.TryGetValue(toolId, out var current) && current == interval)
                {
                    continue;
                }

                if (await KeepsStoredTriggerAsync(new TriggerKey(JobName(toolId), JobGroup), interval, cancellationToken))
                {
                    _scheduled[toolId] = interval;
                    continue;
                }

                var job = JobBuilder.Create<RegistryHealthJob>()
                    .WithIdentity(JobName(toolId), JobGroup)
                    .UsingJobData(RegistryHealthJob.ToolIdKey, toolId)
                    .DisallowConcurrentExecution(true)
                    .Build();
                var trigger = TriggerBuilder.Create(_time)
                    .WithIdentity(JobName(toolId), JobGroup)
                    .ForJob(job)
                    .StartNow()
                    .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(interval).RepeatForever())
                    .Build();
                await _scheduler.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing, cancellationToken);
                _scheduled[toolId] = interval;
            }

            LogPlanned(_scheduled.Count);
        }
        finally
        {
            _planLock.Release();
        }
    }

    /// <summary>
    /// A clustered store already holds the triggers another bot planned. Replacing one with the same interval would
    /// re-phase it (an extra check inside one interval), so a joining bot keeps what is stored; only a changed
    /// interval is re-planned.
    /// </summary>
    private async Task<bool> KeepsStoredTriggerAsync(TriggerKey key, TimeSpan interval, CancellationToken cancellationToken) =>
        await _scheduler!.GetTrigger(key, cancellationToken) is ISimpleTrigger stored && stored.RepeatInterval == interval;

    private void OnToolsChanged(object? sender, EventArgs e) => _ = ReplanAsync();

    private async Task ReplanAsync()
    {
        try
        {
            await PlanAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is SchedulerException or ObjectDisposedException or InvalidOperationException)
        {
            LogPlanFailed(ex);
        }
    }

    private static string JobName(string toolId) => "health-" + toolId;

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "Registry health checks scheduled for {Count} tools")]
    private partial void LogPlanned(int count);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Error, Message = "Re-planning registry health checks failed")]
    private partial void LogPlanFailed(Exception exception);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Warning, Message = "Registry health checks are disabled (Registry:HealthChecksEnabled=false); tools stay unknown until enabled")]
    private partial void LogChecksDisabled();
}

/// <summary>Probes one tool; the tool id comes from the job data.</summary>
[DisallowConcurrentExecution]
public sealed partial class RegistryHealthJob(RegistryHealthMonitor monitor, ILogger<RegistryHealthJob> logger) : IJob
{
    public const string ToolIdKey = "toolId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!context.MergedJobDataMap.TryGetValue(ToolIdKey, out var value) || value is not string toolId)
        {
            return;
        }

        try
        {
            await monitor.CheckToolAsync(toolId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A broken checker must not kill the trigger; the tool simply gets no result (and turns stale).
            LogCheckFailed(ex, toolId);
        }
    }

    [LoggerMessage(EventId = 4113, Level = LogLevel.Error, Message = "Health check of tool {ToolId} could not run")]
    private partial void LogCheckFailed(Exception exception, string toolId);
}

/// <summary>Staleness, pruning and override expiry; then adopts registry changes another writer (the CLI) persisted.</summary>
[DisallowConcurrentExecution]
public sealed partial class RegistrySweepJob(CapabilityRegistry registry, ILogger<RegistrySweepJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await registry.ReloadIfChangedAsync(cancellationToken);
            await registry.SweepAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSweepFailed(ex);
        }
    }

    [LoggerMessage(EventId = 4114, Level = LogLevel.Error, Message = "Registry sweep failed")]
    private partial void LogSweepFailed(Exception exception);
}
