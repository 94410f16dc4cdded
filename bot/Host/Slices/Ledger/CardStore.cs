using System.Collections.Concurrent;
using System.Text.Json;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>Where an item's card lives and what last changed it.</summary>
/// <param name="ThreadId">The item's history thread (notify mode "thread"), once created.</param>
public sealed record ItemCardLocation(string ChannelId, string MessageId, string? ThreadId, string LastChange);

/// <summary>How a channel hears about its items (<c>/ledger notify</c>).</summary>
public enum NotifyMode
{
    /// <summary>The card is edited in place; only what needs a person (assigned, blocked, overdue, done) is posted, mentioning just them.</summary>
    Card,

    /// <summary>As <see cref="Card"/>, and every change is a line in a thread on the item's card.</summary>
    Thread,

    /// <summary>Cards only; the human-needed notices are collected for a daily digest instead of being posted.</summary>
    Digest,
}

/// <summary>
/// Durable surface state in the store's ledger cache: ledger key → card message (so a restart keeps editing the same
/// card instead of posting a new one) and channel → notify mode.
/// </summary>
public sealed class CardStore(ILedgerCache store, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, NotifyMode> _modes = new(StringComparer.Ordinal);

    public async Task<ItemCardLocation?> FindAsync(string ledgerKey, CancellationToken cancellationToken) =>
        await store.GetEntryAsync(CardKey(ledgerKey), cancellationToken) is { } entry
            ? JsonSerializer.Deserialize<ItemCardLocation>(entry.EntryJson)
            : null;

    public Task SaveAsync(string ledgerKey, string? mondayItemId, ItemCardLocation location, CancellationToken cancellationToken) =>
        store.SetEntryAsync(new LedgerCacheEntry(CardKey(ledgerKey), JsonSerializer.Serialize(location), mondayItemId, time.GetUtcNow()), cancellationToken);

    public async Task<NotifyMode> ModeAsync(string channelId, CancellationToken cancellationToken)
    {
        if (_modes.TryGetValue(channelId, out var mode))
        {
            return mode;
        }

        mode = await store.GetEntryAsync(ModeKey(channelId), cancellationToken) is { } entry && Enum.TryParse<NotifyMode>(entry.EntryJson, out var stored)
            ? stored
            : NotifyMode.Card;
        return _modes[channelId] = mode;
    }

    public async Task SetModeAsync(string channelId, NotifyMode mode, CancellationToken cancellationToken)
    {
        await store.SetEntryAsync(new LedgerCacheEntry(ModeKey(channelId), mode.ToString(), null, time.GetUtcNow()), cancellationToken);
        _modes[channelId] = mode;
    }

    private static string CardKey(string ledgerKey) => "surface:card:" + ledgerKey;

    private static string ModeKey(string channelId) => "surface:notify:" + channelId;
}

/// <summary>What the item's owner is told once monday confirms a change (only what needs a person).</summary>
public enum OwnerNotice
{
    None,
    Assigned,
    Blocked,
    Done,
}

/// <summary>A write a person made from Discord, remembered until monday confirms or refuses it.</summary>
/// <param name="Context">The interaction, to report a failure ephemerally while its token lives (15 minutes).</param>
public sealed record SurfaceChange(string ChannelId, ulong ActorId, string ActorName, string Summary, OwnerNotice Notice, InteractionContext? Context);

/// <summary>
/// Idempotency key → the Discord change behind it. In memory on purpose: it holds interaction tokens, which must not
/// be persisted; after a restart a card still follows (it is keyed by ledger key), only "who" reads "via the outbox".
/// </summary>
public sealed class SurfaceJournal
{
    private readonly ConcurrentDictionary<string, SurfaceChange> _changes = new(StringComparer.Ordinal);

    public void Add(string idempotencyKey, SurfaceChange change) => _changes[idempotencyKey] = change;

    public SurfaceChange? Take(string idempotencyKey) => _changes.TryRemove(idempotencyKey, out var change) ? change : null;
}
