using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Escalation;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Ledger.Commands;
using DiscordLedgerBot.Slices.Readouts;
using DiscordLedgerBot.Slices.Registry;
using DiscordLedgerBot.Slices.Shared;
using DiscordLedgerBot.Slices.Voice;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DiscordLedgerBot.Slices;

/// <summary>
/// The bot's Discord surface: /ledger, /registry, /github, /aws and (when enabled) /voice, their routes, item and tool cards, owner mapping. Called from
/// <c>AddLedgerBot</c>; the slices only translate interactions into core commands and events into cards.
/// </summary>
public static class SurfaceComposition
{
    public static IServiceCollection AddLedgerSurface(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SurfaceOptions>().Bind(configuration.GetSection(SurfaceOptions.SectionName));
        services.TryAddSingleton<SurfaceAuthority>();
        services.TryAddSingleton<OwnerDirectory>();
        services.TryAddSingleton<LedgerItemIndex>();
        services.TryAddSingleton<LedgerPassSource>();
        services.TryAddSingleton<DiscordLedgerBot.Core.Sync.ILedgerLocalView>(sp => sp.GetRequiredService<LedgerItemIndex>());
        services.TryAddSingleton<CardStore>();
        services.TryAddSingleton<DigestLog>();
        services.TryAddSingleton<SurfaceJournal>();
        services.TryAddSingleton<ItemDetailsReader>();
        services.TryAddSingleton<ItemLinks>();
        services.TryAddSingleton<LedgerBoardProvisioner>();
        services.TryAddSingleton<ButtonPressAudit>();
        services.TryAddSingleton<LedgerWrites>();
        services.TryAddSingleton<CreateItemHandler>();
        services.TryAddSingleton<StatusHandler>();
        services.TryAddSingleton<AssignHandler>();
        services.TryAddSingleton<DueHandler>();
        services.TryAddSingleton<NoteHandler>();
        services.TryAddSingleton<FollowUpHandler>();
        services.TryAddSingleton<ShowHandler>();
        services.TryAddSingleton<ListHandler>();
        services.TryAddSingleton<LinkHandler>();
        services.TryAddSingleton<NotifyHandler>();
        services.TryAddSingleton<SetupHandler>();
        services.TryAddSingleton<LedgerAutocompleteHandler>();
        services.TryAddSingleton<LedgerModule>();
        services.TryAddSingleton<RegistryModule>();
        services.TryAddSingleton<ReadoutsModule>();
        services.TryAddTransient<OverdueNoticeJob>();
        services.AddDiscordInteractions(configuration, MapRoutes);
        return services;
    }

    /// <summary>The long-running parts: command registration, card responders, warming the local caches (the overdue job is scheduled in AddLedgerBotJobs).</summary>
    public static IServiceCollection AddLedgerSurfaceResponders(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IReadOnlyList<ApplicationCommand> commands = [LedgerCommandDeclaration.Build(), RegistryModule.Declaration(), ReadoutsModule.GitHubDeclaration(), ReadoutsModule.AwsDeclaration()];
        services.AddDiscordApplicationCommands(VoiceComposition.IsEnabled(configuration) ? [.. commands, VoiceModule.Declaration()] : commands);
        services.AddHostedService<SurfaceWarmup>();
        services.AddHostedService<CardResponder>();
        services.AddHostedService<RegistryCardResponder>();
        return services;
    }

    private static void MapRoutes(IServiceProvider services, InteractionRouter router)
    {
        services.GetRequiredService<LedgerModule>().Map(router);
        services.GetRequiredService<RegistryModule>().Map(router);
        services.GetRequiredService<ReadoutsModule>().Map(router);
        services.GetRequiredService<EscalationSlice>().Map(router);
        services.GetRequiredService<Speech.SpeechSlice>().Map(router);
        services.GetService<VoiceModule>()?.Map(router);
    }
}

/// <summary>Fills the item index and the owner links at start, in the background: a slow monday must not delay the gateway.</summary>
public sealed partial class SurfaceWarmup(LedgerItemIndex index, OwnerDirectory owners, ILogger<SurfaceWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await owners.LoadAsync(stoppingToken);
            await index.WarmAsync(stoppingToken);
            LogWarm(logger, index.Count, owners.All.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
#pragma warning disable CA1031 // Autocomplete starts empty and fills from confirmations; the failure is logged.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogWarmFailed(logger, exception);
        }
    }

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Surface caches warm: {Items} ledger item(s), {Links} owner link(s)")]
    private static partial void LogWarm(ILogger logger, int items, int links);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Could not warm the surface caches from monday; autocomplete fills as items are confirmed")]
    private static partial void LogWarmFailed(ILogger logger, Exception exception);
}
