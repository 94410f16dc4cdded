using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Registry;

namespace DiscordLedgerBot.Hosting;

/// <summary>
/// The first reader of the event bus: every outbox outcome and registry event becomes one structured log line
/// (event type and its identifying fields as properties), so operators see what the bot did without a debugger.
/// </summary>
public sealed partial class EventLogResponder(IEventBus bus, ILogger<EventLogResponder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = bus.Subscribe<object>("event-log");
        try
        {
            await foreach (var @event in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                Log(@event);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    private void Log(object @event)
    {
        switch (@event)
        {
            case OutboxCommandRecorded recorded:
                LogRecordedCommand(logger, recorded.IdempotencyKey, recorded.CommandKind, recorded.EntryKey);
                break;
            case OutboxCommandConfirmed confirmed:
                LogConfirmed(logger, confirmed.IdempotencyKey, confirmed.CommandKind, confirmed.EntryKey, confirmed.MondayItemId, confirmed.Attempts, confirmed.Reconciled);
                break;
            case OutboxCommandFailed { IsDeadLettered: true } dead:
                LogDeadLettered(logger, dead.IdempotencyKey, dead.CommandKind, dead.EntryKey, dead.Attempts, dead.Reason);
                break;
            case OutboxCommandFailed failed:
                LogRetrying(logger, failed.IdempotencyKey, failed.CommandKind, failed.EntryKey, failed.Attempts, failed.RetryAt, failed.Reason);
                break;
            case ToolHealthChanged health:
                LogHealth(logger, health.ToolId, health.Previous, health.Current, health.Detail);
                break;
            case CircuitStateChanged circuit:
                LogCircuit(logger, circuit.ToolId, circuit.Previous, circuit.Current, circuit.Reason);
                break;
            case OverrideChanged change:
                LogOverride(logger, change.Override.ToolId, change.Change, change.Override.Describe(), change.Actor, change.Reason);
                break;
            case ToolStale stale:
                LogStale(logger, stale.ToolId, stale.LastEvidenceAt);
                break;
            default:
                LogOther(logger, @event.GetType().Name, @event.ToString() ?? string.Empty);
                break;
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Ledger command confirmed: {IdempotencyKey} {CommandKind} for {LedgerKey} → monday item {MondayItemId} (attempts {Attempts}, reconciled {Reconciled})")]
    private static partial void LogConfirmed(ILogger logger, string idempotencyKey, string commandKind, string ledgerKey, string mondayItemId, int attempts, bool reconciled);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Ledger command dead-lettered: {IdempotencyKey} {CommandKind} for {LedgerKey} after {Attempts} attempt(s): {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string idempotencyKey, string commandKind, string ledgerKey, int attempts, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Ledger command will be retried: {IdempotencyKey} {CommandKind} for {LedgerKey}, attempt {Attempts}, next at {RetryAt:O}: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string idempotencyKey, string commandKind, string ledgerKey, int attempts, DateTimeOffset? retryAt, string reason);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Tool {ToolId} health {Previous} → {Current}: {Detail}")]
    private static partial void LogHealth(ILogger logger, string toolId, HealthStatus previous, HealthStatus current, string detail);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Tool {ToolId} circuit {Previous} → {Current}: {Reason}")]
    private static partial void LogCircuit(ILogger logger, string toolId, CircuitState previous, CircuitState current, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Tool {ToolId} override {Change}: {Override} by {Actor} ({Reason})")]
    private static partial void LogOverride(ILogger logger, string toolId, OverrideChangeKind change, string @override, string actor, string reason);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Tool {ToolId} is stale: no health evidence since {LastEvidenceAt:O}")]
    private static partial void LogStale(ILogger logger, string toolId, DateTimeOffset lastEvidenceAt);

    // Every command is recorded once and confirmed once; the confirmation is the line operators need at Information.
    [LoggerMessage(EventId = 5009, Level = LogLevel.Debug, Message = "Ledger command recorded: {IdempotencyKey} {CommandKind} for {LedgerKey}")]
    private static partial void LogRecordedCommand(ILogger logger, string idempotencyKey, string commandKind, string ledgerKey);

    // A string, not object: the logging generator that comes with Microsoft.Extensions.Http.Resilience (telemetry)
    // accepts only parameters it knows how to format.
    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "{EventType}: {Event}")]
    private static partial void LogOther(ILogger logger, string eventType, string @event);
}
