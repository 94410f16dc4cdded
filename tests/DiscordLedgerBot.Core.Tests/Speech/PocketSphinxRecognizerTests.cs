using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Core.Speech.Recognition;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Tests.Speech;

/// <summary>The embedded engine on speech synthesised at test time (espeak-ng), with the Debian pocketsphinx packages ./test.sh installs.</summary>
public sealed class PocketSphinxRecognizerTests : IDisposable
{
    private static readonly DateOnly Today = new(2026, 11, 21);

    private static readonly SpeechVocabulary Board = SpeechVocabulary.From(
        ["API hardening", "Renew the TLS certificate", "Kubernetes upgrade for Zyxcorp"],
        ["Ada Lovelace", "Dana Scully"],
        ["code-edit"]);

    private readonly PocketSphinxRecognizer _recognizer = new(Options.Create(new SpeechOptions()), TimeProvider.System);

    [Theory]
    [InlineData("hey ledger move the API hardening task to blocked waiting on security review", SpeechIntentKind.SetStatus)]
    [InlineData("what is the status of renew the TLS certificate", SpeechIntentKind.StatusOf)]
    [InlineData("assign it to Dana", SpeechIntentKind.Assign)]
    [InlineData("what is overdue", SpeechIntentKind.Overdue)]
    [InlineData("yes", SpeechIntentKind.Confirm)]
    public async Task Commands_spoken_by_a_synthetic_voice_are_recognised_and_parsed(string said, SpeechIntentKind kind)
    {
        var transcript = await _recognizer.TranscribeAsync(SyntheticSpeech.Say(said), Board, CancellationToken.None);
        Assert.Equal(SpokenText.Normalize(said), transcript.Text);
        Assert.Equal(kind, new IntentParser(Board).Parse(transcript.Text, Today, "hey ledger").Intent?.Kind);
    }

    /// <summary>
    /// The grammar weights and word insertion probability are what keep the free-word loop from swallowing a request and a
    /// long request from collapsing into "yes": these decode, through the real engine, voices and a noise level that failed before.
    /// </summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("hey ledger move it to in progress", "en-us+m3", 200, null, SpeechIntentKind.SetStatus)]
    [InlineData("hey ledger mark the API hardening task as done", "en+f2", 170, null, SpeechIntentKind.SetStatus)]
    [InlineData("hey ledger who owns the API hardening task", "en-us", 170, 6.0, SpeechIntentKind.OwnerOf)]
    public async Task Requests_in_hard_voices_and_at_6_dB_snr_parse_to_their_intent(string said, string voice, int speed, double? snr, SpeechIntentKind kind)
    {
        var transcript = await _recognizer.TranscribeAsync(SyntheticSpeech.Say(said, voice, speed, snr), Board, CancellationToken.None);
        var expected = new IntentParser(Board).Parse(said, Today, "hey ledger");
        var heard = new IntentParser(Board).Parse(transcript.Text, Today, "hey ledger");
        Assert.True(heard.WakeHeard, transcript.Text);
        Assert.Equal(kind, heard.Intent?.Kind);
        Assert.Equal((expected.Intent!.Item, expected.Intent.Status, expected.Intent.Person), (heard.Intent!.Item, heard.Intent.Status, heard.Intent.Person));
    }

    [Fact]
    public async Task Titles_with_words_missing_from_the_dictionary_still_load_and_an_empty_board_too()
    {
        // "kubernetes" and "zyxcorp" are not in cmudict: spelled letter by letter they keep the grammar loadable.
        var transcript = await _recognizer.TranscribeAsync(SyntheticSpeech.Say("what is blocked"), Board, CancellationToken.None);
        Assert.Equal("what is blocked", transcript.Text);
        var empty = await _recognizer.TranscribeAsync(SyntheticSpeech.Say("what is blocked"), SpeechVocabulary.From([], [], []), CancellationToken.None);
        Assert.Equal("what is blocked", empty.Text);
    }

    [Fact]
    public async Task Configured_pronunciations_make_new_titles_recognisable_after_the_board_changes()
    {
        var options = new SpeechOptions();
        options.PocketSphinx.Pronunciations["kubernetes"] = "K Y UW B ER N IY T S";
        using var recognizer = new PocketSphinxRecognizer(Options.Create(options), TimeProvider.System);
        var before = SpeechVocabulary.From(["API hardening"], [], []);
        Assert.Equal("what is blocked", (await recognizer.TranscribeAsync(SyntheticSpeech.Say("what is blocked"), before, CancellationToken.None)).Text);
        var after = SpeechVocabulary.From(["API hardening", "Kubernetes upgrade"], [], []);
        var heard = await recognizer.TranscribeAsync(SyntheticSpeech.Say("who owns the kubernetes upgrade"), after, CancellationToken.None);
        Assert.Equal("who owns the kubernetes upgrade", heard.Text);
    }

    [Fact]
    public async Task Concurrent_utterances_decode_on_their_own_decoders_with_identical_results()
    {
        var audio = SyntheticSpeech.Say("who owns API hardening");
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _recognizer.TranscribeAsync(audio, Board, CancellationToken.None).AsTask()));
        Assert.All(results, r => Assert.Equal("who owns api hardening", r.Text));
    }

    [Fact]
    public void Digital_silence_is_dithered_by_a_few_lsb()
    {
        var dithered = PocketSphinxRecognizer.Dither(new short[16000]);
        Assert.Contains(dithered, s => s != 0);
        Assert.All(dithered, s => Assert.InRange(s, -PocketSphinxRecognizer.DitherAmplitude, PocketSphinxRecognizer.DitherAmplitude));
    }

    public void Dispose() => _recognizer.Dispose();
}
