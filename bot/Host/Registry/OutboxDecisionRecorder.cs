using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Registry;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Registry;

/// <summary>
/// Registry rationale (selections, overrides) becomes a comment on the workflow's ledger item through the durable
/// outbox, so an auditable reason survives monday throttling, outages and crashes like any other ledger command.
/// The registry's own audit entry (<c>Registry:AuditLedgerKey</c>) is created on first use; the outbox ignores the
/// repeated create by its idempotency key and reconciliation finds the item by ledger key after a restart.
/// </summary>
public sealed class OutboxDecisionRecorder(LedgerIngestion ingestion, IOptions<RegistryOptions> options) : IDecisionRecorder
{
    private int _auditEntryRecorded;

    public async Task RecordAsync(string ledgerKey, string body, string idempotencyKey, CancellationToken cancellationToken)
    {
        var key = LedgerKey.Parse(ledgerKey);
        if (ledgerKey == options.Value.AuditLedgerKey && Interlocked.Exchange(ref _auditEntryRecorded, 1) == 0)
        {
            await ingestion.RecordAsync(
                new CreateLedgerEntry($"{ledgerKey}:create", key, "Capability registry audit log", LedgerSource.Api),
                cancellationToken);
        }

        await ingestion.RecordAsync(new CommentOnLedgerEntry(idempotencyKey, key, body), cancellationToken);
    }
}
