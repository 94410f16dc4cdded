using System.Globalization;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Discord.Voice;
using DiscordLedgerBot.Emulators.Monday;
using DiscordLedgerBot.Slices.Voice;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// Issue #17's "end to end over sockets", with nothing injected: a member of the emulated voice channel speaks (espeak-ng
/// audio played into the call, Opus + DAVE + transport encryption), the composed bot's voice receiver cuts the utterance,
/// the embedded engine recognises it, the prompt appears in the voice channel's text chat, the speaker's click changes
/// the monday emulator and the card follows. A write nobody confirms changes nothing.
/// </summary>
[Trait("Category", "Slow")]
public sealed class VoiceAudioToLedgerEndToEndTests
{
    private static readonly string Linus = EmulatedGuild.Ids.Member;
    private static readonly string Grace = EmulatedGuild.Ids.Moderator;
    private static readonly string Voice = EmulatedGuild.Ids.Voice;
    private static readonly ulong VoiceChannel = ulong.Parse(Voice, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Speech_played_into_the_voice_channel_becomes_confirmed_ledger_changes_and_answers()
    {
        var driver = await SurfaceDriver.StartAsync(
            $"--Surface:Owners:{Linus}=ada@emulated.monday",
            $"--Surface:Owners:{Grace}=grace@emulated.monday");
        await using var bot = driver.Bot;
        var monday = bot.Environment.Monday;
        var voice = driver.Discord.Voice;
        var call = voice.Call(VoiceChannel);

        await voice.AddMemberAsync(VoiceChannel, ulong.Parse(Linus, CultureInfo.InvariantCulture));
        await voice.AddMemberAsync(VoiceChannel, ulong.Parse(Grace, CultureInfo.InvariantCulture));
        await SurfaceDriver.Eventually(() => bot.Services.GetRequiredService<VoiceGuildDirectory>().VoiceChannelOf(ulong.Parse(EmulatedGuild.Ids.Guild, CultureInfo.InvariantCulture), ulong.Parse(Linus, CultureInfo.InvariantCulture)) == VoiceChannel);
        Assert.Contains("Joining", await driver.AskTextAsync(SurfaceDriver.Slash("voice", "join", new Dictionary<string, JsonNode?>(), userId: Linus)), StringComparison.Ordinal);
        var botId = ulong.Parse(driver.Discord.Options.BotUserId, CultureInfo.InvariantCulture);
        await call.Transitions.WaitForAsync(t => t.Members.Contains(botId), SurfaceDriver.Wait);

        // The create: prompt, the speaker's click, the item on monday tagged with channel and speaker, its card.
        await SpeakAsync(voice, Linus, "hey ledger create a task update the release notes");
        var prompt = await NextMessageAsync(driver, m => Content(m).Contains("create “Update the release notes” owned by Ada Lovelace", StringComparison.Ordinal));
        Assert.Null(monday.Items().FirstOrDefault(i => i.Name == "Update the release notes"));
        var recorded = await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(Buttons(prompt)[0], channelId: Voice, userId: Linus));
        Assert.Contains("Recorded: create “Update the release notes”", recorded, StringComparison.Ordinal);
        MondayItemSnapshot? item = null;
        await SurfaceDriver.Eventually(() => (item = monday.Items().FirstOrDefault(i => i.Name == "Update the release notes")) is not null);
        await SurfaceDriver.Eventually(() => monday.Updates(item!.Id).Any(u => u.Body.Contains($"Voice request by Ada Lovelace in channel {Voice} (utterance ", StringComparison.Ordinal)
            && u.Body.Contains("“hey ledger create a task update the release notes”", StringComparison.Ordinal)));
        Assert.Contains("voice", item!.ColumnValues[LedgerBoardSchema.SourceColumn], StringComparison.Ordinal);
        Assert.Contains(Voice, item.ColumnValues[LedgerBoardSchema.ChannelColumn], StringComparison.Ordinal);
        var ledger = bot.Services.GetRequiredService<ILedger>();
        var entry = Assert.Single(await ledger.GetByIdsAsync([item.Id.ToString(CultureInfo.InvariantCulture)], CancellationToken.None));
        Assert.Equal((LedgerSource.Voice, Voice, "Ada Lovelace"), (entry.Source, entry.DiscordChannelId, entry.Owner));
        await SurfaceDriver.Eventually(() => driver.CardsOf(entry.Key.Value, Voice) is [_]);

        // The pronoun resolves to what was just created; the ledger's workflow starts it first (a spoken yes confirms),
        // then the click moves it to blocked (the ledger asks for what blocks it) on monday and the card is edited in place.
        await SpeakAsync(voice, Linus, "hey ledger move it to in progress");
        var startPrompt = await NextMessageAsync(driver, m => Content(m).Contains("move “Update the release notes” from Requested to In progress", StringComparison.Ordinal));
        await SpeakAsync(voice, Linus, "yes");
        await SurfaceDriver.Eventually(() => driver.Discord.MessagesIn(Voice).Any(m => m.Id == startPrompt["id"]!.GetValue<string>() && Content(m.Message).Contains("Recorded: move", StringComparison.Ordinal) && Buttons(m.Message).Count == 0));
        await SurfaceDriver.Eventually(() => ledger.GetByIdsAsync([item.Id.ToString(CultureInfo.InvariantCulture)], CancellationToken.None).GetAwaiter().GetResult() is [{ Status: LedgerStatus.InProgress }]);
        await SpeakAsync(voice, Linus, "hey ledger move it to blocked waiting on security review");
        var blockPrompt = await NextMessageAsync(driver, m => Content(m).Contains("move “Update the release notes” from In progress to Blocked (waiting on security review)", StringComparison.Ordinal));
        var blocked = await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(Buttons(blockPrompt)[0], channelId: Voice, userId: Linus));
        Assert.Contains("Recorded: move", blocked, StringComparison.Ordinal);
        await SurfaceDriver.Eventually(() => ledger.GetByIdsAsync([item.Id.ToString(CultureInfo.InvariantCulture)], CancellationToken.None).GetAwaiter().GetResult() is [{ Status: LedgerStatus.Blocked }]);
        await SurfaceDriver.Eventually(() => driver.CardsOf(entry.Key.Value, Voice) is [var card] && SurfaceDriver.Field(card, "Status").Contains("Blocked", StringComparison.Ordinal));

