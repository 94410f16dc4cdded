using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;

namespace DiscordLedgerBot.Scaling;

/// <summary>
/// The job store half of the one scheduler: memory for one process, PostgreSQL with Quartz clustering for several.
/// Clustered, a firing is taken by exactly one process (row locks in the database), a process that stops checking in
/// has its in-flight firings recovered by the others after <see cref="SchedulerOptions.CheckinMisfireThreshold"/>, and
/// firings missed while nobody ran are skipped (the repeating triggers' smart misfire policy resumes at the next interval).
/// </summary>
public static class SchedulerComposition
{
    public static SchedulerOptions Read(IConfiguration? configuration) =>
        configuration?.GetSection(SchedulerOptions.SectionName).Get<SchedulerOptions>() ?? new SchedulerOptions();

    public static IServiceCollection AddSchedulerOptions(this IServiceCollection services, IConfiguration? configuration)
    {
        var builder = services.AddOptions<SchedulerOptions>();
        if (configuration is not null)
        {
            builder.Bind(configuration.GetSection(SchedulerOptions.SectionName));
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>());
        return services;
    }

    public static void UseLedgerBotStore(this IQuartzBuilder quartz, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(quartz);
        ArgumentNullException.ThrowIfNull(options);
        quartz.AddJobListener<JobRunLog>(_ => new JobRunLog(_.GetRequiredService<ILogger<JobRunLog>>()));
        if (!options.IsClustered || string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            // Memory (or an invalid Postgres setting, which the options validator reports at start before Quartz runs).
            return;
        }

        quartz.ConfigureScheduler(scheduler => scheduler.InstanceName = options.ClusterName);
        quartz.UsePersistentStore(store =>
        {
            store.UsePostgres(options.ConnectionString);
            if (options.CreateSchema)
            {
                store.ProvisionSchema();
            }

            store.ConfigureStore(ado => ado.MisfireThreshold = options.MisfireThreshold);
            store.UseClustering(cluster =>
            {
                cluster.CheckinInterval = options.CheckinInterval;
                cluster.CheckinMisfireThreshold = options.CheckinMisfireThreshold;
            });
        });
    }
}
