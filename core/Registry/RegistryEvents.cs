using System.Threading.Channels;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>Something observable happened in the registry; alerts and ledger updates subscribe to these.</summary>
public abstract record RegistryEvent(DateTimeOffset At);

public sealed record ToolHealthChanged(string ToolId, HealthStatus Previous, HealthStatus Current, string Detail, double EwmaLatencyMs, DateTimeOffset At)
    : RegistryEvent(At);

public sealed record ToolStale(string ToolId, DateTimeOffset LastEvidenceAt, DateTimeOffset At) : RegistryEvent(At);

public sealed record ToolPruned(string ToolId, DateTimeOffset LastEvidenceAt, DateTimeOffset At) : RegistryEvent(At);

public enum OverrideChangeKind
{
    Set,
    Cleared,
    Expired,
}

public sealed record OverrideChanged(ToolOverride Override, OverrideChangeKind Change, string Actor, string Reason, DateTimeOffset At) : RegistryEvent(At);

public sealed record ToolRegistered(string ToolId, bool Replaced, string Actor, DateTimeOffset At) : RegistryEvent(At);

public sealed record ToolRemoved(string ToolId, string Actor, string Reason, DateTimeOffset At) : RegistryEvent(At);

public sealed record CircuitStateChanged(string ToolId, CircuitState Previous, CircuitState Current, string Reason, DateTimeOffset At) : RegistryEvent(At);

public sealed record ToolSelected(string Workflow, string LedgerKey, string? ToolId, string Rationale, DateTimeOffset At) : RegistryEvent(At);

/// <summary>Another writer (e.g. the CLI) changed the persisted registry and this process adopted it.</summary>
public sealed record RegistryReloaded(long Revision, DateTimeOffset At) : RegistryEvent(At);

/// <summary>Where registry events go. Publishing must never block the registry.</summary>
public interface IRegistryEventSink
{
    void Publish(RegistryEvent registryEvent);
}

/// <summary>
/// A bounded channel of events for one consumer (the alerting fan-out). When the consumer falls behind the
/// oldest events are dropped rather than stalling health checks or selection.
/// </summary>
public sealed class ChannelRegistryEventSink : IRegistryEventSink
{
    private readonly Channel<RegistryEvent> _channel;

    public ChannelRegistryEventSink(int capacity = 4096) =>
        _channel = Channel.CreateBounded<RegistryEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });

    public ChannelReader<RegistryEvent> Reader => _channel.Reader;

    public void Publish(RegistryEvent registryEvent) => _channel.Writer.TryWrite(registryEvent);
}
