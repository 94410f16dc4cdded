using System.Text;

namespace DiscordLedgerBot.Core.Speech.Intents;

/// <summary>
/// The JSGF grammar the embedded recognizer searches, generated from <see cref="SpeechPhrases"/> and the live
/// <see cref="SpeechVocabulary"/>: command phrases × item titles × people × statuses × dates × workflows.
/// </summary>
public static class SpeechGrammar
{
    public const string Name = "ledger";

    /// <summary>Weight of a command said without the wake phrase, against 1 with it (JSGF weights are relative among siblings).</summary>
    public const double WithoutWakeWeight = 0.01;

    /// <summary>
    /// Weight of each free word (new titles, notes, reasons). pocketsphinx does not normalise JSGF weights: each becomes
    /// a log-probability on its arc, so this is a per-word cost that only free text pays. Without it the free-word loop
    /// swallowed whole requests ("give customer onboarding flow to dana" came out as "create item the customer on …").
    /// </summary>
    public const double FreeWordWeight = 1e-5;

    public static string ToJsgf(SpeechVocabulary vocabulary, string? wakePhrase)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var jsgf = new StringBuilder();
        jsgf.AppendLine("#JSGF V1.0;");
        jsgf.AppendLine($"grammar {Name};");
        var wake = SpokenText.Normalize(wakePhrase);

        // The wake phrase is optional in the grammar: a spoken "yes" to a pending prompt has none, and the pipeline
        // decides from the transcript whether it was said.
        // The wake phrase stays optional (a spoken "yes" to a pending prompt and push-to-talk requests have none) but
        // weighted: without the weight the decoder dropped a spoken "hey ledger" and spent its audio on other words.
        jsgf.AppendLine(wake.Length > 0 ? $"public <utterance> = /1/ <wake> <command> | /{Weight(WithoutWakeWeight)}/ <command>;" : "public <utterance> = <command>;");
        if (wake.Length > 0)
        {
            jsgf.AppendLine($"<wake> = {wake};");
        }


        // pocketsphinx fails the whole search on an empty rule (even <VOID>), so phrasings that need an empty list —
        // an item title on an empty board, a workflow when the registry has none — are left out instead.
        var empty = new HashSet<string>(StringComparer.Ordinal);
        if (vocabulary.Titles.Count == 0)
        {
            empty.Add("<title>");
        }

        if (vocabulary.Workflows.Count == 0)
        {
            empty.Add("<workflow>");
        }

        var templates = SpeechPhrases.Templates.Select(t => t.Pattern).Where(p => !empty.Any(p.Contains)).ToList();
        jsgf.AppendLine("<command> = " + string.Join(" | ", templates.Select((_, i) => $"<c{i}>")) + ";");
        for (var i = 0; i < templates.Count; i++)
        {
            jsgf.AppendLine($"<c{i}> = {templates[i]};");
        }

        foreach (var (name, body) in SpeechPhrases.Rules)
        {
            jsgf.AppendLine($"<{name}> = {string.Join(" | ", TopLevelAlternatives(body).Where(a => !empty.Any(a.Contains)))};");
        }

        if (vocabulary.Titles.Count > 0)
        {
            jsgf.AppendLine("<title> = " + string.Join(" | ", vocabulary.Titles) + ";");
        }

        if (vocabulary.Workflows.Count > 0)
        {
            jsgf.AppendLine("<workflow> = " + string.Join(" | ", vocabulary.Workflows) + ";");
        }

        jsgf.AppendLine("<person> = " + string.Join(" | ", vocabulary.People.Prepend("me")) + ";");
        jsgf.AppendLine("<words> = <word>+;");
        jsgf.AppendLine("<word> = " + string.Join(" | ", vocabulary.FreeWords.DefaultIfEmpty("the").Select(w => $"/{Weight(FreeWordWeight)}/ {w}")) + ";");
        return jsgf.ToString();
    }

    // The JSGF lexer reads plain decimals only: "1E-05" fails the whole grammar.
    private static string Weight(double weight) => weight.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<string> TopLevelAlternatives(string body)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < body.Length; i++)
        {
            depth += body[i] switch { '(' or '[' => 1, ')' or ']' => -1, _ => 0 };
            if (body[i] == '|' && depth == 0)
            {
                yield return body[start..i].Trim();
                start = i + 1;
            }
        }

        yield return body[start..].Trim();
    }

    /// <summary>Every word the grammar can produce: each must be in the recognizer's dictionary (or added to it) or loading fails.</summary>
    public static IReadOnlySet<string> Words(SpeechVocabulary vocabulary, string? wakePhrase)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var words = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<string> texts = [
            .. SpeechPhrases.Templates.Select(t => t.Pattern), .. SpeechPhrases.Rules.Values, wakePhrase ?? string.Empty,
            .. vocabulary.Titles, .. vocabulary.People, "me", .. vocabulary.Workflows, .. vocabulary.FreeWords];
        foreach (var text in texts)
        {
            foreach (var token in text.Split([' ', '(', ')', '[', ']', '|'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (!token.StartsWith('<'))
                {
                    words.Add(token);
                }
            }
        }

        return words;
    }
}
