using System.Collections.Concurrent;
using System.Globalization;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Discord.Voice;
using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Connection;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Receive;
using DiscordLedgerBot.Voice.Tests.Receive;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Voice.Tests.Wire;

/// <summary>
/// The voice connection against the emulator's voice server over real sockets (voice WebSocket v8 + UDP on loopback):
/// the whole receive path with DAVE members, epoch changes, a resume and packet loss; and the close-code policy.
/// </summary>
[Trait("Category", "Slow")]
public sealed class VoiceWireTests
{
    private const ulong Bot = 1_300_000_000_000_001;
    private const ulong Alice = 1_300_000_000_000_101;
    private const ulong Bob = 1_300_000_000_000_102;
    private const ulong Carol = 1_300_000_000_000_103;
    private static readonly ulong Guild = ulong.Parse(EmulatedGuild.Ids.Guild, CultureInfo.InvariantCulture);
    private static readonly ulong Channel = ulong.Parse(EmulatedGuild.Ids.Voice, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(1, "aead_aes256_gcm_rtpsize")]
    [InlineData(1, "aead_xchacha20_poly1305_rtpsize")]
    [InlineData(0, "aead_xchacha20_poly1305_rtpsize")]
    public async Task Two_members_speak_through_an_epoch_change_a_leave_a_resume_and_5_percent_loss(int daveVersion, string mode)
    {
        var options = new DiscordEmulatorOptions { VoiceDaveProtocolVersion = daveVersion, BotUserId = Bot.ToString(CultureInfo.InvariantCulture) };
        options.VoiceModes.Clear();
        options.VoiceModes.Add(mode);
        await using var emulator = await DiscordEmulator.StartAsync(options);
        var call = emulator.Voice.Call(Channel);
        await emulator.Voice.AddMemberAsync(Channel, Alice);
        await emulator.Voice.AddMemberAsync(Channel, Bob);
        var heard = new ConcurrentQueue<HeardUtterance>();
        await using var connection = Connect(emulator, "session-1", heard);
        using var stop = new CancellationTokenSource();
        var run = connection.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => connection.Status.Mode == mode && connection.Status.Members.Count == 2, "the bot is connected with both members");
        if (daveVersion > 0)
        {
            await Eventually.TrueAsync(() => call.Transitions.Snapshot().Any(t => t.Members.Contains(Bot)), "the bot joined the DAVE group");
            Assert.Equal(call.MemberSession(Alice)!.VoicePrivacyCode, connection.Status.VoicePrivacyCode);
            Assert.Matches("^[0-9]{30}$", connection.Status.VoicePrivacyCode!);
        }

        var bobSays = SpokenAudio.Wav("show my open tasks");
        await emulator.Voice.PlayAsync(Channel, Bob, VoiceClip.FromWav(bobSays), new VoicePlayOptions { PacketLossPercent = 5 });
        await Eventually.TrueAsync(() => heard.Any(u => u.SpeakerId == Bob), "Bob's utterance arrives");

        var aliceSays = SpokenAudio.Wav("create a task to review the quarterly budget by friday");
        var transitionsBefore = call.Transitions.Count;
        var played = await emulator.Voice.PlayAsync(Channel, Alice, VoiceClip.FromWav(aliceSays), new VoicePlayOptions
        {
            PacketLossPercent = 5,
            BeforeFrame = async frame =>
            {
                switch (frame)
                {
                    case 30:
                        // A third member joins mid-utterance: a new epoch while Alice speaks.
                        await emulator.Voice.AddMemberAsync(Channel, Carol);
                        if (daveVersion > 0)
                        {
                            await call.Transitions.WaitForAsync(t => t.Members.Contains(Carol), TimeSpan.FromSeconds(30));
                        }

                        break;
                    case 60:
                        await emulator.Voice.RemoveMemberAsync(Channel, Bob);
                        if (daveVersion > 0)
                        {
                            await call.Transitions.WaitForAsync(t => t.Members.Contains(Carol) && !t.Members.Contains(Bob), TimeSpan.FromSeconds(30));
                        }

                        break;
                    case 90:
                        // The voice WebSocket drops; the bot resumes while UDP keeps flowing.
                        emulator.Voice.DropBotConnection(Channel);
                        await Eventually.TrueAsync(() => connection.Status.Resumes == 1 && connection.Status.State == VoiceConnectionState.Connected, "the bot resumed");
                        break;
                }
            },
        });