        // A read is answered at once, without a prompt.
        await SpeakAsync(voice, Linus, "hey ledger what is blocked");
        var answer = await NextMessageAsync(driver, m => Content(m).Contains("heard: “hey ledger what is blocked”", StringComparison.Ordinal));
        Assert.Contains("• Update the release notes — Ada Lovelace", Content(answer), StringComparison.Ordinal);
        Assert.Empty(Buttons(answer));

        // Unconfirmed writes change nothing: one cancelled by its speaker's click, one never answered.
        var before = monday.Items().Single(i => i.Id == item.Id);
        var updatesBefore = monday.Updates(item.Id).Count;
        await SpeakAsync(voice, Linus, "hey ledger assign it to grace");
        var assignPrompt = await NextMessageAsync(driver, m => Content(m).Contains("assign “Update the release notes” to Grace Hopper", StringComparison.Ordinal));
        Assert.Contains("Cancelled; nothing was changed.", await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(Buttons(assignPrompt)[1], channelId: Voice, userId: Linus)), StringComparison.Ordinal);
        await SpeakAsync(voice, Linus, "hey ledger make it due tomorrow");
        await NextMessageAsync(driver, m => Content(m).Contains("set “Update the release notes” due", StringComparison.Ordinal));

        // A read after both: the outbox has had every chance to flush anything recorded.
        await SpeakAsync(voice, Linus, "hey ledger what is the status of update the release notes");
        var status = await NextMessageAsync(driver, m => Content(m).Contains("heard: “hey ledger what is the status of update the release notes”", StringComparison.Ordinal));
        Assert.Contains($"is Blocked, owned by Ada Lovelace, due {entry.DueDate:yyyy-MM-dd}", Content(status), StringComparison.Ordinal);
        var after = monday.Items().Single(i => i.Id == item.Id);
        Assert.Equal(before.ColumnValues, after.ColumnValues);
        Assert.Equal(updatesBefore, monday.Updates(item.Id).Count);
        Assert.Single(monday.Items(), i => i.Name == "Update the release notes");
        Assert.Empty(driver.SpecViolations());
    }

    /// <summary>The member speaks: espeak-ng audio (the suite's one synthesis helper) played into the call as Discord would carry it.</summary>
    private static async Task SpeakAsync(EmulatedVoiceServer voice, string speaker, string text) =>
        await voice.PlayAsync(VoiceChannel, ulong.Parse(speaker, CultureInfo.InvariantCulture), VoiceClip.FromMono(SyntheticSpeech.Say(text), SpokenUtterance.SampleRate));

    private static async Task<JsonObject> NextMessageAsync(SurfaceDriver driver, Func<JsonObject, bool> match)
    {
        JsonObject? found = null;
        try
        {
            await SurfaceDriver.Eventually(() => (found = driver.Discord.MessagesIn(Voice).Select(m => m.Message).LastOrDefault(match)) is not null);
        }
        catch (Xunit.Sdk.XunitException)
        {
            // What the receiver counted tells a lost packet (dropped, rejected) from a misheard or unaddressed utterance.
            var status = driver.Bot.Services.GetRequiredService<VoiceChannelManager>().Status(ulong.Parse(EmulatedGuild.Ids.Guild, CultureInfo.InvariantCulture));
            throw new Xunit.Sdk.XunitException("The channel has: " + string.Join(" | ", driver.Discord.MessagesIn(Voice).Select(m => Content(m.Message)))
                + $"; the receiver counted {status.Connection?.Counters.ToString() ?? "no connection"}");
        }

        return found!;
    }

    private static string Content(JsonObject message) => message["content"]?.GetValue<string>() ?? string.Empty;

    private static List<string> Buttons(JsonObject message) =>
        message["components"] is JsonArray rows ? [.. rows.OfType<JsonObject>().SelectMany(r => r["components"]!.AsArray().OfType<JsonObject>()).Select(b => b["custom_id"]!.GetValue<string>())] : [];
}
