using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Tests.Dave;

namespace DiscordLedgerBot.Voice.Tests.Interop;

/// <summary>Defects the davey comparison and the fuzzing found in our DAVE session, each pinned by the input that showed it.</summary>
public class DaveRegressionTests
{
    private const ulong ChannelId = 1_200_000_000_000_042;

    [Fact]
    public void A_garbled_external_sender_package_after_joining_is_ignored_and_a_later_rejoin_still_verifies_the_real_one()
    {
        var gateway = Call();
        var client = gateway.Session(DaveCallSimulation.ClientUserId);
        var codeBefore = client.VoicePrivacyCode;

        // davey refuses setExternalSender once the group is established; we used to overwrite the stored sender, so
        // the next reset built its pending group from garbage and every Welcome failed the external-sender check.
        var garbled = gateway.Inject(DaveCallSimulation.ClientUserId, DaveOpcode.MlsExternalSenderPackage, [1, 2, 3, 4]);
        Assert.Contains(garbled.Events, e => e is DaveInputIgnored { Opcode: 25 });
        Assert.Equal(codeBefore, client.VoicePrivacyCode);

        var reset = gateway.Inject(DaveCallSimulation.ClientUserId, DaveOpcode.MlsAnnounceCommitTransition, [0, 9, 0, 1, 0, 1, 2]);
        Assert.Contains(reset.Events, e => e is DaveMlsReset);
        Assert.DoesNotContain(reset.Events, e => e is DaveInputIgnored);
    }

    [Fact]
    public void A_different_external_sender_before_joining_replaces_the_pending_group_and_garbage_does_not()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        using var session = new DaveSession(new DaveSessionOptions(DaveCallSimulation.BotUserId, ChannelId), new MlsDaveSessionFactory(), time);
        var first = new MlsGroupAuthority(ChannelId);
        var second = new MlsGroupAuthority(ChannelId);
        session.HandleJson(4, EmulatedDaveGateway.Json("""{"dave_protocol_version":1}"""));
        Assert.Empty(session.HandleBinary([0, 0, 25, .. first.ExternalSenderPackage]).Events);

        Assert.Contains(session.HandleBinary([0, 1, 25, 9, 9, 9]).Events, e => e is DaveInputIgnored { Opcode: 25 });
        Assert.Empty(session.HandleBinary([0, 2, 25, .. second.ExternalSenderPackage]).Events);
        Assert.Empty(session.HandleBinary([0, 3, 25, .. second.ExternalSenderPackage]).Events);

        // The pending group now trusts the second sender: its Add proposal is committed.
        var joinerId = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(joinerId, DaveCallSimulation.ClientUserId);
        var keyPackage = Voice.Mls.MlsMember.Create(joinerId).CreateKeyPackage();
        session.OnClientsConnect([DaveCallSimulation.ClientUserId]);
        second.Founder(DaveCallSimulation.BotUserId);
        var step = session.HandleBinary([0, 4, 27, 0, .. second.ProposeAdd([(DaveCallSimulation.ClientUserId, keyPackage)])]);
        Assert.Contains(step.Outbound, m => m.Opcode == DaveOpcode.MlsCommitWelcome);
    }

    private static EmulatedDaveGateway Call()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var factory = new MlsDaveSessionFactory();
        var gateway = new EmulatedDaveGateway(new MlsGroupAuthority(ChannelId), user => new DaveSession(new DaveSessionOptions(user, ChannelId), factory, time));
        gateway.Join(DaveCallSimulation.BotUserId);
        gateway.Join(DaveCallSimulation.ClientUserId);
        Assert.Equal(1, gateway.ExecutedTransitions);
        return gateway;
    }
}
