using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DiscordLedgerBot.Core.Telemetry;

/// <summary>
/// The core's spans and instruments (outbox flush, monday requests, registry checks), on the BCL's
/// <see cref="ActivitySource"/> and <see cref="Meter"/> so the core needs no OpenTelemetry package; the host subscribes.
/// </summary>
public static class CoreTelemetry
{
    public const string Name = "DiscordLedgerBot.Core";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Complexity points monday charged, from each response's <c>complexity.query</c>.</summary>
    public static readonly Counter<long> MondayComplexityUsed = Meter.CreateCounter<long>("dlb.monday.complexity_used", description: "monday complexity points spent (the per-minute budget is 10M on most plans)");

    /// <summary>The last budget monday reported left after a request.</summary>
    public static readonly Histogram<long> MondayBudgetRemaining = Meter.CreateHistogram<long>("dlb.monday.budget_remaining", description: "monday complexity budget left after each request");

    public static readonly Counter<long> MondayRateLimited = Meter.CreateCounter<long>("dlb.monday.rate_limited", description: "monday answers that said to slow down (HTTP 429 or a complexity/rate error)");

    public static readonly Counter<long> MondayRequests = Meter.CreateCounter<long>("dlb.monday.requests", description: "GraphQL requests sent to monday, by outcome");

    public static readonly Counter<long> RegistryChecks = Meter.CreateCounter<long>("dlb.registry.checks", description: "Registry health checks run, by tool and result");
}
