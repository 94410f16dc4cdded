using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>
/// The items a periodic pass (escalation, overdue notices) works on. One process: the item index, which that process
/// keeps current from its own confirmations and monday polls. Several processes on one Redis: the index of whichever
/// process runs the firing misses what the others confirmed and polled, so each pass reads the board itself (one
/// <c>items_page</c> read of up to 10,000 items), the same for every process. The index is left alone: the monday poll
/// compares monday with it to announce changes people made there, and a pass that refreshed it would hide them.
/// </summary>
public sealed class LedgerPassSource(LedgerItemIndex index, ILedger ledger, IOptions<StorageOptions> storage, IOptions<RedisOptions> redis)
{
    private readonly bool _readsBoard = storage.Value.EffectiveBackend(redis.Value) == StorageBackendKind.Redis;

    /// <summary>True when every pass reads the board (the Redis store: processes may be several).</summary>
    public bool ReadsBoard => _readsBoard;

    /// <summary>The active entries as of now.</summary>
    public async Task<IReadOnlyList<LedgerEntry>> ActiveEntriesAsync(CancellationToken cancellationToken) =>
        _readsBoard
            ? [.. (await ledger.QueryAsync(new LedgerQuery { Limit = 10_000 }, cancellationToken)).Where(e => e.IsActive)]
            : index.All;
}
