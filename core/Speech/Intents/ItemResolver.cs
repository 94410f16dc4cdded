using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Speech.Intents;

/// <summary>The item a request means: exactly one, several to pick from (asked back with buttons), or a reason there is none.</summary>
public sealed record ItemResolution(LedgerEntry? Entry, IReadOnlyList<LedgerEntry> Candidates, string? Problem)
{
    public static ItemResolution One(LedgerEntry entry) => new(entry, [entry], null);

    public static ItemResolution Several(IReadOnlyList<LedgerEntry> candidates) => new(null, candidates, null);

    public static ItemResolution None(string problem) => new(null, [], problem);
}

/// <summary>Resolves an <see cref="ItemReference"/> against the board and the speaker's conversation memory.</summary>
public static class ItemResolver
{
    public const int MaxCandidates = 5;

    public static ItemResolution Resolve(ItemReference reference, IReadOnlyList<LedgerEntry> entries, IReadOnlyList<LedgerKey> recalled)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(recalled);
        var active = entries.Where(e => e.IsActive).ToList();
        if (reference.IsPronoun)
        {
            var remembered = recalled.Select(k => active.FirstOrDefault(e => e.Key == k)).OfType<LedgerEntry>().ToList();
            return remembered.Count switch
            {
                0 => ItemResolution.None($"I don't know which item '{reference.Spoken}' is: nothing was mentioned recently. Say the item's title."),
                1 => ItemResolution.One(remembered[0]),
                _ => ItemResolution.Several([.. remembered.Take(MaxCandidates)]),
            };
        }

        var spoken = reference.Spoken;
        var exact = active.Where(e => SpokenText.Normalize(e.Title) == spoken).ToList();
        if (exact.Count == 1)
        {
            return ItemResolution.One(exact[0]);
        }

        if (exact.Count > 1)
        {
            return ItemResolution.Several([.. exact.Take(MaxCandidates)]);
        }

        // Free-text engines hear titles loosely ("the hardening task" for "API hardening"): the share of the spoken words
        // the title contains, best first; a tie at the top is asked back rather than guessed.
        var spokenWords = spoken.Split(' ').Where(w => w is not ("the" or "a" or "an" or "task" or "item")).ToHashSet(StringComparer.Ordinal);
        if (spokenWords.Count == 0)
        {
            return ItemResolution.None($"No ledger item matches '{spoken}'.");
        }

        var scored = active
            .Select(e => (Entry: e, Score: (double)spokenWords.Count(w => SpokenText.Words(e.Title).Contains(w)) / spokenWords.Count))
            .Where(s => s.Score >= 0.5)
            .OrderByDescending(s => s.Score)
            .ToList();
        if (scored.Count == 0)
        {
            return ItemResolution.None($"No ledger item matches '{spoken}'.");
        }

        var top = scored.Where(s => s.Score == scored[0].Score).Select(s => s.Entry).ToList();
        return top.Count == 1 ? ItemResolution.One(top[0]) : ItemResolution.Several([.. top.Take(MaxCandidates)]);
    }
}
