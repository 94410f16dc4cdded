using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>
/// Writes a routing decision (or an operator override) as an update on a workflow's ledger item. The ledger
/// facade adapts this; the idempotency key makes a retried write land once.
/// </summary>
public interface IDecisionRecorder
{
    Task RecordAsync(string ledgerKey, string body, string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>One recorded decision, as kept by <see cref="InMemoryDecisionRecorder"/>.</summary>
public sealed record RecordedDecision(string LedgerKey, string Body, string IdempotencyKey);

/// <summary>Keeps decisions in memory, once per idempotency key (tests, sandbox).</summary>
public sealed class InMemoryDecisionRecorder : IDecisionRecorder
{
    private readonly ConcurrentDictionary<string, RecordedDecision> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedDecision> _inOrder = new();

    public IReadOnlyList<RecordedDecision> Decisions => [.. _inOrder];

    public Task RecordAsync(string ledgerKey, string body, string idempotencyKey, CancellationToken cancellationToken)
    {
        var decision = new RecordedDecision(ledgerKey, body, idempotencyKey);
        if (_byKey.TryAdd(idempotencyKey, decision))
        {
            _inOrder.Enqueue(decision);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Writes decisions to the log only; used until the ledger adapter is wired.</summary>
public sealed partial class LoggingDecisionRecorder(ILogger<LoggingDecisionRecorder> logger) : IDecisionRecorder
{
    public Task RecordAsync(string ledgerKey, string body, string idempotencyKey, CancellationToken cancellationToken)
    {
        LogDecision(ledgerKey, idempotencyKey, body);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Registry decision for ledger item {LedgerKey} ({IdempotencyKey}): {Body}")]
    private partial void LogDecision(string ledgerKey, string idempotencyKey, string body);
}
