using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Discord.Voice;
using DiscordLedgerBot.Slices.Speech;
using DiscordLedgerBot.Slices.Voice;
using DiscordLedgerBot.Voice.Tests.Receive;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Voice;

/// <summary>
/// The product as the sandbox runs it (one composition root, real sockets): a member in a voice channel asks the bot to
/// join, the bot joins over the main gateway (op 4 → VOICE_STATE/SERVER_UPDATE), connects to the emulator's voice
/// server, joins the DAVE group of the two members there, and what a member says reaches the utterance seam.
/// </summary>
[Trait("Category", "Slow")]
public sealed class VoiceEndToEndTests
{
    private static readonly ulong VoiceChannel = ulong.Parse(EmulatedGuild.Ids.Voice, CultureInfo.InvariantCulture);
    private static readonly ulong Member = ulong.Parse(EmulatedGuild.Ids.Member, CultureInfo.InvariantCulture);
    private static readonly ulong Moderator = ulong.Parse(EmulatedGuild.Ids.Moderator, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Voice_join_hears_a_dave_member_and_hands_the_utterance_to_the_speech_seam()
    {
        var heard = new CapturingSink();
        var driver = await SurfaceDriver.StartAsync(builder => builder.Services.AddSingleton<IUtteranceSink>(heard), "--Speech:Enabled=false");
        await using var bot = driver.Bot;
        var voice = driver.Discord.Voice;
        var call = voice.Call(VoiceChannel);

        Assert.Contains("Join a voice channel first", await driver.AskTextAsync(SurfaceDriver.Slash("voice", "join", new Dictionary<string, JsonNode?>(), userId: EmulatedGuild.Ids.Member)), StringComparison.Ordinal);

        await voice.AddMemberAsync(VoiceChannel, Member);
        await voice.AddMemberAsync(VoiceChannel, Moderator);
        await SurfaceDriver.Eventually(() => bot.Services.GetRequiredService<VoiceGuildDirectory>().VoiceChannelOf(ulong.Parse(EmulatedGuild.Ids.Guild, CultureInfo.InvariantCulture), Member) == VoiceChannel);
        var joined = await driver.AskTextAsync(SurfaceDriver.Slash("voice", "join", new Dictionary<string, JsonNode?>(), userId: EmulatedGuild.Ids.Member));
        Assert.Contains("Joining", joined, StringComparison.Ordinal);

        var botId = ulong.Parse(driver.Discord.Options.BotUserId, CultureInfo.InvariantCulture);
        await call.Transitions.WaitForAsync(t => t.Members.Contains(botId), SurfaceDriver.Wait);
        var status = await driver.AskTextAsync(SurfaceDriver.Slash("voice", "status", new Dictionary<string, JsonNode?>(), userId: EmulatedGuild.Ids.Member));
        Assert.Contains("end-to-end encrypted (DAVE v1", status, StringComparison.Ordinal);
        Assert.Contains(VoiceModule.PrivacyCodeGroups(call.MemberSession(Member)!.VoicePrivacyCode!), status, StringComparison.Ordinal);

        var requests = bot.Services.GetRequiredService<SpeechRequests>();
        Assert.Contains("without the wake phrase", await driver.AskTextAsync(SurfaceDriver.Slash("voice", "listen", new Dictionary<string, JsonNode?>(), userId: EmulatedGuild.Ids.Member)), StringComparison.Ordinal);
        Assert.True(requests.IsListening(EmulatedGuild.Ids.Voice, EmulatedGuild.Ids.Member));
        Assert.False(requests.IsListening(EmulatedGuild.Ids.Voice, EmulatedGuild.Ids.Moderator));
        Assert.Contains("Push-to-talk off", await driver.AskTextAsync(SurfaceDriver.Slash("voice", "listen", new Dictionary<string, JsonNode?> { ["off"] = true }, userId: EmulatedGuild.Ids.Member)), StringComparison.Ordinal);
        Assert.False(requests.IsListening(EmulatedGuild.Ids.Voice, EmulatedGuild.Ids.Member));

        var wav = SpokenAudio.Wav("assign the budget review to grace");
        await voice.PlayAsync(VoiceChannel, Member, VoiceClip.FromWav(wav), new VoicePlayOptions { PacketLossPercent = 5 });
        await SurfaceDriver.Eventually(() => !heard.Utterances.IsEmpty);

        var utterance = Assert.Single(heard.Utterances);
        Assert.Equal(EmulatedGuild.Ids.Member, utterance.SpeakerId);
        Assert.Equal(EmulatedGuild.Ids.Voice, utterance.ChannelId);
        Assert.Equal(EmulatedGuild.Ids.Guild, utterance.GuildId);
        Assert.Equal(UtteranceOrigin.VoiceChannel, utterance.Origin);
        Assert.True(utterance.EndedAt > utterance.StartedAt);
        var correlation = SpokenAudio.Correlation(SpokenAudio.Reference16k(wav), utterance.Pcm.ToArray());
        Assert.True(correlation >= 0.95, $"correlation {correlation:F3}");

        Assert.Contains("Left the voice channel", await driver.AskTextAsync(SurfaceDriver.Slash("voice", "leave", new Dictionary<string, JsonNode?>(), userId: EmulatedGuild.Ids.Member)), StringComparison.Ordinal);
        await SurfaceDriver.Eventually(() => call.Bot is null);
        Assert.Contains("not in a voice channel", await driver.AskTextAsync(SurfaceDriver.Slash("voice", "status", new Dictionary<string, JsonNode?>(), userId: EmulatedGuild.Ids.Member)), StringComparison.Ordinal);
        Assert.Contains("/voice join first", await driver.AskTextAsync(SurfaceDriver.Slash("voice", "listen", new Dictionary<string, JsonNode?>(), userId: EmulatedGuild.Ids.Member)), StringComparison.Ordinal);
        Assert.Empty(driver.SpecViolations());
    }

    private sealed class CapturingSink : IUtteranceSink
    {
        public ConcurrentQueue<SpokenUtterance> Utterances { get; } = new();

        public ValueTask AcceptAsync(SpokenUtterance utterance, CancellationToken cancellationToken)
        {
            Utterances.Enqueue(utterance);
            return ValueTask.CompletedTask;
        }
    }
}
