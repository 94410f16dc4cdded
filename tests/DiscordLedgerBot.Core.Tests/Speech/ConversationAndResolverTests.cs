using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Core.Tests.Speech;

public sealed class ConversationAndResolverTests
{
    private static LedgerEntry Entry(string key, string title, bool active = true) =>
        new() { Key = LedgerKey.Parse(key), MondayItemId = "1", Title = title, Status = LedgerStatus.Requested, IsActive = active };

    private static readonly LedgerEntry Api = Entry("voice:1", "API hardening");
    private static readonly LedgerEntry ApiReview = Entry("voice:2", "API hardening review");
    private static readonly LedgerEntry Tls = Entry("voice:3", "Renew the TLS certificate");

    [Fact]
    public void Memory_is_per_speaker_and_channel_and_expires()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var memory = new ConversationMemory(time, TimeSpan.FromMinutes(10));
        memory.Remember("c1", "ada", [Api.Key]);
        memory.Remember("c1", "dana", [Tls.Key]);
        Assert.Equal([Api.Key], memory.Recall("c1", "ada"));
        Assert.Equal([Tls.Key], memory.Recall("c1", "dana"));
        Assert.Empty(memory.Recall("c2", "ada"));
        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        Assert.Empty(memory.Recall("c1", "ada"));
    }

    [Fact]
    public void Pronouns_resolve_from_memory_and_several_remembered_items_are_asked_back()
    {
        Assert.Same(Api, ItemResolver.Resolve(new ItemReference("it", true), [Api, Tls], [Api.Key]).Entry);
        var several = ItemResolver.Resolve(new ItemReference("that", true), [Api, ApiReview, Tls], [Api.Key, Tls.Key]);
        Assert.Null(several.Entry);
        Assert.Equal([Api, Tls], several.Candidates);
        Assert.Contains("nothing was mentioned recently", ItemResolver.Resolve(new ItemReference("it", true), [Api], []).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Titles_resolve_exactly_then_by_overlap_and_ties_are_asked_back()
    {
        Assert.Same(Api, ItemResolver.Resolve(new ItemReference("api hardening", false), [Api, ApiReview], []).Entry);
        Assert.Same(Tls, ItemResolver.Resolve(new ItemReference("the tls certificate", false), [Api, Tls], []).Entry);
        Assert.Equal([Api, ApiReview], ItemResolver.Resolve(new ItemReference("hardening", false), [Api, ApiReview], []).Candidates);
        Assert.NotNull(ItemResolver.Resolve(new ItemReference("payroll", false), [Api, Tls], []).Problem);
        Assert.NotNull(ItemResolver.Resolve(new ItemReference("api hardening", false), [Entry("voice:9", "API hardening", active: false)], []).Problem);
    }

    [Fact]
    public void Spoken_text_normalizes_titles_and_transcripts_alike()
    {
        Assert.Equal("api v two hardening", SpokenText.Normalize("API-v2 hardening!"));
        Assert.Equal("what's blocked", SpokenText.Normalize("What’s blocked?"));
        Assert.Equal("cafe review", SpokenText.Normalize("Café review"));
    }
}
