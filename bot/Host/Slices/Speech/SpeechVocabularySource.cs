using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Speech;

/// <summary>
/// The live vocabulary: active item titles from the surface's index (kept current by confirmations, sync and webhooks),
/// linked people and the board's owners, registry workflows. Rebuilt only when one of them changed, so the recognizer's grammar follows the board.
/// </summary>
public sealed class SpeechVocabularySource(LedgerItemIndex index, OwnerDirectory owners, CapabilityRegistry registry)
{
    private readonly Lock _lock = new();
    private (string Key, SpeechVocabulary Vocabulary)? _last;

    public SpeechVocabulary Current()
    {
        var titles = index.All.Where(e => e.IsActive).Select(e => e.Title).Order(StringComparer.Ordinal).ToList();
        // Linked people, and whoever the board already names as an owner (the CLI cannot read the links while the bot holds the store).
        var people = owners.All.Select(l => l.Person.Name).Concat(index.All.Select(e => e.Owner).OfType<string>()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        IReadOnlyList<string> workflows = registry.IsInitialized ? registry.Workflows : [];
        var key = string.Join('\u001f', titles) + '\u001e' + string.Join('\u001f', people) + '\u001e' + string.Join('\u001f', workflows);
        lock (_lock)
        {
            if (_last is { } last && last.Key == key)
            {
                return last.Vocabulary;
            }

            var vocabulary = SpeechVocabulary.From(titles, people, workflows);
            _last = (key, vocabulary);
            return vocabulary;
        }
    }
}
