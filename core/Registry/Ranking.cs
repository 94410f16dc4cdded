using System.Globalization;
using System.Text;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>Why a tool can or cannot be chosen for a workflow.</summary>
public enum RankVerdict
{
    Eligible,
    MissingAffordance,
    Disabled,
    Critical,
    CircuitOpen,
}

/// <summary>
/// One tool's place in a ranking with the facts that put it there. The reason text is formatted only when
/// asked for (<see cref="Reason"/>), so ranking itself stays allocation-light.
/// </summary>
public readonly record struct RankedTool(
    ToolDefinition Tool,
    RankVerdict Verdict,
    ToolHealthSnapshot Health,
    CircuitState Circuit,
    DateTimeOffset CircuitOpenUntil,
    ToolOverride? Override,
    string? MissingAffordance)
{
    public string ToolId => Tool.Id;

    public bool IsEligible => Verdict == RankVerdict.Eligible;

    public bool IsForced => Override is { Action: OverrideAction.ForcePrefer };

    /// <summary>Stale tools and tools without a verdict yet rank as unknown.</summary>
    public HealthStatus EffectiveHealth => Health.Stale ? HealthStatus.Unknown : Health.Status;

    public string Reason => Verdict switch
    {
        RankVerdict.MissingAffordance => $"lacks required affordance '{MissingAffordance}'",
        RankVerdict.Disabled => Override!.Describe(),
        RankVerdict.Critical => $"critical since {Health.StatusSince:u} after {Health.ConsecutiveFailures} consecutive failed checks: {Health.LastDetail}",
        RankVerdict.CircuitOpen when Circuit == CircuitState.HalfOpen => "circuit half-open and its single probe call is already in flight",
        RankVerdict.CircuitOpen => $"circuit open until {CircuitOpenUntil:u} (recent calls failed or were slow)",
        _ => DescribeEligible(),
    };

    private string DescribeEligible()
    {
        var text = new StringBuilder();
        text.Append(Tool.Lifecycle switch
        {
            ToolLifecycle.Production => "production",
            ToolLifecycle.Experimental => "experimental (after production tools)",
            _ => "deprecated (last resort)",
        });
        text.Append(", ").Append(Health.Stale ? "stale (no fresh check result)" : Health.Status.ToString().ToLowerInvariant());
        if (Health.Samples > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", ewma {Health.EwmaLatencyMs:F0} ms, p95 {Health.P95LatencyMs:F0} ms");
        }

        text.Append(Circuit == CircuitState.HalfOpen ? ", circuit half-open (probe call)" : ", circuit closed");
        text.Append(CultureInfo.InvariantCulture, $", priority {Tool.FallbackPriority}");
        if (Override is { } applied && applied.Action != OverrideAction.Disable)
        {
            text.Append(", ").Append(applied.Describe());
        }

        return text.ToString();
    }
}

/// <summary>The tools that serve a workflow, best first; ineligible tools follow the eligible ones with their reason.</summary>
public sealed class ToolRanking
{
    private readonly RankedTool[] _tools;

    internal ToolRanking(string workflow, IReadOnlyList<string> requiredAffordances, RankedTool[] tools, DateTimeOffset at)
    {
        Workflow = workflow;
        RequiredAffordances = requiredAffordances;
        _tools = tools;
        At = at;
    }

    public string Workflow { get; }

    public IReadOnlyList<string> RequiredAffordances { get; }

    public DateTimeOffset At { get; }

    public IReadOnlyList<RankedTool> Tools => _tools;

    public RankedTool? Best => _tools.Length > 0 && _tools[0].IsEligible ? _tools[0] : null;

    public string Describe()
    {
        var text = new StringBuilder();
        for (var i = 0; i < _tools.Length; i++)
        {
            var tool = _tools[i];
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}. {tool.ToolId} [{(tool.IsEligible ? "eligible" : "skipped")}] {tool.Reason}").AppendLine();
        }

        return text.ToString();
    }
}

/// <summary>A recorded routing decision: the chosen tool (if any), the full ranking and the rationale written to the ledger.</summary>
public sealed record ToolSelection(string Workflow, string LedgerKey, string IdempotencyKey, RankedTool? Chosen, ToolRanking Ranking, string Rationale);

/// <summary>
/// Orders candidates by one 64-bit key, so ranking sorts primitives instead of calling a comparer. From the most
/// significant bits: eligible before skipped; operator force-prefer; lifecycle (production, experimental,
/// deprecated); a closed circuit before a half-open one; health (passing, warning, unknown/stale); the
/// fallback-priority hint; the latency average (0.1 ms steps); finally the position in id order, so equal
/// tools rank deterministically. Skipped tools are ordered by lifecycle, priority and id only.
/// </summary>
internal static class RankKey
{
    private const int IndexBits = 10;
    private const int LatencyBits = 21;
    private const int PriorityBits = 10;
    private const ulong MaxLatency = (1UL << LatencyBits) - 1;

    public static ulong Compute(in RankedTool tool, int idOrder)
    {
        ulong key = tool.IsEligible ? 0UL : 1UL;
        key = (key << 1) | (tool.IsEligible && tool.IsForced ? 0UL : 1UL);
        key = (key << 2) | tool.Tool.Lifecycle switch
        {
            ToolLifecycle.Production => 0UL,
            ToolLifecycle.Experimental => 1UL,
            _ => 2UL,
        };
        key = (key << 1) | (tool.IsEligible && tool.Circuit == CircuitState.HalfOpen ? 1UL : 0UL);
        key = (key << 2) | (!tool.IsEligible ? 0UL : tool.EffectiveHealth switch
        {
            HealthStatus.Passing => 0UL,
            HealthStatus.Warning => 1UL,
            _ => 2UL,
        });
        key = (key << PriorityBits) | (uint)tool.Tool.FallbackPriority;
        key = (key << LatencyBits) | (tool.IsEligible ? Latency(tool.Health.EwmaLatencyMs) : 0UL);
        return (key << IndexBits) | (uint)idOrder;
    }

    private static ulong Latency(double ewmaMs) =>
        double.IsNaN(ewmaMs) ? MaxLatency : (ulong)Math.Min(ewmaMs * 10, MaxLatency);
}
