using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Sync;

namespace DiscordLedgerBot.Api.Events;

/// <summary>
/// Reads the process's event bus and appends what the stream carries to the event log (this process's
/// <see cref="EventLog"/>, or with the Redis store the cluster's <see cref="RedisEventStream"/>): outbox records and
/// outcomes as item.*, changes people made on monday as item.changed with origin monday, escalations fired and
/// acknowledged, registry health and override changes. Its bus subscription is as large as the log, so a burst
/// the log can hold is not dropped on the way in.
/// </summary>
public sealed class EventLogRecorder(IEventBus bus, IEventLogSink log, Microsoft.Extensions.Options.IOptions<ApiOptions> options) : BackgroundService
{
    private EventSubscription<object>? _subscription;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribed before the host starts serving, so nothing published once requests flow is missed.
        _subscription = bus.Subscribe<object>("event-stream-log", options.Value.Events.Capacity);
        return base.StartAsync(cancellationToken);
    }

    public static (string Type, JsonObject Data)? ToStreamEvent(object @event) => @event switch
    {
        OutboxCommandRecorded recorded => (recorded.CommandKind == "create" ? StreamEventTypes.ItemCreated : StreamEventTypes.ItemChanged, new JsonObject
        {
            ["key"] = recorded.EntryKey,
            ["commandId"] = recorded.IdempotencyKey,
            ["operation"] = recorded.CommandKind,
        }),
        OutboxCommandConfirmed confirmed => (StreamEventTypes.ItemConfirmed, new JsonObject
        {
            ["key"] = confirmed.EntryKey,
            ["commandId"] = confirmed.IdempotencyKey,
            ["operation"] = confirmed.CommandKind,
            ["mondayItemId"] = confirmed.MondayItemId,
            ["attempts"] = confirmed.Attempts,
            ["reconciled"] = confirmed.Reconciled,
        }),
        OutboxCommandFailed failed => (StreamEventTypes.ItemFailed, new JsonObject
        {
            ["key"] = failed.EntryKey,
            ["commandId"] = failed.IdempotencyKey,
            ["operation"] = failed.CommandKind,
            ["attempts"] = failed.Attempts,
            ["reason"] = failed.Reason,
            ["deadLettered"] = failed.IsDeadLettered,
            ["retryAt"] = failed.RetryAt,
        }),
        LedgerItemChangedOnMonday changed => (StreamEventTypes.ItemChanged, new JsonObject
        {
            ["key"] = changed.After.Key.Value,
            ["origin"] = "monday",
            ["mondayItemId"] = changed.After.MondayItemId,
            ["fields"] = new JsonArray([.. Enum.GetValues<LedgerFields>().Where(f => f != LedgerFields.None && changed.Fields.HasFlag(f)).Select(f => (JsonNode)JsonValue.Create(f.ToString().ToLowerInvariant())!)]),
            ["status"] = changed.After.Status?.ToWireName(),
            ["owner"] = changed.After.Owner,
            ["dueDate"] = changed.After.DueDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["active"] = changed.After.IsActive,
        }),
        ToolHealthChanged health => (StreamEventTypes.ToolHealthChanged, new JsonObject
        {
            ["toolId"] = health.ToolId,
            ["previous"] = health.Previous.ToString().ToLowerInvariant(),
            ["current"] = health.Current.ToString().ToLowerInvariant(),
            ["detail"] = health.Detail,
        }),
        OverrideChanged change => (change.Change == OverrideChangeKind.Set ? StreamEventTypes.OverrideSet : StreamEventTypes.OverrideCleared, new JsonObject
        {
            ["toolId"] = change.Override.ToolId,
            ["workflow"] = change.Override.Workflow,
            ["override"] = change.Override.Describe(),
            ["change"] = change.Change.ToString().ToLowerInvariant(),
            ["actor"] = change.Actor,
            ["reason"] = change.Reason,
        }),
        EscalationFired fired => (StreamEventTypes.EscalationFired, new JsonObject
        {
            ["key"] = fired.EntryKey,
            ["episode"] = fired.EpisodeId,
            ["policy"] = fired.Policy,
            ["level"] = fired.Level,
            ["cycle"] = fired.Cycle,
            ["reason"] = fired.Reason,
            ["actor"] = fired.Actor,
            ["at"] = fired.At,
        }),
        EscalationAcknowledged acknowledged => (StreamEventTypes.EscalationAcknowledged, new JsonObject
        {
            ["key"] = acknowledged.EntryKey,
            ["episode"] = acknowledged.EpisodeId,
            ["policy"] = acknowledged.Policy,
            ["level"] = acknowledged.Level,
            ["actor"] = acknowledged.Actor,
            ["source"] = acknowledged.Source,
            ["at"] = acknowledged.At,
        }),
        _ => null,
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscription = _subscription!;
        try
        {
            await foreach (var @event in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                if (ToStreamEvent(@event) is { } mapped)
                {
                    await log.AppendAsync(mapped.Type, mapped.Data, stoppingToken);
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
}
