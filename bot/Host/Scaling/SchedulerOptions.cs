using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Scaling;

/// <summary>Where Quartz keeps its schedule.</summary>
public enum SchedulerStore
{
    /// <summary>In process memory: one bot process; every job runs in it.</summary>
    Memory,

    /// <summary>PostgreSQL with Quartz clustering: N bot processes share the schedule and each firing runs on one of them.</summary>
    Postgres,
}

/// <summary>
/// Section "Scheduler". <see cref="SchedulerStore.Memory"/> is the embedded default; <see cref="SchedulerStore.Postgres"/>
/// turns every periodic job (escalation, monday poll, registry health and sweep, overdue notices, outbox retention)
/// into a cluster-wide job that runs once per interval across all processes sharing <see cref="ConnectionString"/>.
/// </summary>
public sealed class SchedulerOptions
{
    public const string SectionName = "Scheduler";

    public SchedulerStore Store { get; set; } = SchedulerStore.Memory;

    /// <summary>Npgsql connection string ("Host=…;Port=…;Database=…;Username=…;Password=…"); required for Postgres.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The cluster's name (Quartz SCHED_NAME): processes with the same name share jobs. Different bots on one database use different names.</summary>
    public string ClusterName { get; set; } = "discord-ledger-bot";

    /// <summary>How often a process records in the database that it is alive.</summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long past a missed check-in the others wait before they take over a dead process's in-flight jobs.</summary>
    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A firing later than this (all processes down, database unreachable) is a misfire: it is skipped and the job resumes at its next interval.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Creates the Quartz tables that are missing at start (idempotent; never alters or drops). Off when a DBA owns the schema (assets/quartz/create_postgres.sql).</summary>
    public bool CreateSchema { get; set; } = true;

    public bool IsClustered => Store == SchedulerStore.Postgres;

    // The connection string may carry a password: options get logged when startup fails.
    public override string ToString() => $"{Store} cluster={ClusterName} connection={(string.IsNullOrEmpty(ConnectionString) ? "(none)" : "(set)")}";
}

public sealed class SchedulerOptionsValidator : IValidateOptions<SchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Store))
        {
            failures.Add("Scheduler:Store must be Memory or Postgres (env Scheduler__Store).");
        }

        if (options.Store == SchedulerStore.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Scheduler:ConnectionString is required when Scheduler:Store is Postgres (env Scheduler__ConnectionString).");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterName) || options.ClusterName.Length > 100)
        {
            failures.Add("Scheduler:ClusterName must be 1-100 characters (env Scheduler__ClusterName).");
        }

        if (options.CheckinInterval < TimeSpan.FromMilliseconds(500) || options.CheckinInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add("Scheduler:CheckinInterval must be between 00:00:00.5 and 00:05:00 (env Scheduler__CheckinInterval).");
        }

        if (options.CheckinMisfireThreshold < options.CheckinInterval)
        {
            failures.Add("Scheduler:CheckinMisfireThreshold must be at least Scheduler:CheckinInterval (env Scheduler__CheckinMisfireThreshold).");
        }

        if (options.MisfireThreshold < TimeSpan.FromSeconds(1))
        {
            failures.Add("Scheduler:MisfireThreshold must be at least 00:00:01 (env Scheduler__MisfireThreshold).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
