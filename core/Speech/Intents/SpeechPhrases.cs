namespace DiscordLedgerBot.Core.Speech.Intents;

/// <summary>
/// Every phrasing a request may take, in a JSGF-like notation: <c>(a | b c)</c> alternatives, <c>[x]</c> optional,
/// <c>&lt;slot&gt;</c> a slot filled from the vocabulary. The embedded recognizer's grammar is generated from these
/// (<see cref="SpeechGrammar"/>) and the parser matches transcripts against the same list (<see cref="IntentParser"/>),
/// so the two cannot drift. Earlier templates win when a phrase matches several.
/// </summary>
public static class SpeechPhrases
{
    public static readonly IReadOnlyList<(SpeechIntentKind Kind, string Pattern)> Templates =
    [
        (SpeechIntentKind.Confirm, "(yes | yeah | yep | confirm | correct | do it) [please | do it]"),
        (SpeechIntentKind.Cancel, "(no | nope | cancel | never mind | stop) [thanks | thank you]"),
        (SpeechIntentKind.Overdue, "(what is | what's | what are | which items are | which tasks are) (overdue | late)"),
        (SpeechIntentKind.Overdue, "(list | show) [me] [the] (overdue | late) (items | tasks)"),
        (SpeechIntentKind.Blocked, "(what is | what's | what are | which items are | which tasks are) blocked"),
        (SpeechIntentKind.Blocked, "(list | show) [me] [the] blocked (items | tasks)"),
        (SpeechIntentKind.StatusOf, "(what is | what's) the status of <item>"),
        (SpeechIntentKind.StatusOf, "[what is the] status of <item>"),
        (SpeechIntentKind.StatusOf, "how is <item> (going | doing)"),
        (SpeechIntentKind.OwnerOf, "who owns <item>"),
        (SpeechIntentKind.OwnerOf, "who is (the owner of | working on | on) <item>"),
        (SpeechIntentKind.ToolFor, "(which | what) tool (for | handles | should we use for) [workflow] <workflow>"),
        (SpeechIntentKind.Create, "(create | add | open) [a] [new] (task | item) <words> [for <person>] [due <date>]"),
        (SpeechIntentKind.SetStatus, "(move | set | mark | put) <item> (to | as) <status> [<reason>]"),
        (SpeechIntentKind.Assign, "(assign | give) <item> to <person>"),
        (SpeechIntentKind.Assign, "make <person> [the] owner of <item>"),
        (SpeechIntentKind.SetDue, "set [the] due date (of | for) <item> to <date>"),
        (SpeechIntentKind.SetDue, "<item> is due <date>"),
        (SpeechIntentKind.SetDue, "(make | move) <item> due <date>"),
        (SpeechIntentKind.AddNote, "add [a] note (to | on) <item> [saying] <words>"),
        (SpeechIntentKind.AddFollowUp, "add [a] follow up (to | for | on) <item> [called] <words>"),
        (SpeechIntentKind.Escalate, "escalate <item> [because <words>]"),
    ];

    /// <summary>Sub-rules the templates use besides the vocabulary slots.</summary>
    public static readonly IReadOnlyDictionary<string, string> Rules = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["item"] = "it | that | this | that one | this one | [the] <title> [task | item]",
        ["reason"] = "because <words> | (waiting | blocked) (on | for | by) <words>",
        ["status"] = "requested | in progress | blocked | done",
        ["date"] = "today | tomorrow | next week | monday | tuesday | wednesday | thursday | friday | saturday | sunday",
    };

    public static readonly IReadOnlyDictionary<string, Ledger.LedgerStatus> Statuses = new Dictionary<string, Ledger.LedgerStatus>(StringComparer.Ordinal)
    {
        ["requested"] = Ledger.LedgerStatus.Requested,
        ["in progress"] = Ledger.LedgerStatus.InProgress,
        ["blocked"] = Ledger.LedgerStatus.Blocked,
        ["done"] = Ledger.LedgerStatus.Done,
    };

    /// <summary>The date a spoken day names, counted from <paramref name="today"/>: a weekday is its next occurrence after today.</summary>
    public static DateOnly? ResolveDate(string spoken, DateOnly today)
    {
        if (spoken == "today")
        {
            return today;
        }

        if (spoken == "tomorrow")
        {
            return today.AddDays(1);
        }

        if (spoken == "next week")
        {
            return today.AddDays(7);
        }

        if (Enum.TryParse<DayOfWeek>(spoken, ignoreCase: true, out var day) && spoken.All(char.IsAsciiLetterLower))
        {
            var ahead = ((int)day - (int)today.DayOfWeek + 7) % 7;
            return today.AddDays(ahead == 0 ? 7 : ahead);
        }

        return null;
    }
}
