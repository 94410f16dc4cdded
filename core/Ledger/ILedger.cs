namespace DiscordLedgerBot.Core.Ledger;

/// <summary>
/// The team ledger as domain operations. The only way the rest of the system reads or writes monday.
/// Commands are validated (input rules, status machine) before any request is sent; a rejected command costs nothing.
/// </summary>
public interface ILedger
{
    /// <summary>Applies one command; same as a batch of one.</summary>
    Task<LedgerResult> ExecuteAsync(LedgerCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// Applies many commands (mixed kinds, different entries) in as few requests as monday's limits allow —
    /// one request when the batch fits the per-query complexity cap and the remaining minute budget.
    /// Returns one result per command, in the same order. Never throws for a command's failure; only for cancellation.
    /// </summary>
    Task<IReadOnlyList<LedgerResult>> ExecuteBatchAsync(IReadOnlyList<LedgerCommand> commands, CancellationToken cancellationToken);

    /// <summary>Finds the entry carrying <paramref name="key"/> (active or archived); null when none. Used for crash reconciliation.</summary>
    Task<LedgerEntry?> FindByKeyAsync(LedgerKey key, CancellationToken cancellationToken);

    /// <summary>Reads entries by monday item id (any count; sent 100 ids per request). Unknown ids are left out.</summary>
    Task<IReadOnlyList<LedgerEntry>> GetByIdsAsync(IReadOnlyCollection<string> mondayItemIds, CancellationToken cancellationToken);

    /// <summary>Lists active entries matching every given filter, paging through the board.</summary>
    Task<IReadOnlyList<LedgerEntry>> QueryAsync(LedgerQuery query, CancellationToken cancellationToken);
}

/// <summary>Filters for <see cref="ILedger.QueryAsync"/>; null means "any". <see cref="Limit"/> caps the result count.</summary>
public sealed record LedgerQuery
{
    public LedgerStatus? Status { get; init; }

    public string? Owner { get; init; }

    /// <summary>Entries due strictly before this date.</summary>
    public DateOnly? DueBefore { get; init; }

    public int Limit { get; init; } = 500;
}