        await Eventually.TrueAsync(() => heard.Any(u => u.SpeakerId == Alice), "Alice's utterance arrives");
        var alice = Assert.Single(heard, u => u.SpeakerId == Alice);
        var bob = Assert.Single(heard, u => u.SpeakerId == Bob);
        var counters = connection.Status.Counters;
        var aliceCorrelation = SpokenAudio.Correlation(SpokenAudio.Reference16k(aliceSays), alice.Pcm);
        var bobCorrelation = SpokenAudio.Correlation(SpokenAudio.Reference16k(bobSays), bob.Pcm);
        Assert.True(aliceCorrelation >= 0.95, $"Alice {aliceCorrelation:F3}; dropped {played.Dropped}/{played.Frames}; {counters}");
        Assert.True(bobCorrelation >= 0.95, $"Bob {bobCorrelation:F3}; {counters}");
        Assert.True(played.Dropped > 0, "the emulator lost packets");
        Assert.Equal(0, counters.DaveRejected);
        Assert.Equal([Alice, Carol], connection.Status.Members);
        if (daveVersion > 0)
        {
            Assert.True(call.Transitions.Count >= transitionsBefore + 2, "joining and leaving changed the epoch");
            Assert.Equal(call.MemberSession(Alice)!.Epoch, connection.Status.Epoch);
            Assert.Equal(call.MemberSession(Carol)!.VoicePrivacyCode, connection.Status.VoicePrivacyCode);
        }

        await stop.CancelAsync();
        Assert.False((await run).Rejoin);
    }

    [Theory]
    [InlineData(4014, false)]
    [InlineData(4006, true)]
    public async Task Close_codes_end_the_session_with_the_policy_decision(int closeCode, bool rejoin)
    {
        await using var emulator = await DiscordEmulator.StartAsync(new DiscordEmulatorOptions { VoiceDaveProtocolVersion = 0, BotUserId = Bot.ToString(CultureInfo.InvariantCulture) });
        await using var connection = Connect(emulator, "session-2", new ConcurrentQueue<HeardUtterance>());
        var run = connection.RunAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => connection.Status.State == VoiceConnectionState.Connected, "connected");

        await emulator.Voice.CloseBotConnectionAsync(Channel, closeCode);

        var end = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(closeCode, end.CloseCode);
        Assert.Equal(rejoin, end.Rejoin);
    }

    [Fact]
    public async Task A_client_without_dave_is_refused_with_4017_and_told_why()
    {
        await using var emulator = await DiscordEmulator.StartAsync(new DiscordEmulatorOptions { BotUserId = Bot.ToString(CultureInfo.InvariantCulture) });
        await using var connection = Connect(emulator, "session-3", new ConcurrentQueue<HeardUtterance>(), maxDave: 0);

        var end = await connection.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(4017, end.CloseCode);
        Assert.False(end.Rejoin);
        Assert.Contains("DAVE", end.Reason, StringComparison.Ordinal);
    }

    private static VoiceConnection Connect(DiscordEmulator emulator, string sessionId, ConcurrentQueue<HeardUtterance> heard, int maxDave = 1)
    {
        var token = "token-" + sessionId;
        emulator.Voice.IssueSession(Guild.ToString(CultureInfo.InvariantCulture), Channel, Bot, sessionId, token);
        return new VoiceConnection(
            new VoiceServerInfo(Guild, Channel, Bot, sessionId, $"127.0.0.1:{emulator.Port}", token),
            // The emulator pauses sending while a test waits for an epoch or a resume (a real sender keeps its 20 ms
            // cadence), so silence by arrival time must not cut an utterance here; the speaking flag still ends it.
            new VoiceConnectionOptions { Scheme = "ws", MaxDaveProtocolVersion = maxDave, Receiver = new VoiceReceiverOptions { SilenceTimeout = TimeSpan.FromSeconds(10) } },
            TimeProvider.System,
            NullLogger.Instance,
            new MlsDaveSessionFactory(),
            heard.Enqueue);
    }
}
