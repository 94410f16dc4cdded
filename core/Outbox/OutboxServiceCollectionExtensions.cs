using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Monday;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Outbox;

public static class OutboxServiceCollectionExtensions
{
    /// <summary>
    /// Registers ingestion, flusher, reconciler, worker and the outcome hub (<see cref="IOutboxEvents"/>), with
    /// <see cref="OutboxOptions"/> bound from the <c>Outbox</c> section and validated at start. Needs an
    /// <see cref="Storage.IOutboxStore"/> (<c>AddLedgerStorage</c>) and an <see cref="Ledger.ILedger"/> (<c>AddMondayLedger</c>);
    /// when the ledger is monday's, reconciliation asks about 100 keys per request.
    /// </summary>
    public static IServiceCollection AddLedgerOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IEventBus, EventBus>();
        services.TryAddSingleton<OutboxEventHub>();
        services.TryAddSingleton<IOutboxEvents>(sp => sp.GetRequiredService<OutboxEventHub>());
        services.TryAddSingleton<IOutboxEventSink>(sp => sp.GetRequiredService<OutboxEventHub>());
        services.TryAddSingleton<ILedgerKeyLookup>(sp => sp.GetService<MondayLedger>() is { } monday
            ? new MondayLedgerKeyLookup(monday)
            : new PerKeyLedgerLookup(sp.GetRequiredService<Ledger.ILedger>()));
        services.TryAddSingleton<LedgerIngestion>();
        services.TryAddSingleton<OutboxReconciler>();
        services.TryAddSingleton<OutboxFlusher>();
        services.TryAddSingleton<OutboxWorker>();
        return services;
    }
}
