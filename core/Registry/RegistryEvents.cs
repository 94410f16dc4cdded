using DiscordLedgerBot.Core.Events;

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

/// <summary>Registry events go on the process's event bus, beside outbox outcomes, to every reader there.</summary>
public sealed class EventBusRegistrySink(IEventBus bus) : IRegistryEventSink
{
    public void Publish(RegistryEvent registryEvent) => bus.Publish(registryEvent);
}
