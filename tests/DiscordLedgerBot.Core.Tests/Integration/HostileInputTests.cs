using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Tests.Support;

namespace DiscordLedgerBot.Core.Tests.Integration;

/// <summary>User text travels only in GraphQL variables: it arrives byte-for-byte or is refused before sending.</summary>
public class HostileInputTests
{
    public static TheoryData<string> HostileTitles() =>
    [
        "Quote \" inside and 'single' quotes",
        "Braces { } [ ] and a $variable and $m0_name",
        "\\\"escaped\\\" backslashes \\n not a newline",
        "\") { id } } mutation { delete_item(item_id: 1) { id } } #",
        "\u202Eטקסט מימין לשמאל\u202C with RTL override",
        "zero\u200Bwidth\u200Djoiner\uFEFFbom",
        "emoji 🧾✅ and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        new string('x', 255),
    ];

    [Theory]
    [MemberData(nameof(HostileTitles))]
    public async Task Hostile_title_reaches_monday_intact(string title)
    {
        await using var env = await EmulatedLedger.StartAsync(TimeProvider.System);
        var key = LedgerKey.Parse("api:hostile");

        var applied = Expect.Applied(await env.Ledger.ExecuteAsync(new CreateLedgerEntry("hostile-1", key, title, LedgerSource.Api) { Owner = title }, CancellationToken.None));
        Expect.Applied(await env.Ledger.ExecuteAsync(new CommentOnLedgerEntry("hostile-2", key, title + "\nsecond line") { MondayItemId = applied.MondayItemId }, CancellationToken.None));

        var stored = Assert.Single(env.Emulator.Items(env.BoardId), i => EmulatorItems.LedgerKey(i) == key.Value);
        Assert.Equal(title, stored.Name);
        Assert.Equal(title + "\nsecond line", Assert.Single(env.Emulator.Updates(stored.Id)).Body);
        var entry = Assert.Single(await env.Ledger.GetByIdsAsync([applied.MondayItemId], CancellationToken.None));
        Assert.Equal(title, entry.Title);
        Assert.Equal(title, entry.Owner);
    }

    [Theory]
    [InlineData(10_240, "255")]
    [InlineData(256, "255")]
    [InlineData(0, "empty")]
    public async Task Oversized_or_empty_title_is_rejected_clearly_and_nothing_is_sent(int length, string reasonMentions)
    {
        await using var env = await EmulatedLedger.StartAsync(TimeProvider.System);
        var sent = env.Transport.Total;
        var itemsBefore = env.Emulator.Items().Count;

        var rejected = Expect.Rejected(
            await env.Ledger.ExecuteAsync(new CreateLedgerEntry("big-1", LedgerKey.Parse("api:big"), new string('y', length), LedgerSource.Api), CancellationToken.None),
            LedgerRejectionKind.Validation);

        Assert.Contains(reasonMentions, rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(sent, env.Transport.Total);
        Assert.Equal(itemsBefore, env.Emulator.Items().Count);
    }

    [Fact]
    public async Task Multi_line_title_is_rejected_and_nothing_is_sent()
    {
        await using var env = await EmulatedLedger.StartAsync(TimeProvider.System);
        var sent = env.Transport.Total;

        var rejected = Expect.Rejected(
            await env.Ledger.ExecuteAsync(new CreateLedgerEntry("nl-1", LedgerKey.Parse("api:nl"), "first\nsecond", LedgerSource.Api), CancellationToken.None),
            LedgerRejectionKind.Validation);

        Assert.Contains("single line", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(sent, env.Transport.Total);
    }
}
