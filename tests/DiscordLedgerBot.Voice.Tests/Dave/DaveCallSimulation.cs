using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;

namespace DiscordLedgerBot.Voice.Tests.Dave;

/// <summary>
/// The call scenario shared by the fake-MLS and real-MLS simulations: the bot and one client stay in the call while
/// other users join and leave, one MLS epoch per change, and after every executed transition every member's media
/// must decrypt at every other member and all members must show the same epoch and voice privacy code.
/// </summary>
internal static class DaveCallSimulation
{
    public const ulong BotUserId = 1_100_000_000_000_001;
    public const ulong ClientUserId = 1_100_000_000_000_002;

    public static void Run(EmulatedDaveGateway gateway, FakeTimeProvider time, int epochs)
    {
        gateway.Join(BotUserId);
        Assert.Null(gateway.Session(BotUserId).Epoch);
        gateway.Join(ClientUserId);
        AssertEpochAgreedAndMediaFlows(gateway, time, expectedExecuted: 1);

        var extras = new List<ulong>();
        var nextExtra = 1_100_000_000_001_000UL;
        int joins = 0, leaves = 0;
        while (gateway.ExecutedTransitions < epochs)
        {
            var executed = gateway.ExecutedTransitions;

            // Two frames the client sends in the outgoing epoch, still in flight when the epoch changes.
            var inFlight = DaveMediaPathTests.OpusLike(executed);
            var lateFrame = DaveMediaPathTests.Encrypt(gateway.Session(ClientUserId).Encryptor, inFlight);
            var tooLateFrame = DaveMediaPathTests.Encrypt(gateway.Session(ClientUserId).Encryptor, inFlight);

            if (extras.Count < 3 && (executed % 3 != 2 || extras.Count == 0))
            {
                extras.Add(++nextExtra);
                gateway.Join(nextExtra);
                joins++;
            }
            else
            {
                var leaving = extras[executed % extras.Count];
                extras.Remove(leaving);
                gateway.Leave(leaving);
                leaves++;
            }

            // The previous epoch's keys stay usable for 10 s after the transition executes, then stop working.
            var output = new byte[lateFrame.Length];
            var bot = gateway.Session(BotUserId);
            Assert.Equal(DaveDecryptStatus.Decrypted, bot.GetDecryptor(ClientUserId).Decrypt(DaveMediaType.Audio, lateFrame, output).Status);
            Assert.Equal(inFlight, output.AsSpan(0, inFlight.Length).ToArray());
            AssertEpochAgreedAndMediaFlows(gateway, time, expectedExecuted: executed + 1);
            Assert.Equal(DaveDecryptStatus.Rejected, bot.GetDecryptor(ClientUserId).Decrypt(DaveMediaType.Audio, tooLateFrame, output).Status);
        }

        Assert.True(joins >= epochs / 3 && leaves >= epochs / 4, $"{joins} joins, {leaves} leaves");
        Assert.DoesNotContain(gateway.Events, e => e is DaveCommitOrWelcomeRejected);
        AssertTamperedAndReplayedFramesFailClosed(gateway);
    }

    private static void AssertEpochAgreedAndMediaFlows(EmulatedDaveGateway gateway, FakeTimeProvider time, int expectedExecuted)
    {
        Assert.Equal(expectedExecuted, gateway.ExecutedTransitions);
        var members = gateway.Members.ToList();
        var epochs = members.Select(m => gateway.Session(m).Epoch).Distinct().ToList();
        var codes = members.Select(m => gateway.Session(m).VoicePrivacyCode).Distinct().ToList();
        Assert.Single(epochs);
        Assert.NotNull(epochs[0]);
        Assert.Single(codes);
        Assert.Matches("^[0-9]{30}$", codes[0]!);

        foreach (var sender in members)
        {
            var media = DaveMediaPathTests.OpusLike((int)(sender % 10_000) + expectedExecuted);
            var frame = DaveMediaPathTests.Encrypt(gateway.Session(sender).Encryptor, media);
            Assert.False(gateway.Session(sender).Encryptor.IsPassthrough);
            foreach (var receiver in members.Where(m => m != sender))
            {
                var output = new byte[frame.Length];
                var result = gateway.Session(receiver).GetDecryptor(sender).Decrypt(DaveMediaType.Audio, frame, output);
                Assert.True(result.Status == DaveDecryptStatus.Decrypted, $"epoch {epochs[0]}: {receiver} could not decrypt {sender}: {result}");
                Assert.Equal(media, output.AsSpan(0, result.BytesWritten).ToArray());
            }
        }

        // Let earlier epochs' grace periods run out between changes, as in a real call.
        time.Advance(TimeSpan.FromSeconds(11));
    }

    private static void AssertTamperedAndReplayedFramesFailClosed(EmulatedDaveGateway gateway)
    {
        var bot = gateway.Session(BotUserId);
        var client = gateway.Session(ClientUserId);
        var media = DaveMediaPathTests.OpusLike(424242);
        var frame = DaveMediaPathTests.Encrypt(bot.Encryptor, media);

        var tampered = frame.ToArray();
        tampered[10] ^= 0x40;
        var output = new byte[frame.Length];
        var forged = client.GetDecryptor(BotUserId).Decrypt(DaveMediaType.Audio, tampered, output);
        Assert.Equal(DaveRejectReason.AuthenticationFailed, forged.Reason);
        Assert.All(output, b => Assert.Equal(0, b));

        Assert.Equal(DaveDecryptStatus.Decrypted, client.GetDecryptor(BotUserId).Decrypt(DaveMediaType.Audio, frame, output).Status);
        Assert.Equal(DaveRejectReason.Replayed, client.GetDecryptor(BotUserId).Decrypt(DaveMediaType.Audio, frame, output).Reason);

        var reply = DaveMediaPathTests.Encrypt(client.Encryptor, media);
        Assert.Equal(DaveDecryptStatus.Decrypted, bot.GetDecryptor(ClientUserId).Decrypt(DaveMediaType.Audio, reply, output).Status);
        Assert.Equal(DaveRejectReason.Replayed, bot.GetDecryptor(ClientUserId).Decrypt(DaveMediaType.Audio, reply, output).Reason);
    }
}
