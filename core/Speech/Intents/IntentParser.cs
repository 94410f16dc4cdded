namespace DiscordLedgerBot.Core.Speech.Intents;

/// <summary>What the parser made of one transcript.</summary>
/// <param name="Words">The transcript as spoken words, wake phrase removed.</param>
/// <param name="WakeHeard">True when the transcript began with the wake phrase.</param>
/// <param name="Intent">Null when no template matches.</param>
public sealed record ParsedUtterance(string Words, bool WakeHeard, SpeechIntent? Intent);

/// <summary>
/// Deterministic parser from transcript to <see cref="SpeechIntent"/> over <see cref="SpeechPhrases"/>. Slots try the
/// vocabulary first (what the grammar engine can say) and then any span of words, so free text from the HTTP or Whisper
/// engines parses too; an item named by free words is resolved against the board afterwards (<see cref="ItemResolver"/>).
/// </summary>
public sealed class IntentParser
{
    private const int MaxFreeSpan = 12;

    private static readonly IReadOnlyList<(SpeechIntentKind Kind, IReadOnlyList<PhraseNode> Nodes)> Compiled =
        [.. SpeechPhrases.Templates.Select(t => (t.Kind, PhrasePattern.Compile(t.Pattern)))];

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<PhraseNode>> CompiledRules =
        SpeechPhrases.Rules.ToDictionary(r => r.Key, r => PhrasePattern.Compile(r.Value), StringComparer.Ordinal);

    private readonly IReadOnlyList<string[]> _titles;
    private readonly IReadOnlyList<string[]> _people;
    private readonly IReadOnlyList<string[]> _workflows;

    public IntentParser(SpeechVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        Vocabulary = vocabulary;

        // Longest first: "api hardening review" must win over "api hardening" when both are items.
        _titles = Split(vocabulary.Titles);
        _people = Split(vocabulary.People.Append("me"));
        _workflows = Split(vocabulary.Workflows);
    }

    public SpeechVocabulary Vocabulary { get; }

    public ParsedUtterance Parse(string transcript, DateOnly today, string? wakePhrase = null)
    {
        var words = SpokenText.Words(transcript).ToArray();
        var wake = SpokenText.Words(wakePhrase).ToArray();
        var wakeHeard = wake.Length > 0 && words.Length >= wake.Length && words.AsSpan(0, wake.Length).SequenceEqual(wake);
        if (wakeHeard)
        {
            words = words[wake.Length..];
        }

        var text = string.Join(' ', words);
        foreach (var (kind, nodes) in Compiled)
        {
            foreach (var (end, captures) in Match(nodes, 0, words, 0, null))
            {
                if (end == words.Length && Build(kind, text, words, captures, today) is { } intent)
                {
                    return new ParsedUtterance(text, wakeHeard, intent);
                }
            }
        }

        return new ParsedUtterance(text, wakeHeard, null);
    }

    private static List<string[]> Split(IEnumerable<string> phrases) =>
        [.. phrases.Select(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length > 0).OrderByDescending(p => p.Length)];

    private static SpeechIntent? Build(SpeechIntentKind kind, string text, string[] words, Capture? captures, DateOnly today)
    {
        string? Span(string slot)
        {
            for (var c = captures; c is not null; c = c.Previous)
            {
                if (c.Slot == slot)
                {
                    return string.Join(' ', words[c.Start..c.End]);
                }
            }

            return null;
        }

        ItemReference? item = null;
        if (Span("item") is { } spokenItem)
        {
            item = Span("title") is { } title ? new ItemReference(title, IsPronoun: false) : new ItemReference(spokenItem, IsPronoun: true);
        }

        var status = Span("status") is { } statusWords ? SpeechPhrases.Statuses[statusWords] : (Ledger.LedgerStatus?)null;
        var dueSpoken = Span("date");
        var reason = Span("reason");
        if (reason is not null && reason.StartsWith("because ", StringComparison.Ordinal))
        {
            reason = reason["because ".Length..];
        }

        return new SpeechIntent(kind, text)
        {
            Item = item,
            Status = status,
            Reason = reason,
            // Inside a reason the words belong to the reason.
            Words = reason is null ? Span("words") : null,
            Person = Span("person"),
            DueSpoken = dueSpoken,
            Due = dueSpoken is null ? null : SpeechPhrases.ResolveDate(dueSpoken, today),
            Workflow = Span("workflow"),
        };
    }

    private sealed record Capture(string Slot, int Start, int End, Capture? Previous);

    /// <summary>Every way <paramref name="nodes"/> from index <paramref name="index"/> matches words from <paramref name="position"/>, preferred first.</summary>
    private IEnumerable<(int End, Capture? Captures)> Match(IReadOnlyList<PhraseNode> nodes, int index, string[] words, int position, Capture? captures)
    {
        if (index == nodes.Count)
        {
            yield return (position, captures);
            yield break;
        }

        foreach (var (end, afterNode) in MatchNode(nodes[index], words, position, captures))
        {
            foreach (var result in Match(nodes, index + 1, words, end, afterNode))
            {
                yield return result;
            }
        }
    }

    private IEnumerable<(int End, Capture? Captures)> MatchNode(PhraseNode node, string[] words, int position, Capture? captures)
    {
        switch (node)
        {
            case PhraseNode.Word word:
                if (position < words.Length && words[position] == word.Text)
                {
                    yield return (position + 1, captures);
                }

                break;
            case PhraseNode.Optional optional:
                foreach (var result in Match(optional.Body, 0, words, position, captures))
                {
                    yield return result;
                }

                yield return (position, captures);
                break;
            case PhraseNode.Choice choice:
                foreach (var option in choice.Options)
                {
                    foreach (var result in Match(option, 0, words, position, captures))
                    {
                        yield return result;
                    }
                }

                break;
            case PhraseNode.Slot slot:
                foreach (var end in SlotEnds(slot.Name, words, position, captures))
                {
                    yield return end;
                }

                break;
        }
    }

    private IEnumerable<(int End, Capture? Captures)> SlotEnds(string name, string[] words, int position, Capture? captures)
    {
        if (CompiledRules.TryGetValue(name, out var rule))
        {
            foreach (var (end, inner) in Match(rule, 0, words, position, captures))
            {
                yield return (end, new Capture(name, position, end, inner));
            }

            yield break;
        }

        var (known, freeSpan) = name switch
        {
            "title" => (_titles, MaxFreeSpan),
            "person" => (_people, 3),
            "workflow" => (_workflows, 4),
            "words" => ([], MaxFreeSpan * 2),
            _ => throw new InvalidOperationException($"Phrase slot <{name}> has no rule."),
        };
        foreach (var phrase in known)
        {
            if (position + phrase.Length <= words.Length && words.AsSpan(position, phrase.Length).SequenceEqual(phrase))
            {
                yield return (position + phrase.Length, new Capture(name, position, position + phrase.Length, captures));
            }
        }

        // Free text: shortest first, so optional tails ("for ada", "due friday") keep their words.
        for (var end = position + 1; end <= Math.Min(words.Length, position + freeSpan); end++)
        {
            if (name == "title" && ItemReference.Pronouns.Contains(words[position]))
            {
                yield break;
            }

            yield return (end, new Capture(name, position, end, captures));
        }
    }
}
