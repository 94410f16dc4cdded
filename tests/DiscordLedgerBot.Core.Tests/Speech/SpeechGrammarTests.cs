using DiscordLedgerBot.Core.Speech.Intents;

namespace DiscordLedgerBot.Core.Tests.Speech;

/// <summary>The weights that keep recognition accurate (bench speech-accuracy): a regression here costs whole requests.</summary>
public sealed class SpeechGrammarTests
{
    private static readonly string Jsgf = SpeechGrammar.ToJsgf(SpeechVocabulary.From(["API hardening"], ["Dana Scully"], []), "hey ledger");

    [Fact]
    public void Every_free_word_pays_its_weight_so_free_text_cannot_swallow_a_request()
    {
        var words = Jsgf.Split('\n').Single(l => l.StartsWith("<word> =", StringComparison.Ordinal));
        var alternatives = words["<word> =".Length..].TrimEnd(';', '\r').Split('|', StringSplitOptions.TrimEntries);
        Assert.Contains("/0.00001/ hardening", alternatives);
        Assert.All(alternatives, a => Assert.StartsWith("/0.00001/ ", a, StringComparison.Ordinal));
    }

    [Fact]
    public void The_wake_phrase_is_optional_but_preferred()
    {
        Assert.Contains("public <utterance> = /1/ <wake> <command> | /0.01/ <command>;", Jsgf, StringComparison.Ordinal);
        Assert.Contains("<wake> = hey ledger;", Jsgf, StringComparison.Ordinal);
        Assert.Contains("public <utterance> = <command>;", SpeechGrammar.ToJsgf(SpeechVocabulary.From([], [], []), null), StringComparison.Ordinal);
    }
}
