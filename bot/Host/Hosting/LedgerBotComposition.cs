using DiscordLedgerBot.Api;
using DiscordLedgerBot.Core.Aws;
using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.GitHub;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Scoping;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Core.Sync;
using DiscordLedgerBot.Discord;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Handoff;
using DiscordLedgerBot.Mcp;
using DiscordLedgerBot.Outbox;
using DiscordLedgerBot.Registry;
using DiscordLedgerBot.Scaling;
using DiscordLedgerBot.Slices;
using DiscordLedgerBot.Slices.Escalation;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Speech;
using DiscordLedgerBot.Slices.Voice;
using DiscordLedgerBot.Sync;
using DiscordLedgerBot.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;

namespace DiscordLedgerBot.Hosting;

/// <summary>Which process the product is composed for.</summary>
public enum LedgerBotRole
{
    /// <summary>The long-running bot: gateway, outbox worker, jobs, event readers, HTTP endpoints.</summary>
    Bot,

    /// <summary>An operator verb: the same services, no background work; a store held by a running bot is reached through it.</summary>
    Cli,
}

/// <summary>
/// The one composition root of the product. The bot process, every CLI verb, the sandbox, the bench command and the
/// integration-test kits all call <see cref="AddLedgerBot"/>; they differ only in <see cref="LedgerBotRole"/> and in
/// what they register before it (every product service is TryAdd'ed, so a test or the sandbox substitutes a clock,
/// a store or a ledger by registering it first).
/// </summary>
public static class LedgerBotComposition
{
    public const string HandoffHttpClient = "ledger-bot-handoff";

