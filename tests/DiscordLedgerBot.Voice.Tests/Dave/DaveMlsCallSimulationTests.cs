using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;

namespace DiscordLedgerBot.Voice.Tests.Dave;

/// <summary>
/// The must-show: an emulated voice gateway (real MLS external sender) driving ops 11, 13, 21-31 as bytes between the
/// bot's DAVE session and emulated clients, all on our RFC 9420 implementation, across 50 epochs.
/// </summary>
public class DaveMlsCallSimulationTests
{
    private const ulong ChannelId = 1_200_000_000_000_042;

    [Fact]
    [Trait("Category", "Slow")]
    public void Bot_and_client_agree_on_keys_and_codes_across_50_epochs_of_real_mls()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var factory = new MlsDaveSessionFactory();
        var gateway = new EmulatedDaveGateway(
            new MlsGroupAuthority(ChannelId),
            user => new DaveSession(new DaveSessionOptions(user, ChannelId), factory, time));
        DaveCallSimulation.Run(gateway, time, epochs: 50);

        var bot = gateway.Session(DaveCallSimulation.BotUserId);
        var client = gateway.Session(DaveCallSimulation.ClientUserId);
        Assert.Equal(50UL, bot.Epoch);
        var seenFromBot = DavePrivacyCode.PairwiseFingerprintCode(bot.SignaturePublicKey.Span, bot.SelfUserId, client.SignaturePublicKey.Span, client.SelfUserId);
        var seenFromClient = DavePrivacyCode.PairwiseFingerprintCode(client.SignaturePublicKey.Span, client.SelfUserId, bot.SignaturePublicKey.Span, bot.SelfUserId);
        Assert.Matches("^[0-9]{45}$", seenFromBot);
        Assert.Equal(seenFromBot, seenFromClient);
    }

    [Fact]
    public void A_corrupted_announced_commit_makes_the_member_send_op_31_and_rejoin()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var gateway = new EmulatedDaveGateway(
            new MlsGroupAuthority(ChannelId),
            user => new DaveSession(new DaveSessionOptions(user, ChannelId), new MlsDaveSessionFactory(), time));
        gateway.Join(DaveCallSimulation.BotUserId);
        gateway.Join(DaveCallSimulation.ClientUserId);

        var step = gateway.InjectAndRoute(DaveCallSimulation.ClientUserId, DaveOpcode.MlsAnnounceCommitTransition, [0, 77, 0, 1, 0, 1, 2, 3]);
        Assert.Contains(step.Outbound, m => m is DaveJsonMessage { Json: """{"op":31,"d":{"transition_id":77}}""" });
        Assert.Contains(step.Outbound, m => m.Opcode == DaveOpcode.MlsKeyPackage);

        // The gateway removed and re-added the client: both agree again and media flows.
        var bot = gateway.Session(DaveCallSimulation.BotUserId);
        var client = gateway.Session(DaveCallSimulation.ClientUserId);
        Assert.Equal(3, gateway.ExecutedTransitions);
        Assert.Equal(bot.Epoch, client.Epoch);
        Assert.Equal(bot.VoicePrivacyCode, client.VoicePrivacyCode);
        var media = DaveMediaPathTests.OpusLike(9);
        var frame = DaveMediaPathTests.Encrypt(client.Encryptor, media);
        var output = new byte[frame.Length];
        Assert.Equal(DaveDecryptStatus.Decrypted, bot.GetDecryptor(DaveCallSimulation.ClientUserId).Decrypt(DaveMediaType.Audio, frame, output).Status);
    }

    [Fact]
    public void Two_members_join_commit_and_exchange_media_over_real_mls()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var gateway = new EmulatedDaveGateway(
            new MlsGroupAuthority(ChannelId),
            user => new DaveSession(new DaveSessionOptions(user, ChannelId), new MlsDaveSessionFactory(), time));
        gateway.Join(DaveCallSimulation.BotUserId);
        gateway.Join(DaveCallSimulation.ClientUserId);
        Assert.True(gateway.ExecutedTransitions == 1, string.Join(Environment.NewLine, gateway.Log.Concat(gateway.Events.Select(e => e.ToString()))));

        var bot = gateway.Session(DaveCallSimulation.BotUserId);
        var client = gateway.Session(DaveCallSimulation.ClientUserId);
        Assert.Equal(1UL, bot.Epoch);
        Assert.Equal(bot.VoicePrivacyCode, client.VoicePrivacyCode);

        var media = DaveMediaPathTests.OpusLike(5);
        var frame = DaveMediaPathTests.Encrypt(bot.Encryptor, media);
        var output = new byte[frame.Length];
        var result = client.GetDecryptor(DaveCallSimulation.BotUserId).Decrypt(DaveMediaType.Audio, frame, output);
        Assert.Equal(DaveDecryptStatus.Decrypted, result.Status);
        Assert.Equal(media, output.AsSpan(0, result.BytesWritten).ToArray());
    }
}
