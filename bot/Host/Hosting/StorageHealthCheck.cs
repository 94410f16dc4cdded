using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DiscordLedgerBot.Hosting;

/// <summary>/healthz shows which store takes writes; running on the file fallback while Redis is down is "degraded".</summary>
public sealed class StorageHealthCheck(IStorageStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["activeStore"] = status.ActiveBackend };
        return Task.FromResult(status.IsDegraded
            ? HealthCheckResult.Degraded($"Redis is unreachable; commands are accepted into the {status.ActiveBackend} store and will be reconciled.", data: data)
            : HealthCheckResult.Healthy($"Outbox store: {status.ActiveBackend}.", data));
    }
}
