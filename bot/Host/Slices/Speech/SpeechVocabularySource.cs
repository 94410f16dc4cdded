using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Speech;

/// <summary>
/// The live vocabulary: active item titles from the surface's index (kept current by confirmations, sync and webhooks),
/// linked people, registry workflows. Rebuilt only when one of them changed, so the recognizer's grammar follows the board.
/// </summary>
public sealed class SpeechVocabularySource(LedgerItemIndex index, OwnerDirectory owners, CapabilityRegistry registry)
{
    private readonly Lock _lock = new();
    private (string Key, SpeechVocabulary Vocabulary)? _last;

    public SpeechVocabulary Current()
    {
        var titles = index.All.Where(e => e.IsActive).Select(e => e.Title).Order(StringComparer.Ordinal).ToList();
        var people = owners.All.Select(l => l.Person.Name).Order(StringComparer.Ordinal).ToList();
        var workflows = registry.Workflows;
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