    public static IServiceCollection AddLedgerBot(this IServiceCollection services, IConfiguration configuration, LedgerBotRole role)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IEventBus, EventBus>();
        services.AddOptions<LedgerOptions>().Bind(configuration.GetSection(LedgerOptions.SectionName));
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName));
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.SectionName));
        services.AddOptions<MondayOptions>().Validate(o => !string.IsNullOrEmpty(o.BoardId) || role == LedgerBotRole.Cli, BoardRequired);
        services.AddHttpClient(HandoffHttpClient, http => http.Timeout = TimeSpan.FromSeconds(30));
        if (role == LedgerBotRole.Cli)
        {
            // Before AddLedgerStorage, whose TryAdd then keeps this: a data directory held by the running bot is reached through it.
            services.TryAddSingleton(OpenStoreOrHandOff);
        }

        services.AddLedgerStorage();
        services.AddMondayLedger(configuration);
        services.AddLedgerSync(configuration);
        services.AddLedgerOutbox(configuration);
        services.TryAddSingleton<OutboxCompletion>();
        services.TryAddSingleton<IDecisionRecorder, OutboxDecisionRecorder>();
        services.AddCapabilityRegistry(configuration);
        services.AddChannelScoping(configuration);
        services.AddGitHubReadouts(configuration);
        services.AddAwsReadouts(configuration);
        services.AddSharedClusterState();
        services.AddDiscordClient(configuration);
        services.AddLedgerSurface(configuration);
        services.AddLedgerBotEscalation(configuration);
        services.AddLedgerSpeech(configuration);
        services.AddLedgerBotVoice(configuration);
        services.AddLedgerBotApi(configuration, hostsEndpoints: role == LedgerBotRole.Bot);
        services.AddLedgerBotMcp(configuration);
        services.AddLedgerBotTelemetry(configuration, prometheus: role == LedgerBotRole.Bot);
        if (role == LedgerBotRole.Bot)
        {
            AddBotProcess(services, configuration);
        }

        return services;
    }

    public const string BoardRequired = "Monday:BoardId is required (env Monday__BoardId); run `./run.sh provision` to create the ledger board and print its id.";

    /// <summary>The options every role needs valid before it touches anything; the bot adds Discord's and the registry's.</summary>
    public static IReadOnlyList<Type> OptionsFor(LedgerBotRole role) => role == LedgerBotRole.Bot
        ? [typeof(MondayOptions), typeof(StorageOptions), typeof(RedisOptions), typeof(OutboxOptions), typeof(LedgerOptions), typeof(RegistryOptions), typeof(Discord.DiscordOptions), typeof(DiscordInteractionsOptions), typeof(ApiOptions), typeof(McpOptions), typeof(SyncOptions), typeof(EscalationOptions), typeof(GitHubOptions), typeof(AwsOptions), typeof(ScopingOptions), typeof(SchedulerOptions), typeof(Core.Speech.SpeechOptions), typeof(VoiceOptions)]
        : [typeof(MondayOptions), typeof(StorageOptions), typeof(RedisOptions), typeof(OutboxOptions), typeof(LedgerOptions), typeof(RegistryOptions)];

    /// <summary>Every configuration problem of <paramref name="optionTypes"/> at once, each naming its key and env variable.</summary>
    public static IReadOnlyList<string> ValidateOptions(IServiceProvider services, IEnumerable<Type> optionTypes)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(optionTypes);
        var failures = new List<string>();
        foreach (var type in optionTypes)
        {
            try
            {
                var accessor = services.GetRequiredService(typeof(IOptions<>).MakeGenericType(type));
                _ = accessor.GetType().GetProperty(nameof(IOptions<object>.Value))!.GetValue(accessor);
            }
            catch (System.Reflection.TargetInvocationException invocation) when (invocation.InnerException is OptionsValidationException invalid)
            {
                failures.AddRange(invalid.Failures);
            }
            catch (OptionsValidationException invalid)
            {
                failures.AddRange(invalid.Failures);
            }
        }

        return failures.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void AddBotProcess(IServiceCollection services, IConfiguration configuration)
    {
        services.AddDiscordGatewayHostedService();
        services.AddHostedService<OutboxHostedService>();
        services.AddHostedService<EventLogResponder>();
        services.AddLedgerSurfaceResponders(configuration);
        services.AddLedgerSpeechWorkers();
        services.TryAddSingleton<BotEndpointPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<BotEndpointPublisher>());
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        services.AddLedgerBotMcpHttp(configuration);
        services.AddLedgerBotJobs(configuration);
        // monday → bot: the poll on the shared scheduler, webhook re-reads on their own reader.
        services.TryAddSingleton<MondayWebhookQueue>();
        services.AddHostedService<MondayWebhookWorker>();
        services.AddHostedService<OwnWriteNotifier>();
        services.AddHostedService<MondaySyncScheduler>();
    }

    /// <summary>
    /// The one scheduler: every periodic job of the process runs on this Quartz instance with the host's clock. The
    /// registry loads and plans its per-tool jobs on it at start; the outbox drain loop is event-driven and not a job.
    /// Part of the bot role; test kits that host only some surfaces add it on its own.
    /// </summary>
    public static IServiceCollection AddLedgerBotJobs(this IServiceCollection services, IConfiguration? configuration = null)
    {
        // Quartz takes its clock at configuration time: a substituted clock must be registered (as an instance) first.
        var time = services.LastOrDefault(d => d.ServiceType == typeof(TimeProvider))?.ImplementationInstance as TimeProvider ?? TimeProvider.System;
        services.AddSchedulerOptions(configuration);
        var store = SchedulerComposition.Read(configuration);
        services.AddQuartz(quartz =>
        {
            quartz.UseTimeProvider(time);
            quartz.UseLedgerBotStore(store);
            quartz.UseDefaultThreadPool(maxConcurrency: 4);
            quartz.ScheduleJob<OutboxRetentionJob>(
                trigger => trigger.WithIdentity("outbox-retention", "outbox").StartNow().WithSimpleSchedule(s => s.WithInterval(OutboxRetentionJob.Interval).RepeatForever()),
                job => job.WithIdentity(OutboxRetentionJob.Key));
            quartz.ScheduleJob<OverdueNoticeJob>(
                trigger => trigger.WithIdentity("overdue-notices", "surface").StartNow().WithSimpleSchedule(s => s.WithInterval(OverdueNoticeJob.Interval).RepeatForever()),
                job => job.WithIdentity(OverdueNoticeJob.Key));
            quartz.ScheduleEscalation(configuration);
        });
        if (store.IsClustered)
        {
            // Every bot declares the same triggers at start. Replacing the stored ones while the cluster runs re-phases the
            // schedule (extra firings) or, when the newcomer adopts the old firing history, repeats a firing another bot
            // already ran (measured both): a joining bot keeps the cluster's triggers instead (docs/operations/scaling.md).
            services.Configure<QuartzOptions>(options =>
            {
                options.Scheduling.IgnoreDuplicates = true;
                options.Scheduling.OverwriteExistingData = false;
            });
        }

        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        services.AddHostedService(sp => sp.GetRequiredService<RegistryHealthScheduler>());
        return services;
    }

    private static IStorageBackend OpenStoreOrHandOff(IServiceProvider services)
    {
        try
        {
            return StorageServiceCollectionExtensions.CreateBackend(services);
        }
        catch (StorageLockedException locked)
        {
            var dataDirectory = services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory;
            var endpoint = BotEndpointFile.TryRead(dataDirectory)
                ?? throw new StorageLockedException($"{locked.Message} No running bot published an endpoint there ({BotEndpointFile.FileName}), so the command cannot be handed to it; wait for the bot to finish starting, or stop the other process.", locked);
            return new HandoffStorage(services.GetRequiredService<IHttpClientFactory>().CreateClient(HandoffHttpClient), endpoint);
        }
    }
}
