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
/// attachment in a guild when MESSAGE_CONTENT is missing.
/// </summary>
public sealed class VoiceMessageEmulationTests
{
    private const int GuildMessages = 1 << 9;
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
}
