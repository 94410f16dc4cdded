namespace DiscordLedgerBot.Core.Registry;

public enum OverrideAction
{
    /// <summary>The tool is never selected (for the workflow, or for all workflows).</summary>
    Disable,

    /// <summary>Cancels a broader disable: a per-workflow enable beats a global disable.</summary>
    Enable,

    /// <summary>The tool goes to the front of the eligible tools, ahead of lifecycle and health ordering.</summary>
    ForcePrefer,
}

/// <summary>
/// An operator's decision about one tool, globally (<see cref="Workflow"/> null) or for one workflow.
/// At most one override exists per tool and scope; setting another replaces it.
/// </summary>
public sealed record ToolOverride(
    string ToolId,
    string? Workflow,
    OverrideAction Action,
    string Actor,
    string Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt)
{
    public bool IsActive(DateTimeOffset now) => ExpiresAt is not { } expires || expires > now;

    public string Scope => Workflow ?? "all workflows";

    public string Describe() =>
        $"{Action switch { OverrideAction.Disable => "disabled", OverrideAction.Enable => "enabled", _ => "force-preferred" }} for {Scope} by {Actor} ({Reason})"
        + (ExpiresAt is { } expires ? $" until {expires:u}" : string.Empty);
}

/// <summary>A request to set an override, as the admin API and the CLI receive it.</summary>
public sealed record OverrideRequest(string ToolId, string? Workflow, OverrideAction Action, string Actor, string Reason, DateTimeOffset? ExpiresAt);

/// <summary>One persisted line of the registry's audit log.</summary>
public sealed record RegistryAuditEntry(
    DateTimeOffset At,
    string Actor,
    string Action,
    string ToolId,
    string? Workflow,
    string Reason,
    DateTimeOffset? ExpiresAt);
