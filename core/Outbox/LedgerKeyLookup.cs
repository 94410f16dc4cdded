using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>Finds which ledger keys already have an entry on the board; the reconciler's one question to monday.</summary>
public interface ILedgerKeyLookup
{
    /// <summary>Entries by ledger key; keys without an entry are absent. Throws when monday cannot be asked.</summary>
    Task<IReadOnlyDictionary<LedgerKey, LedgerEntry>> FindByKeysAsync(IReadOnlyCollection<LedgerKey> keys, CancellationToken cancellationToken);
}

/// <summary>Asks monday about up to 100 keys per request (one column-values read) instead of one request per key.</summary>
public sealed class MondayLedgerKeyLookup(MondayLedger ledger) : ILedgerKeyLookup
{
    public Task<IReadOnlyDictionary<LedgerKey, LedgerEntry>> FindByKeysAsync(IReadOnlyCollection<LedgerKey> keys, CancellationToken cancellationToken) =>
        ledger.FindByKeysAsync(keys, cancellationToken);
}

/// <summary>Any <see cref="ILedger"/>, one <see cref="ILedger.FindByKeyAsync"/> per key.</summary>
public sealed class PerKeyLedgerLookup(ILedger ledger) : ILedgerKeyLookup
{
    public async Task<IReadOnlyDictionary<LedgerKey, LedgerEntry>> FindByKeysAsync(IReadOnlyCollection<LedgerKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new Dictionary<LedgerKey, LedgerEntry>();
        foreach (var key in keys.Distinct())
        {
            if (await ledger.FindByKeyAsync(key, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                found[key] = entry;
            }
        }

        return found;
    }
}
