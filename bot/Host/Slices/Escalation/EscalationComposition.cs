using DiscordLedgerBot.Core.Escalation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;

namespace DiscordLedgerBot.Slices.Escalation;

/// <summary>The escalation engine with its Discord notices and buttons, and its Quartz job. Called from <c>AddLedgerBot</c>.</summary>
public static class EscalationComposition
{
    public static IServiceCollection AddLedgerBotEscalation(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<IEscalationNotifier, DiscordEscalationNotifier>();
        services.AddLedgerEscalation(configuration);
        services.TryAddSingleton<EscalationSlice>();
        services.TryAddTransient<EscalationJob>();
        return services;
    }

    /// <summary>Schedules <see cref="EscalationJob"/> every Escalation:Interval, unless Escalation:Enabled is false.</summary>
    public static void ScheduleEscalation(this IQuartzBuilder quartz, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(quartz);
        var options = configuration?.GetSection(EscalationOptions.SectionName).Get<EscalationOptions>() ?? new EscalationOptions();
        if (!options.Enabled)
        {
            return;
        }

        // An interval out of range is reported by the options validator at start; the schedule must still be buildable until then.
        var interval = options.Interval >= TimeSpan.FromSeconds(1) ? options.Interval : new EscalationOptions().Interval;
        quartz.ScheduleJob<EscalationJob>(
            trigger => trigger.WithIdentity("escalation", "escalation").StartNow().WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()),
            job => job.WithIdentity(EscalationJob.Key));
    }
}
