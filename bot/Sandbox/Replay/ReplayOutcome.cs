namespace DiscordLedgerBot.Sandbox.Replay;

/// <summary>What a person could observe after a scenario ran on one runtime, normalised so runs can be compared.</summary>
/// <param name="Failures">Scenario expectations that did not hold, or steps that never settled (not parity differences).</param>
/// <param name="Board">One line per ledger item (title, group, columns, updates, subitems).</param>
/// <param name="Events">The event stream per step (<c>step: type data</c>).</param>
/// <param name="Messages">Every message in the guild's channels as it finally reads.</param>
/// <param name="Replies">What each interaction answered the person who sent it.</param>
public sealed record ReplayOutcome(
    string Scenario,
    string Runtime,
    IReadOnlyList<string> Failures,
    IReadOnlyList<string> Board,
    IReadOnlyList<string> Events,
    IReadOnlyList<string> Messages,
    IReadOnlyList<string> Replies);

/// <summary>One line that differs between two runtimes' outcomes of the same scenario.</summary>
public sealed record ParityDifference(string Section, int Line, string? Expected, string? Actual);

/// <summary>A scenario's result: each runtime's outcome and the differences against the first (reference) runtime.</summary>
public sealed record ScenarioParity(string Scenario, string Path, IReadOnlyList<ReplayOutcome> Outcomes, IReadOnlyDictionary<string, IReadOnlyList<ParityDifference>> Differences)
{
    public bool HasDifferences => Differences.Values.Any(d => d.Count > 0);

    public bool HasFailures => Outcomes.Any(o => o.Failures.Count > 0);
}

/// <summary>Compares outcomes line by line, section by section.</summary>
public static class ParityComparer
{
    public static IReadOnlyList<ParityDifference> Compare(ReplayOutcome reference, ReplayOutcome other)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(other);
        return [
            .. Section("board", reference.Board, other.Board),
            .. Section("events", reference.Events, other.Events),
            .. Section("messages", reference.Messages, other.Messages),
            .. Section("replies", reference.Replies, other.Replies),
        ];
    }

    private static IEnumerable<ParityDifference> Section(string name, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        for (var line = 0; line < Math.Max(expected.Count, actual.Count); line++)
        {
            var left = line < expected.Count ? expected[line] : null;
            var right = line < actual.Count ? actual[line] : null;
            if (!string.Equals(left, right, StringComparison.Ordinal))
            {
                yield return new ParityDifference(name, line + 1, left, right);
            }
        }
    }
}
