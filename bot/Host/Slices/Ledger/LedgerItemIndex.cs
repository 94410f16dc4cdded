using System.Collections.Concurrent;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Sync;
using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>
/// The surface's local view of the ledger: every active entry by ledger key, warmed from monday at start and kept
/// current from confirmations and from the surface's own writes (optimistically, so a status change right after a
/// create sees the right "from"), and from monday itself: the sync poller and webhook re-reads store monday's version
/// here (<see cref="LedgerSync"/>). Autocomplete answers from here because Discord gives it 3 seconds and no deferral.
/// </summary>
public sealed class LedgerItemIndex(ILedger ledger) : ILedgerLocalView
{
    private readonly ConcurrentDictionary<string, LedgerEntry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public async Task WarmAsync(CancellationToken cancellationToken)
    {
        // The whole board (monday caps a board at 10,000 items): sync compares monday's edits with this view, and an
        // entry missing here would join it silently instead of being announced.
        foreach (var entry in await ledger.QueryAsync(new LedgerQuery { Limit = 10_000 }, cancellationToken))
        {
            _entries[entry.Key.Value] = entry;
        }
    }

    public void Upsert(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.IsActive)
        {
            _entries[entry.Key.Value] = entry;
        }
        else
        {
            _entries.TryRemove(entry.Key.Value, out _);
        }
    }

    public void Update(LedgerKey key, Func<LedgerEntry, LedgerEntry> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (_entries.TryGetValue(key.Value, out var entry))
        {
            _entries[key.Value] = change(entry);
        }
    }

    public LedgerEntry? Find(LedgerKey key) => _entries.GetValueOrDefault(key.Value);

    public IReadOnlyList<LedgerEntry> All => [.. _entries.Values];

    /// <summary>Entries whose title, key or item id contains <paramref name="typed"/>, best matches first.</summary>
    public IReadOnlyList<LedgerEntry> Search(string? typed, int limit)
    {
        var text = typed?.Trim() ?? string.Empty;
        return [.. _entries.Values
            .Where(e => text.Length == 0
                || e.Title.Contains(text, StringComparison.OrdinalIgnoreCase)
                || e.Key.Value.Contains(text, StringComparison.OrdinalIgnoreCase)
                || e.MondayItemId == text)
            .OrderBy(e => e.Title.StartsWith(text, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(e => e.Status == LedgerStatus.Done ? 1 : 0)
            .ThenBy(e => e.Title, StringComparer.OrdinalIgnoreCase)
            .Take(limit)];
    }

    /// <summary>
    /// The entry the user picked: the ledger key autocomplete sent, a monday item id, or a title that names exactly one
    /// entry. Throws a user-facing error otherwise.
    /// </summary>
    public async Task<LedgerEntry> ResolveAsync(string? picked, CancellationToken cancellationToken)
    {
        var text = picked?.Trim() ?? string.Empty;
        if (LedgerKey.TryParse(text, out var key, out _) && text.Contains(':', StringComparison.Ordinal))
        {
            if (_entries.TryGetValue(key.Value, out var byKey))
            {
                return byKey;
            }

            // Created elsewhere (CLI, API) since the index was warmed: the board knows it by its ledger key.
            if (await ledger.FindByKeyAsync(key, cancellationToken) is { IsActive: true } found)
            {
                Upsert(found);
                return found;
            }
        }

        if (text.Length is > 0 and <= 20 && text.All(char.IsAsciiDigit))
        {
            if (_entries.Values.FirstOrDefault(e => e.MondayItemId == text) is { } cached)
            {
                return cached;
            }

            if ((await ledger.GetByIdsAsync([text], cancellationToken)).FirstOrDefault(e => e.IsActive) is { } read)
            {
                Upsert(read);
                return read;
            }
        }

        var byTitle = _entries.Values.Where(e => string.Equals(e.Title, text, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        return byTitle.Count switch
        {
            1 => byTitle[0],
            0 => throw new InteractionInputException($"No ledger item matches '{Shorten(text)}'. Start typing in the item option and pick one from the list, or find it with /ledger list."),
            _ => throw new InteractionInputException($"More than one item is called '{Shorten(text)}'. Pick the one you mean from the item option's list."),
        };
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 79), "…");
}
