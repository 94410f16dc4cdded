using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Api.Events;

/// <summary>One entry of the durable event log, as sent on GET /api/v1/events (id, event type, JSON data).</summary>
/// <param name="Id">Strictly increasing across restarts; what a client sends back as Last-Event-ID.</param>
public sealed record StreamEvent(long Id, string Type, DateTimeOffset At, JsonObject Data);

/// <summary>The event types the stream carries (the <c>types</c> filter takes these names).</summary>
public static class StreamEventTypes
{
    public const string ItemCreated = "item.created";
    public const string ItemChanged = "item.changed";
    public const string ItemConfirmed = "item.confirmed";
    public const string ItemFailed = "item.failed";
    public const string ToolHealthChanged = "tool.health_changed";
    public const string OverrideSet = "override.set";
    public const string OverrideCleared = "override.cleared";

    /// <summary>An escalation level fired (the escalation engine's <c>EscalationFired</c>).</summary>
    public const string EscalationFired = "escalation.fired";

    /// <summary>A person acknowledged a running escalation (Discord button or the HTTP API).</summary>
    public const string EscalationAcknowledged = "escalation.acknowledged";

    public static IReadOnlyList<string> All { get; } =
        [ItemCreated, ItemChanged, ItemConfirmed, ItemFailed, EscalationFired, EscalationAcknowledged, ToolHealthChanged, OverrideSet, OverrideCleared];
}
