using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Speech.Intents;

namespace DiscordLedgerBot.Core.Tests.Speech;

public sealed class IntentParserTests
{
    private static readonly DateOnly Saturday = new(2026, 11, 21);

    private static readonly IntentParser Parser = new(SpeechVocabulary.From(
        ["API hardening", "Renew the TLS certificate", "Q4 budget review", "API hardening review"],
        ["Ada Lovelace", "Dana Scully"],
        ["code-edit", "test-run"]));

    private static SpeechIntent Parse(string text) => Parser.Parse(text, Saturday, "hey ledger").Intent ?? throw new Xunit.Sdk.XunitException($"'{text}' did not parse.");

    [Theory]
    [InlineData("Move the API hardening task to blocked, waiting on security review", "api hardening", LedgerStatus.Blocked, "waiting on security review")]
    [InlineData("move it to blocked", "it", LedgerStatus.Blocked, null)]
    [InlineData("mark that as done", "that", LedgerStatus.Done, null)]
    [InlineData("set the q4 budget review to in progress because legal signed off", "q four budget review", LedgerStatus.InProgress, "legal signed off")]
    [InlineData("put API hardening review to requested", "api hardening review", LedgerStatus.Requested, null)]
    public void Status_changes_parse_with_item_status_and_reason(string text, string item, LedgerStatus status, string? reason)
    {
        var intent = Parse(text);
        Assert.Equal(SpeechIntentKind.SetStatus, intent.Kind);
        Assert.Equal(item, intent.Item!.Spoken);
        Assert.Equal(item is "it" or "that", intent.Item.IsPronoun);
        Assert.Equal(status, intent.Status);
        Assert.Equal(reason, intent.Reason);
        Assert.True(intent.IsWrite);
    }

    [Theory]
    [InlineData("what's the status of the TLS certificate", SpeechIntentKind.StatusOf)]
    [InlineData("what is the status of renew the tls certificate", SpeechIntentKind.StatusOf)]
    [InlineData("status of it", SpeechIntentKind.StatusOf)]
    [InlineData("how is api hardening going", SpeechIntentKind.StatusOf)]
    [InlineData("what's overdue", SpeechIntentKind.Overdue)]
    [InlineData("show me the late tasks", SpeechIntentKind.Overdue)]
    [InlineData("who owns the api hardening task", SpeechIntentKind.OwnerOf)]
    [InlineData("who is working on that", SpeechIntentKind.OwnerOf)]
    [InlineData("what is blocked", SpeechIntentKind.Blocked)]
    [InlineData("list blocked items", SpeechIntentKind.Blocked)]
    [InlineData("which tool for code edit", SpeechIntentKind.ToolFor)]
    [InlineData("what tool should we use for workflow test run", SpeechIntentKind.ToolFor)]
    public void Reads_parse_and_are_not_writes(string text, SpeechIntentKind kind)
    {
        var intent = Parse(text);
        Assert.Equal(kind, intent.Kind);
        Assert.False(intent.IsWrite);
    }

    [Fact]
    public void A_create_keeps_its_title_owner_and_due_date()
    {
        var intent = Parse("hey ledger create a task update the release notes for Dana due friday");
        Assert.Equal(SpeechIntentKind.Create, intent.Kind);
        Assert.Equal("update the release notes", intent.Words);
        Assert.Equal("dana", intent.Person);
        Assert.Equal("friday", intent.DueSpoken);
        Assert.Equal(new DateOnly(2026, 11, 27), intent.Due);

        var bare = Parse("create task write the onboarding docs");
        Assert.Equal(("write the onboarding docs", null, null), (bare.Words, bare.Person, bare.Due));
    }

    [Theory]
    [InlineData("assign that to Dana", SpeechIntentKind.Assign, "that", "dana")]
    [InlineData("give the tls certificate task to ada lovelace", SpeechIntentKind.Assign, "tls certificate", "ada lovelace")]
    [InlineData("make Ada the owner of api hardening", SpeechIntentKind.Assign, "api hardening", "ada")]
    [InlineData("assign it to me", SpeechIntentKind.Assign, "it", "me")]
    public void Assignments_name_item_and_person(string text, SpeechIntentKind kind, string item, string person)
    {
        var intent = Parse(text);
        Assert.Equal((kind, item, person), (intent.Kind, intent.Item!.Spoken, intent.Person));
    }

