using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Slices.Speech.VoiceMessages;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// Discord voice messages through the composed bot over real sockets: a member posts a voice message in a text channel
/// (the emulator encodes espeak-ng speech to Ogg Opus, serves it from its CDN route and dispatches MESSAGE_CREATE with
/// the voice-message flag); the bot downloads, decodes and recognises it with the embedded engine, and answers under it.
/// </summary>
[Trait("Category", "Slow")]
public sealed class VoiceMessageEndToEndTests
{
    private static readonly string Linus = EmulatedGuild.Ids.Member;
    private static readonly string Grace = EmulatedGuild.Ids.Moderator;
    private static readonly string Text = EmulatedGuild.Ids.General;

    [Fact]
    public async Task A_voice_message_create_is_confirmed_by_button_a_reply_to_the_bot_is_answered_and_a_corrupt_one_is_refused()
    {
        var driver = await SurfaceDriver.StartAsync(
            $"--Surface:Owners:{Linus}=ada@emulated.monday",
            "--Speech:PocketSphinx:MaxDecoders=1",
            "--Speech:VoiceMessages:RetryDelay=00:00:00");
        await using var bot = driver.Bot;
        var discord = driver.Discord;
        var ledger = bot.Services.GetRequiredService<ILedger>();

        // Voice messages are on by default, so the bot asked for the message intents (MESSAGE_CONTENT is privileged).
        var identify = discord.GatewayClientFrames.Snapshot().Last(frame => frame.Op == 2);
        Assert.Equal(VoiceMessageResponder.Intents, identify.Data!["intents"]!.GetValue<int>() & VoiceMessageResponder.Intents);

        // A voice message among people, without the wake phrase, is not for the bot: no answer.
        var chatter = await discord.PostVoiceMessageAsync(Text, Linus, Wav("the weather is nice today"));
        Assert.Equal(DiscordEmulator.VoiceMessageFlag, chatter.Message["flags"]!.GetValue<int>());
        Assert.Equal("audio/ogg", chatter.Message["attachments"]![0]!["content_type"]!.GetValue<string>());

        // The CDN answers 429 once (Retry-After: 0): the download is retried.
        await SurfaceDriver.Eventually(() => discord.CdnRequests.Snapshot().Count == 1);
        discord.FailCdnRequests(1, 429, TimeSpan.Zero);
        var create = await discord.PostVoiceMessageAsync(Text, Linus, Wav("hey ledger create a task update the release notes"));
        var prompt = await ReplyToAsync(driver, create.Id, "Confirm:");
        Assert.Contains("heard: “hey ledger create a task update the release notes”", Content(prompt), StringComparison.Ordinal);
        Assert.Contains("create “Update the release notes” owned by Ada Lovelace", Content(prompt), StringComparison.Ordinal);
        Assert.Contains("press a button within", Content(prompt), StringComparison.Ordinal);
        Assert.Equal([200, 429, 200], discord.CdnRequests.Snapshot().Take(3));
        Assert.DoesNotContain(discord.MessagesIn(Text), m => Reference(m.Message) == chatter.Id);

        // A spoken "yes" in a voice message does not confirm: only the button does.
        var key = LedgerKey.FromOrigin(LedgerSource.Voice, create.Id);
        var yes = await discord.PostVoiceMessageAsync(Text, Linus, Wav("yes"), replyTo: prompt["id"]!.GetValue<string>());
        Assert.Contains("press the prompt's Confirm or Cancel button", Content(await ReplyToAsync(driver, yes.Id, "heard:")), StringComparison.Ordinal);
        Assert.Null(await ledger.FindByKeyAsync(key, CancellationToken.None));

        var confirm = Buttons(prompt)[0];
        Assert.Contains("Only <@" + Linus + ">", await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(confirm, channelId: Text, userId: Grace)), StringComparison.Ordinal);
        Assert.Contains("Recorded: create “Update the release notes”", await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(confirm, channelId: Text, userId: Linus)), StringComparison.Ordinal);
        LedgerEntry? created = null;
        await SurfaceDriver.Eventually(() => (created = ledger.FindByKeyAsync(key, CancellationToken.None).GetAwaiter().GetResult()) is not null);
        Assert.Equal(("Update the release notes", "Ada Lovelace", LedgerSource.Voice, Text), (created!.Title, created.Owner, created.Source, created.DiscordChannelId));
        var item = Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Update the release notes");
        await SurfaceDriver.Eventually(() => bot.Environment.Monday.Updates(item.Id).Any(u => u.Body.Contains($"Voice message by Ada Lovelace in channel {Text} (message {create.Id})", StringComparison.Ordinal)));

        // A reply to the bot is addressed to it: no wake phrase needed; the read is answered under the voice message.
        var read = await discord.PostVoiceMessageAsync(Text, Linus, Wav("what is the status of update the release notes"), replyTo: prompt["id"]!.GetValue<string>());
        var answer = await ReplyToAsync(driver, read.Id, "heard:");
        Assert.Contains("is Requested, owned by Ada Lovelace", Content(answer), StringComparison.Ordinal);

        // A corrupt recording is answered with the reason, and nothing changes.
        var items = bot.Environment.Monday.Items().Count();
        var corrupt = await discord.PostVoiceMessageAsync(Text, Linus, [.. "OggS"u8, .. new byte[200]]);
        var refused = Content(await ReplyToAsync(driver, corrupt.Id, "I could not use that voice message"));
        Assert.Contains("It is not a readable Ogg Opus recording:", refused, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was changed.", refused, StringComparison.Ordinal);
        Assert.Equal(items, bot.Environment.Monday.Items().Count());
        Assert.Empty(driver.SpecViolations());
    }

    private static byte[] Wav(string text) => Core.Speech.Audio.WavFile.Write(SyntheticSpeech.Say(text));

    private static async Task<JsonObject> ReplyToAsync(SurfaceDriver driver, string messageId, string part)
    {
        JsonObject? found = null;
        try
        {
            await SurfaceDriver.Eventually(() => (found = driver.Discord.MessagesIn(Text).Select(m => m.Message)
                .LastOrDefault(m => Reference(m) == messageId && Content(m).Contains(part, StringComparison.Ordinal))) is not null);
        }
        catch (Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException("The channel has: " + string.Join(" | ", driver.Discord.MessagesIn(Text).Select(m => $"[{Reference(m.Message)}] {Content(m.Message)}")));
        }

        return found!;
    }

    private static string? Reference(JsonObject message) => message["message_reference"]?["message_id"]?.GetValue<string>();

    private static string Content(JsonObject message) => message["content"]?.GetValue<string>() ?? string.Empty;

    private static List<string> Buttons(JsonObject message) =>
        message["components"] is JsonArray rows ? [.. rows.OfType<JsonObject>().SelectMany(r => r["components"]!.AsArray().OfType<JsonObject>()).Select(b => b["custom_id"]!.GetValue<string>())] : [];
}
