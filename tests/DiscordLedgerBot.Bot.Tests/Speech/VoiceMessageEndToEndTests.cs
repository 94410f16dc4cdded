using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Slices.Escalation;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Speech.VoiceMessages;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// Discord voice messages through the composed bot over real sockets: a member posts a voice message in a text channel
/// (the emulator encodes espeak-ng speech to Ogg Opus, serves it from its CDN route and dispatches MESSAGE_CREATE with
/// the voice-message flag); the bot downloads, decodes and recognises it with the embedded engine, and answers under it.
/// Each mode's intents and gating: <c>addressed</c> without MESSAGE_CONTENT, <c>wake</c> with it.
/// </summary>
[Trait("Category", "Slow")]
public sealed class VoiceMessageEndToEndTests
{
    private static readonly string Linus = EmulatedGuild.Ids.Member;
    private static readonly string Grace = EmulatedGuild.Ids.Moderator;
    private static readonly string Text = EmulatedGuild.Ids.General;

    [Fact]
    public async Task Addressed_mode_needs_no_privileged_intent_takes_pinging_replies_and_dms_and_never_fetches_other_voice_messages()
    {
        var driver = await SurfaceDriver.StartAsync(
            $"--Surface:Owners:{Linus}=ada@emulated.monday",
            "--Speech:PocketSphinx:MaxDecoders=1",
            "--Speech:VoiceMessages:RetryDelay=00:00:00");
        await using var bot = driver.Bot;
        var discord = driver.Discord;
        var ledger = bot.Services.GetRequiredService<ILedger>();
        var rest = bot.Services.GetRequiredService<IDiscordRest>();

        // The default mode asks for the message intents but not the privileged MESSAGE_CONTENT: an upgrade cannot hit 4014.
        var intents = discord.GatewayClientFrames.Snapshot().Last(frame => frame.Op == 2).Data!["intents"]!.GetValue<int>();
        Assert.Equal(VoiceMessageResponder.MessageIntents, intents & VoiceMessageResponder.MessageIntents);
        Assert.Equal(0, intents & VoiceMessageResponder.MessageContentIntent);

        // A plain channel voice message is not for the bot, wake phrase or not: Discord withholds its audio and the bot
        // ignores it without a download (the later CDN log starts with the pinging reply's requests).
        var chatter = await discord.PostVoiceMessageAsync(Text, Linus, Wav("hey ledger create a task water the plants"));
        Assert.Equal(DiscordEmulator.VoiceMessageFlag, chatter.Message["flags"]!.GetValue<int>());
        Assert.Equal("audio/ogg", chatter.Message["attachments"]![0]!["content_type"]!.GetValue<string>());

        // A reply that pings the bot mentions it, so Discord delivers the audio: no wake phrase needed.
        // The CDN answers 429 once (Retry-After: 0): the download is retried.
        await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, CardResponder.ChannelMessagesRoute, new Dictionary<string, string> { ["channel_id"] = Text }, new MessageBuilder().WithContent("Ask me by voice.").Build()), CancellationToken.None);
        var seed = discord.MessagesIn(Text).Last(m => Content(m.Message) == "Ask me by voice.");
        discord.FailCdnRequests(1, 429, TimeSpan.Zero);
        var create = await discord.PostVoiceMessageAsync(Text, Linus, Wav("create a task update the release notes"), replyTo: seed.Id);
        var prompt = await ReplyToAsync(driver, Text, create.Id, "Confirm:");
        Assert.Contains("heard: “create a task update the release notes”", Content(prompt), StringComparison.Ordinal);
        Assert.Contains("create “Update the release notes” owned by Ada Lovelace", Content(prompt), StringComparison.Ordinal);
        Assert.Contains("press a button within", Content(prompt), StringComparison.Ordinal);
        Assert.Equal([429, 200], discord.CdnRequests.Snapshot());
        Assert.DoesNotContain(discord.MessagesIn(Text), m => Reference(m.Message) == chatter.Id);

        // A spoken "yes" in a voice message does not confirm: only the button does.
        var key = LedgerKey.FromOrigin(LedgerSource.Voice, create.Id);
        var yes = await discord.PostVoiceMessageAsync(Text, Linus, Wav("yes"), replyTo: prompt["id"]!.GetValue<string>());
        Assert.Contains("press the prompt's Confirm or Cancel button", Content(await ReplyToAsync(driver, Text, yes.Id, "heard:")), StringComparison.Ordinal);
        Assert.Null(await ledger.FindByKeyAsync(key, CancellationToken.None));

        var confirm = Buttons(prompt)[0];
        Assert.Contains("Only <@" + Linus + ">", await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(confirm, channelId: Text, userId: Grace)), StringComparison.Ordinal);
        Assert.Contains("Recorded: create “Update the release notes”", await driver.AskTextAsync(EmulatedInteractions.ComponentInteraction(confirm, channelId: Text, userId: Linus)), StringComparison.Ordinal);
        LedgerEntry? created = null;
        await SurfaceDriver.Eventually(() => (created = ledger.FindByKeyAsync(key, CancellationToken.None).GetAwaiter().GetResult()) is not null);
        Assert.Equal(("Update the release notes", "Ada Lovelace", LedgerSource.Voice, Text), (created!.Title, created.Owner, created.Source, created.DiscordChannelId));
        var item = Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Update the release notes");
        await SurfaceDriver.Eventually(() => bot.Environment.Monday.Updates(item.Id).Any(u => u.Body.Contains($"Voice message by Ada Lovelace in channel {Text} (message {create.Id})", StringComparison.Ordinal)));

        // A reply to the bot with the @mention off arrives without its audio: the member is told how to ask, nothing is fetched.
        var downloads = discord.CdnRequests.Snapshot().Count;
        var silent = await discord.PostVoiceMessageAsync(Text, Linus, Wav("what is the status of update the release notes"), replyTo: prompt["id"]!.GetValue<string>(), pingReplied: false);
        Assert.Contains("reply with the @mention on", Content(await ReplyToAsync(driver, Text, silent.Id, "I could not use that voice message")), StringComparison.Ordinal);
        Assert.Equal(downloads, discord.CdnRequests.Snapshot().Count);

        // In a DM every voice message is for the bot and keeps its audio.
        var dm = await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, DiscordEscalationNotifier.DirectMessageRoute, new Dictionary<string, string>(), new Dictionary<string, object> { ["recipient_id"] = Linus }), CancellationToken.None);
        var dmChannel = dm!.Value.GetProperty("id").GetString()!;
        var read = await discord.PostVoiceMessageAsync(dmChannel, Linus, Wav("what is the status of update the release notes"));
        Assert.Contains("is Requested, owned by Ada Lovelace", Content(await ReplyToAsync(driver, dmChannel, read.Id, "heard:")), StringComparison.Ordinal);

        // A corrupt recording is answered with the reason, and nothing changes.
        var items = bot.Environment.Monday.Items().Count();
        var corrupt = await discord.PostVoiceMessageAsync(Text, Linus, [.. "OggS"u8, .. new byte[200]], replyTo: prompt["id"]!.GetValue<string>());
        var refused = Content(await ReplyToAsync(driver, Text, corrupt.Id, "I could not use that voice message"));
        Assert.Contains("It is not a readable Ogg Opus recording:", refused, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was changed.", refused, StringComparison.Ordinal);
        Assert.Equal(items, bot.Environment.Monday.Items().Count());
        Assert.DoesNotContain(discord.MessagesIn(Text), m => Reference(m.Message) == chatter.Id);
        Assert.Empty(driver.SpecViolations());
    }

    [Fact]
    public async Task Wake_mode_asks_for_message_content_and_takes_a_channel_voice_message_that_starts_with_the_wake_phrase()
    {
        var driver = await SurfaceDriver.StartAsync(
            $"--Surface:Owners:{Linus}=ada@emulated.monday",
            "--Speech:PocketSphinx:MaxDecoders=1",
            "--Speech:VoiceMessages:Mode=wake");
        await using var bot = driver.Bot;
        var discord = driver.Discord;

        var intents = discord.GatewayClientFrames.Snapshot().Last(frame => frame.Op == 2).Data!["intents"]!.GetValue<int>();
        Assert.Equal(VoiceMessageResponder.MessageIntents | VoiceMessageResponder.MessageContentIntent, intents & (VoiceMessageResponder.MessageIntents | VoiceMessageResponder.MessageContentIntent));

        // Without the wake phrase it is fetched and recognised (the bot cannot know before) but not answered.
        var chatter = await discord.PostVoiceMessageAsync(Text, Linus, Wav("the weather is nice today"));
        await SurfaceDriver.Eventually(() => discord.CdnRequests.Snapshot().Count == 1);
        var create = await discord.PostVoiceMessageAsync(Text, Linus, Wav("hey ledger create a task update the release notes"));
        Assert.Contains("create “Update the release notes” owned by Ada Lovelace", Content(await ReplyToAsync(driver, Text, create.Id, "Confirm:")), StringComparison.Ordinal);
        Assert.DoesNotContain(discord.MessagesIn(Text), m => Reference(m.Message) == chatter.Id);
        Assert.Empty(driver.SpecViolations());
    }

    private static byte[] Wav(string text) => Core.Speech.Audio.WavFile.Write(SyntheticSpeech.Say(text));

    private static async Task<JsonObject> ReplyToAsync(SurfaceDriver driver, string channelId, string messageId, string part)
    {
        JsonObject? found = null;
        try
        {
            await SurfaceDriver.Eventually(() => (found = driver.Discord.MessagesIn(channelId).Select(m => m.Message)
                .LastOrDefault(m => Reference(m) == messageId && Content(m).Contains(part, StringComparison.Ordinal))) is not null);
        }
        catch (Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException("The channel has: " + string.Join(" | ", driver.Discord.MessagesIn(channelId).Select(m => $"[{Reference(m.Message)}] {Content(m.Message)}")));
        }

        return found!;
    }

    private static string? Reference(JsonObject message) => message["message_reference"]?["message_id"]?.GetValue<string>();

    private static string Content(JsonObject message) => message["content"]?.GetValue<string>() ?? string.Empty;

    private static List<string> Buttons(JsonObject message) =>
        message["components"] is JsonArray rows ? [.. rows.OfType<JsonObject>().SelectMany(r => r["components"]!.AsArray().OfType<JsonObject>()).Select(b => b["custom_id"]!.GetValue<string>())] : [];
}
