using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// Spoken requests through the composed bot over real sockets: utterances (synthesised with espeak-ng) enter the
/// <see cref="IUtteranceSink"/> the voice receiver feeds; prompts, answers and cards are read back from the Discord
/// emulator, changes from the monday emulator. Only the speaker's confirmation (button or spoken yes) writes.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SpokenRequestsEndToEndTests
{
    private static readonly string Linus = EmulatedGuild.Ids.Member;
    private static readonly string Grace = EmulatedGuild.Ids.Moderator;
    private static readonly string Voice = EmulatedGuild.Ids.Voice;

    private static int _utterances;

    [Fact]
    public async Task A_spoken_create_pronoun_status_change_and_read_reach_the_ledger_only_when_the_speaker_confirms()
    {
        var driver = await SurfaceDriver.StartAsync(
            $"--Surface:Owners:{Linus}=ada@emulated.monday",
            $"--Surface:Owners:{Grace}=grace@emulated.monday",
            "--Speech:PocketSphinx:MaxDecoders=1");
        await using var bot = driver.Bot;
        var ledger = bot.Services.GetRequiredService<ILedger>();
        var today = DateOnly.FromDateTime(bot.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);

        // Talk not addressed to the bot is ignored; the create that follows is the next thing the channel sees.
        await SayAsync(bot.Services, Linus, "the weather is nice today");
        var createId = await SayAsync(bot.Services, Linus, "hey ledger create a task update the release notes");
        var prompt = await NextMessageAsync(driver, m => Content(m).Contains("Confirm:", StringComparison.Ordinal));
        Assert.Single(driver.Discord.MessagesIn(Voice));
        Assert.Contains("heard: “hey ledger create a task update the release notes”", Content(prompt), StringComparison.Ordinal);
        Assert.Contains("create “Update the release notes” owned by Ada Lovelace", Content(prompt), StringComparison.Ordinal);
        var confirm = Buttons(prompt)[0];
        Assert.StartsWith("speech:yes:", confirm, StringComparison.Ordinal);

        // Someone else's click is refused; the speaker's click records the create, tagged with channel and speaker.
        var refused = await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(confirm, channelId: Voice, userId: Grace));
        Assert.Contains("Only <@" + Linus + ">", refused, StringComparison.Ordinal);
        var key = LedgerKey.FromOrigin(LedgerSource.Voice, createId);
        Assert.Null(await ledger.FindByKeyAsync(key, CancellationToken.None));
        var recorded = await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(confirm, channelId: Voice, userId: Linus));
        Assert.Contains("Recorded: create “Update the release notes”", recorded, StringComparison.Ordinal);
        LedgerEntry? created = null;
        await SurfaceDriver.Eventually(() => (created = ledger.FindByKeyAsync(key, CancellationToken.None).GetAwaiter().GetResult()) is not null);
        Assert.Equal(("Update the release notes", "Ada Lovelace", today.AddDays(7), LedgerSource.Voice, Voice), (created!.Title, created.Owner, created.DueDate, created.Source, created.DiscordChannelId));
        var item = Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Update the release notes");
        await SurfaceDriver.Eventually(() => bot.Environment.Monday.Updates(item.Id).Any(u => u.Body.Contains($"Voice request by Ada Lovelace in channel {Voice} (utterance {createId})", StringComparison.Ordinal)));
        await SurfaceDriver.Eventually(() => driver.CardsOf(key.Value, Voice) is [_]);

        // "it" is the item just created; a spoken yes confirms and the prompt loses its buttons.
        await SayAsync(bot.Services, Linus, "hey ledger move it to in progress");
        var startPrompt = await NextMessageAsync(driver, m => Content(m).Contains("move “Update the release notes” from Requested to In progress", StringComparison.Ordinal));
        await SayAsync(bot.Services, Linus, "yes");
        await SurfaceDriver.Eventually(() => driver.Discord.MessagesIn(Voice).Any(m => m.Id == startPrompt["id"]!.GetValue<string>() && Content(m.Message).Contains("Recorded: move", StringComparison.Ordinal) && Buttons(m.Message).Count == 0));
        await SurfaceDriver.Eventually(() => ledger.FindByKeyAsync(key, CancellationToken.None).GetAwaiter().GetResult()?.Status == LedgerStatus.InProgress);

        // The issue's own request, with its reason, confirmed by the speaker's button; the card follows.
        await SayAsync(bot.Services, Linus, "hey ledger move it to blocked waiting on security review");
        var blockPrompt = await NextMessageAsync(driver, m => Content(m).Contains("from In progress to Blocked (waiting on security review)", StringComparison.Ordinal));
        var blocked = await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(Buttons(blockPrompt)[0], channelId: Voice, userId: Linus));
        Assert.StartsWith("<@" + Linus + "> heard: “hey ledger move it to blocked waiting on security review”\nRecorded: move", blocked, StringComparison.Ordinal);
        await SurfaceDriver.Eventually(() => ledger.FindByKeyAsync(key, CancellationToken.None).GetAwaiter().GetResult()?.Status == LedgerStatus.Blocked);
        await SurfaceDriver.Eventually(() => driver.CardsOf(key.Value, Voice) is [var card] && SurfaceDriver.Field(card, "Status").Contains("Blocked", StringComparison.Ordinal));

        // A read is answered at once.
        await SayAsync(bot.Services, Linus, "hey ledger what is blocked");
        var answer = await NextMessageAsync(driver, m => Content(m).Contains("heard: “hey ledger what is blocked”", StringComparison.Ordinal));
        Assert.Contains("• Update the release notes — Ada Lovelace", Content(answer), StringComparison.Ordinal);

        // Unconfirmed writes change nothing: one cancelled by a spoken no, one never answered.
        await SayAsync(bot.Services, Linus, "hey ledger assign it to grace");
        await NextMessageAsync(driver, m => Content(m).Contains("assign “Update the release notes” to Grace Hopper", StringComparison.Ordinal));
        await SayAsync(bot.Services, Linus, "no");
        await SurfaceDriver.Eventually(() => driver.Discord.MessagesIn(Voice).Any(m => Content(m.Message).Contains("Cancelled; nothing was changed.", StringComparison.Ordinal)));
        await SayAsync(bot.Services, Linus, "hey ledger make it due tomorrow");
        await NextMessageAsync(driver, m => Content(m).Contains("set “Update the release notes” due", StringComparison.Ordinal));
        await SayAsync(bot.Services, Linus, "hey ledger what is the status of update the release notes");
        var status = await NextMessageAsync(driver, m => Content(m).Contains("heard: “hey ledger what is the status of update the release notes”", StringComparison.Ordinal));
        Assert.Contains($"is Blocked, owned by Ada Lovelace, due {today.AddDays(7):yyyy-MM-dd}", Content(status), StringComparison.Ordinal);
        var after = await ledger.FindByKeyAsync(key, CancellationToken.None);
        Assert.Equal(("Ada Lovelace", today.AddDays(7)), (after!.Owner, after.DueDate));
        Assert.Empty(driver.SpecViolations());
    }

    internal static async Task<string> SayAsync(IServiceProvider services, string speaker, string text, string? channel = null)
    {
        var id = "9" + Interlocked.Increment(ref _utterances).ToString("D17", System.Globalization.CultureInfo.InvariantCulture);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var pcm = SyntheticSpeech.Say(text);
        await services.GetRequiredService<IUtteranceSink>().AcceptAsync(
            new SpokenUtterance(id, EmulatedGuild.Ids.Guild, channel ?? Voice, speaker, UtteranceOrigin.VoiceChannel, now, now, pcm),
            CancellationToken.None);
        return id;
    }

    private static async Task<JsonObject> NextMessageAsync(SurfaceDriver driver, Func<JsonObject, bool> match, string? channel = null)
    {
        JsonObject? found = null;
        try
        {
            await SurfaceDriver.Eventually(() => (found = driver.Discord.MessagesIn(channel ?? Voice).Select(m => m.Message).LastOrDefault(match)) is not null);
        }
        catch (Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException("The channel has: " + string.Join(" | ", driver.Discord.MessagesIn(channel ?? Voice).Select(m => Content(m.Message))));
        }

        return found!;
    }

    private static string Content(JsonObject message) => message["content"]?.GetValue<string>() ?? string.Empty;

    private static List<string> Buttons(JsonObject message) =>
        message["components"] is JsonArray rows ? [.. rows.OfType<JsonObject>().SelectMany(r => r["components"]!.AsArray().OfType<JsonObject>()).Select(b => b["custom_id"]!.GetValue<string>())] : [];
}
