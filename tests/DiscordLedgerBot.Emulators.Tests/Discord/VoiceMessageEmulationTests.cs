using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Speech.Audio;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Audio;

namespace DiscordLedgerBot.Emulators.Tests.Discord;

/// <summary>
/// A member's voice message as Discord delivers it: MESSAGE_CREATE with IS_VOICE_MESSAGE and one audio/ogg attachment
/// (duration, waveform) served from the CDN route — only to sessions with the message intents, and without the
/// attachment in a guild when MESSAGE_CONTENT is missing, unless the message is a DM or mentions the bot (a reply that pings it).
/// </summary>
public sealed class VoiceMessageEmulationTests
{
    private const int GuildMessages = 1 << 9;
    private const int DirectMessages = 1 << 12;
    private const int MessageContent = 1 << 15;

    [Fact]
    public async Task A_posted_wav_becomes_an_ogg_opus_voice_message_served_from_the_cdn()
    {
        await using var bot = await RawBot.StartAsync(intents: 129 | GuildMessages | MessageContent);
        var wav = WavFile.Write(SyntheticSpeech.Say("what is blocked"));
        using var http = new HttpClient { BaseAddress = bot.Emulator.BaseUrl };
        using var posted = await http.PostAsync($"__emulator/channels/{EmulatedGuild.Ids.General}/voice-message?user_id={EmulatedGuild.Ids.Member}", new ByteArrayContent(wav));
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        var message = (await posted.Content.ReadFromJsonAsync<JsonObject>())!;

        var dispatch = await bot.DispatchAsync("MESSAGE_CREATE");
        var data = dispatch["d"]!.AsObject();
        Assert.Equal(message["id"]!.GetValue<string>(), data["id"]!.GetValue<string>());
        Assert.Equal(DiscordEmulator.VoiceMessageFlag, data["flags"]!.GetValue<int>());
        Assert.Equal(EmulatedGuild.Ids.Guild, data["guild_id"]!.GetValue<string>());
        var attachment = data["attachments"]![0]!.AsObject();
        Assert.Equal("audio/ogg", attachment["content_type"]!.GetValue<string>());
        Assert.InRange(attachment["duration_secs"]!.GetValue<double>(), 0.8, 2.5);
        Assert.NotEmpty(Convert.FromBase64String(attachment["waveform"]!.GetValue<string>()));

        var ogg = await http.GetByteArrayAsync(new Uri(attachment["url"]!.GetValue<string>()));
        Assert.Equal(attachment["size"]!.GetValue<int>(), ogg.Length);
        var stream = OggOpusReader.Read(ogg);
        Assert.Equal(1, stream.Head.Channels);
        Assert.InRange(stream.Duration.TotalSeconds, attachment["duration_secs"]!.GetValue<double>() - 0.01, attachment["duration_secs"]!.GetValue<double>() + 0.01);
        bot.AssertConforms();
    }

    [Fact]
    public async Task Without_message_content_the_attachment_is_withheld_and_without_guild_messages_nothing_is_sent()
    {
        await using var bot = await RawBot.StartAsync(intents: 129 | GuildMessages);
        var wav = WavFile.Write(SyntheticSpeech.Say("hello"));
        await bot.Emulator.PostVoiceMessageAsync(EmulatedGuild.Ids.General, EmulatedGuild.Ids.Member, wav);
        var data = (await bot.DispatchAsync("MESSAGE_CREATE"))["d"]!.AsObject();
        Assert.Empty(data["attachments"]!.AsArray());
        Assert.Equal(DiscordEmulator.VoiceMessageFlag, data["flags"]!.GetValue<int>());

        await using var deaf = await RawBot.StartAsync(intents: 129);
        await deaf.Emulator.PostVoiceMessageAsync(EmulatedGuild.Ids.General, EmulatedGuild.Ids.Member, wav);
        await deaf.Emulator.DispatchAsync("RESUMED", null);
        await deaf.DispatchAsync("RESUMED");
        Assert.DoesNotContain(deaf.Dispatches.Snapshot(), frame => frame["t"]?.GetValue<string>() == "MESSAGE_CREATE");
        var refused = await Assert.ThrowsAsync<EmulatorRequestException>(() => deaf.Emulator.PostVoiceMessageAsync("1", EmulatedGuild.Ids.Member, wav));
        Assert.Contains("Unknown channel", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_message_content_a_dm_and_a_reply_that_pings_the_bot_keep_their_attachment_and_a_silent_reply_does_not()
    {
        await using var bot = await RawBot.StartAsync(intents: 129 | GuildMessages | DirectMessages);
        var wav = WavFile.Write(SyntheticSpeech.Say("hello"));
        var said = await bot.OkAsync(HttpMethod.Post, $"channels/{EmulatedGuild.Ids.General}/messages", new JsonObject { ["content"] = "Ask me by voice." });
        var botMessage = said["id"]!.GetValue<string>();

        var pinging = await bot.Emulator.PostVoiceMessageAsync(EmulatedGuild.Ids.General, EmulatedGuild.Ids.Member, wav, replyTo: botMessage);
        var data = (await bot.DispatchAsync("MESSAGE_CREATE", d => d["id"]!.GetValue<string>() == pinging.Id))["d"]!.AsObject();
        Assert.Equal(19, data["type"]!.GetValue<int>());
        Assert.Equal(bot.Emulator.Options.BotUserId, Assert.Single(data["mentions"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal("audio/ogg", data["attachments"]![0]!["content_type"]!.GetValue<string>());

        using var http = new HttpClient { BaseAddress = bot.Emulator.BaseUrl };
        using var posted = await http.PostAsync($"__emulator/channels/{EmulatedGuild.Ids.General}/voice-message?user_id={EmulatedGuild.Ids.Member}&reply_to={botMessage}&ping=false", new ByteArrayContent(wav));
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        var silentId = (await posted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var silent = (await bot.DispatchAsync("MESSAGE_CREATE", d => d["id"]!.GetValue<string>() == silentId))["d"]!.AsObject();
        Assert.Empty(silent["mentions"]!.AsArray());
        Assert.Empty(silent["attachments"]!.AsArray());
        Assert.Equal(botMessage, silent["referenced_message"]!["id"]!.GetValue<string>());

        var dm = (await bot.OkAsync(HttpMethod.Post, "users/@me/channels", new JsonObject { ["recipient_id"] = EmulatedGuild.Ids.Member }))["id"]!.GetValue<string>();
        var direct = await bot.Emulator.PostVoiceMessageAsync(dm, EmulatedGuild.Ids.Member, wav);
        var dmData = (await bot.DispatchAsync("MESSAGE_CREATE", d => d["id"]!.GetValue<string>() == direct.Id))["d"]!.AsObject();
        Assert.Null(dmData["guild_id"]);
        Assert.Equal("audio/ogg", dmData["attachments"]![0]!["content_type"]!.GetValue<string>());
        bot.AssertConforms();
    }
}