    [Theory]
    [InlineData("api hardening is due tomorrow", "tomorrow", 2026, 11, 22)]
    [InlineData("set the due date of it to monday", "monday", 2026, 11, 23)]
    [InlineData("make that due next week", "next week", 2026, 11, 28)]
    [InlineData("move it due saturday", "saturday", 2026, 11, 28)]
    [InlineData("it is due today", "today", 2026, 11, 21)]
    public void Due_dates_resolve_from_today(string text, string spoken, int y, int m, int d)
    {
        var intent = Parse(text);
        Assert.Equal(SpeechIntentKind.SetDue, intent.Kind);
        Assert.Equal(spoken, intent.DueSpoken);
        Assert.Equal(new DateOnly(y, m, d), intent.Due);
    }

    [Fact]
    public void Notes_follow_ups_and_escalations_keep_their_words()
    {
        var note = Parse("add a note to api hardening saying waiting for the vendor");
        Assert.Equal((SpeechIntentKind.AddNote, "api hardening", "waiting for the vendor"), (note.Kind, note.Item!.Spoken, note.Words));
        var followUp = Parse("add a follow up to it called check the logs");
        Assert.Equal((SpeechIntentKind.AddFollowUp, "it", "check the logs"), (followUp.Kind, followUp.Item!.Spoken, followUp.Words));
        var escalate = Parse("escalate the tls certificate because the customer is waiting");
        Assert.Equal((SpeechIntentKind.Escalate, "tls certificate", "the customer is waiting"), (escalate.Kind, escalate.Item!.Spoken, escalate.Words));
    }

    [Theory]
    [InlineData("yes", SpeechIntentKind.Confirm)]
    [InlineData("yes please", SpeechIntentKind.Confirm)]
    [InlineData("confirm", SpeechIntentKind.Confirm)]
    [InlineData("no", SpeechIntentKind.Cancel)]
    [InlineData("never mind", SpeechIntentKind.Cancel)]
    public void Answers_parse(string text, SpeechIntentKind kind) => Assert.Equal(kind, Parse(text).Kind);

    [Theory]
    [InlineData("hello how are you today")]
    [InlineData("the weather is nice")]
    [InlineData("")]
    public void Chatter_does_not_parse(string text) => Assert.Null(Parser.Parse(text, Saturday, "hey ledger").Intent);

    [Fact]
    public void The_wake_phrase_is_reported_and_stripped()
    {
        var woken = Parser.Parse("Hey ledger, what's blocked?", Saturday, "hey ledger");
        Assert.True(woken.WakeHeard);
        Assert.Equal("what's blocked", woken.Words);
        Assert.Equal(SpeechIntentKind.Blocked, woken.Intent!.Kind);
        Assert.False(Parser.Parse("what's blocked", Saturday, "hey ledger").WakeHeard);
    }

    [Fact]
    public void Every_template_of_the_grammar_parses_its_own_phrasings()
    {
        // A sample sentence per template, written from the grammar's alternatives: whatever the recognizer can say parses.
        string[] samples =
        [
            "yeah do it", "nope thanks", "which tasks are late", "list the overdue items", "what's blocked", "show blocked tasks",
            "what's the status of api hardening", "what is the status of it", "how is this doing", "who owns this one",
            "who is the owner of q four budget review", "what tool handles code edit", "open a new item draft the report for ada due tomorrow",
            "set this one as done", "give api hardening to me", "make dana scully owner of it", "set due date for it to friday",
            "this is due sunday", "make it due today", "add note on it notes", "add follow up for it check", "escalate it",
        ];
        Assert.Equal(SpeechPhrases.Templates.Count, samples.Length);
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.Equal(SpeechPhrases.Templates[i].Kind, Parse(samples[i]).Kind);
        }
    }
}
