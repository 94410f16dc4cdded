using System.Diagnostics.Metrics;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Telemetry;

/// <summary>
/// The host's own instruments on the <see cref="LedgerBotTelemetry.MeterName"/> meter (docs/operations/telemetry.md
/// explains each). The outbox gauges read values sampled by <see cref="TelemetryEventReader"/>, so a scrape never waits on the store.
/// </summary>
public sealed class LedgerBotMetrics : IDisposable
{
    private readonly Meter _meter;
    private long _subscribers;
    private readonly Counter<long> _eventsSent;
    private readonly Counter<long> _clientsDropped;
    private readonly Histogram<double> _confirmLatency;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _commandsRecorded;
    private readonly Counter<long> _escalations;
    private readonly CapabilityRegistry _registry;
    private OutboxCounts _counts = new(0, 0, 0, 0);
    private double _oldestPendingAgeSeconds;

    public LedgerBotMetrics(IMeterFactory meters, CapabilityRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _registry = registry;
        _meter = meters.Create(LedgerBotTelemetry.MeterName);
        // Observed rather than counted, so the gauge is exported (as 0) before anyone connects.
        _meter.CreateObservableUpDownCounter("dlb.event_stream.subscribers", () => Interlocked.Read(ref _subscribers), description: "Clients connected to GET /api/v1/events");
        _eventsSent = _meter.CreateCounter<long>("dlb.event_stream.events_sent", description: "Events written to event-stream clients");
        _clientsDropped = _meter.CreateCounter<long>("dlb.event_stream.clients_dropped", description: "Event-stream clients cut off because they stopped reading");
        _confirmLatency = _meter.CreateHistogram<double>("dlb.ledger.confirm_latency", unit: "s", description: "From a command's recording in the outbox to monday's confirmation");
        _deadLetters = _meter.CreateCounter<long>("dlb.outbox.dead_letters", description: "Commands dead-lettered (monday rejected them or retries ran out)");
        _commandsRecorded = _meter.CreateCounter<long>("dlb.ledger.commands_recorded", description: "Commands recorded in the outbox, by operation");
        _escalations = _meter.CreateCounter<long>("dlb.escalations", description: "Escalation levels fired and escalations acknowledged (label change), by policy");
        _meter.CreateObservableGauge("dlb.outbox.depth", () => new[]
        {
            new Measurement<long>(Volatile.Read(ref _counts).Pending, new KeyValuePair<string, object?>("state", "pending")),
            new Measurement<long>(Volatile.Read(ref _counts).Sent, new KeyValuePair<string, object?>("state", "sent")),
            new Measurement<long>(Volatile.Read(ref _counts).Failed, new KeyValuePair<string, object?>("state", "failed")),
        }, description: "Outbox records not yet confirmed, by state");
        _meter.CreateObservableGauge("dlb.outbox.oldest_pending_age", () => Volatile.Read(ref _oldestPendingAgeSeconds), unit: "s", description: "Age of the oldest pending outbox record");
        _meter.CreateObservableGauge("dlb.registry.tool_health", ObserveToolHealth, description: "1 for each tool's current health state (label state), 0 for the others");
    }

    public IDisposable EventStreamSubscriberConnected()
    {
        Interlocked.Increment(ref _subscribers);
        return new Disconnect(this);
    }

    public void EventStreamEventsSent(int count) => _eventsSent.Add(count);

    public void EventStreamClientDropped() => _clientsDropped.Add(1);

    public void CommandRecorded(string operation) => _commandsRecorded.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void CommandConfirmed(string operation, TimeSpan sinceRecorded) =>
        _confirmLatency.Record(sinceRecorded.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    public void CommandDeadLettered(string operation) => _deadLetters.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void EscalationFired(string policy, int level) =>
        _escalations.Add(1, new KeyValuePair<string, object?>("change", "fired"), new KeyValuePair<string, object?>("policy", policy), new KeyValuePair<string, object?>("level", level));

    public void EscalationAcknowledged(string policy, string source) =>
        _escalations.Add(1, new KeyValuePair<string, object?>("change", "acknowledged"), new KeyValuePair<string, object?>("policy", policy), new KeyValuePair<string, object?>("source", source));

    public void OutboxSampled(OutboxCounts counts, TimeSpan oldestPendingAge)
    {
        Volatile.Write(ref _counts, counts);
        Volatile.Write(ref _oldestPendingAgeSeconds, oldestPendingAge.TotalSeconds);
    }

    public void Dispose() => _meter.Dispose();

    // Read from the registry at scrape time: it is in memory, and it is the truth (no event can be missed).
    private IEnumerable<Measurement<int>> ObserveToolHealth()
    {
        IReadOnlyList<ToolStatus> tools;
        try
        {
            tools = _registry.ListTools();
        }
        catch (InvalidOperationException)
        {
            // Not loaded yet (the host is starting).
            yield break;
        }

        foreach (var (tool, current) in tools.Select(t => (t.Definition.Id, t.Health.Stale ? HealthStatus.Unknown : t.Health.Status)))
        {
            foreach (var state in Enum.GetValues<HealthStatus>())
            {
                yield return new Measurement<int>(
                    state == current ? 1 : 0,
                    new KeyValuePair<string, object?>("tool", tool),
                    new KeyValuePair<string, object?>("state", state.ToString().ToLowerInvariant()));
            }
        }
    }

    private sealed class Disconnect(LedgerBotMetrics metrics) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref metrics._subscribers);
            }
        }
    }
}
