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
public sealed class CardStore(ILedgerCache store, TimeProvider time) : IDisposable
{
    private const string DigestChannelsKey = "surface:digest-channels";

    private readonly ConcurrentDictionary<string, NotifyMode> _modes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _digestGate = new(1, 1);

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
        await _digestGate.WaitAsync(cancellationToken);
        try
        {
            var digest = (await DigestChannelsAsync(cancellationToken)).Where(c => c != channelId).ToList();
            if (mode == NotifyMode.Digest)
            {
                digest.Add(channelId);
            }

            await store.SetEntryAsync(new LedgerCacheEntry(DigestChannelsKey, JsonSerializer.Serialize(digest), null, time.GetUtcNow()), cancellationToken);
            await store.SetEntryAsync(new LedgerCacheEntry(ModeKey(channelId), mode.ToString(), null, time.GetUtcNow()), cancellationToken);
            _modes[channelId] = mode;
        }
        finally
        {
            _digestGate.Release();
        }
    }

    /// <summary>The channels in digest mode (the daily digest visits each, even when only changes are to be told).</summary>
    public async Task<IReadOnlyList<string>> DigestChannelsAsync(CancellationToken cancellationToken) =>
        await store.GetEntryAsync(DigestChannelsKey, cancellationToken) is { } entry
            ? JsonSerializer.Deserialize<List<string>>(entry.EntryJson) ?? []
            : [];

    public void Dispose() => _digestGate.Dispose();

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
    Escalated,
}

/// <summary>A write a person made from Discord, remembered until monday confirms or refuses it.</summary>
/// <param name="Context">The interaction, to report a failure ephemerally while its token lives (15 minutes); never persisted.</param>
public sealed record SurfaceChange(string ChannelId, ulong ActorId, string ActorName, string Summary, OwnerNotice Notice, InteractionContext? Context);

/// <summary>
/// Idempotency key → the Discord change behind it, so the card can say who made the last change and a refusal can
/// reach that person. Kept in memory (with the interaction, whose token must not be persisted) and in the store's
/// ledger cache without it (file or Redis), so a confirmation that arrives after a restart still names the author;
/// only the ephemeral failure reply is lost then (the failure is posted in the channel to that person instead).
/// </summary>
public sealed class SurfaceJournal(ILedgerCache store, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SurfaceChange> _changes = new(StringComparer.Ordinal);

    /// <summary>Remembers the change in memory at once (a fast confirmation must find it) and returns the durable write.</summary>
    public Task AddAsync(string idempotencyKey, SurfaceChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        _changes[idempotencyKey] = change;
        var stored = new StoredChange(change.ChannelId, change.ActorId, change.ActorName, change.Summary, change.Notice);
        return store.SetEntryAsync(new LedgerCacheEntry(Key(idempotencyKey), JsonSerializer.Serialize(stored), null, time.GetUtcNow()), cancellationToken);
    }

    public async Task<SurfaceChange?> TakeAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        _changes.TryRemove(idempotencyKey, out var change);
        var entry = await store.GetEntryAsync(Key(idempotencyKey), cancellationToken);
        if (entry is null)
        {
            return change;
        }

        await store.RemoveEntryAsync(Key(idempotencyKey), cancellationToken);
        return change ?? (JsonSerializer.Deserialize<StoredChange>(entry.EntryJson) is { } stored
            ? new SurfaceChange(stored.ChannelId, stored.ActorId, stored.ActorName, stored.Summary, stored.Notice, null)
            : null);
    }

    private static string Key(string idempotencyKey) => "surface:change:" + idempotencyKey;

    private sealed record StoredChange(string ChannelId, ulong ActorId, string ActorName, string Summary, OwnerNotice Notice);
}
