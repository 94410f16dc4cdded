namespace DiscordLedgerBot.Core.Speech.Intents;

/// <summary>
/// The live words requests may name: item titles, people and workflows as spoken (<see cref="SpokenText"/>), plus the
/// words a new title, note or reason may use. Built from the board and rebuilt when it changes; the grammar and the
/// parser both take it, so what the grammar accepts the parser parses.
/// </summary>
public sealed record SpeechVocabulary
{
    /// <summary>Words every request may use in free text (titles, notes, reasons) even when no item uses them yet.</summary>
    public static readonly IReadOnlyList<string> CommonWords =
    [
        "a", "an", "the", "and", "or", "of", "for", "to", "on", "in", "with", "from", "by", "at", "up", "new", "old",
        "api", "app", "auth", "backup", "bug", "build", "cache", "certificate", "check", "clean", "client", "code", "config",
        "customer", "data", "database", "deploy", "design", "docs", "documentation", "draft", "email", "error", "feature",
        "file", "fix", "hardening", "help", "invoice", "issue", "key", "launch", "login", "logs", "meeting", "migration",
        "mobile", "monitoring", "network", "notes", "onboarding", "page", "password", "payment", "plan", "policy", "prepare",
        "release", "renew", "report", "request", "review", "rollout", "schedule", "security", "server", "service", "setup",
        "slides", "staging", "support", "team", "test", "tests", "ticket", "update", "upgrade", "user", "users", "vendor",
        "waiting", "website", "write", "legal", "budget", "contract", "approval", "sign", "off", "send", "call", "fix",
        "move", "clean", "read", "answer", "ask", "about", "after", "before", "again", "first", "next", "last", "week",
    ];

    public IReadOnlyList<string> Titles { get; init; } = [];

    public IReadOnlyList<string> People { get; init; } = [];

    public IReadOnlyList<string> Workflows { get; init; } = [];

    /// <summary>Words free text may use: the common words plus every word of every title.</summary>
    public IReadOnlyList<string> FreeWords { get; init; } = CommonWords;

    /// <summary>Builds the vocabulary from raw board text; every entry is normalized and de-duplicated, empty ones dropped.</summary>
    public static SpeechVocabulary From(IEnumerable<string> titles, IEnumerable<string> people, IEnumerable<string> workflows)
    {
        static List<string> Spoken(IEnumerable<string> texts) =>
            [.. texts.Select(SpokenText.Normalize).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

        var spokenTitles = Spoken(titles);
        var fullNames = Spoken(people);

        // A person is called by first name as often as by full name.
        var spokenPeople = fullNames.Concat(fullNames.Select(n => n.Split(' ')[0])).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new SpeechVocabulary
        {
            Titles = spokenTitles,
            People = spokenPeople,
            Workflows = Spoken(workflows),
            FreeWords = [.. CommonWords.Concat(spokenTitles.SelectMany(t => t.Split(' '))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        };
    }

    /// <summary>Changes whenever any list changes: recognizers rebuild their grammar only then.</summary>
    public string Fingerprint()
    {
        var hash = new HashCode();
        foreach (var list in new[] { Titles, People, Workflows, FreeWords })
        {
            hash.Add(list.Count);
            foreach (var item in list)
            {
                hash.Add(item, StringComparer.Ordinal);
            }
        }

        return hash.ToHashCode().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }
}
