using System.Buffers.Binary;
using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Mls;

namespace DiscordLedgerBot.Voice.Tests.Dave;

/// <summary>The DAVE rules the adapter adds on top of D1's MLS, checked with real MLS messages.</summary>
public class MlsDaveSessionTests
{
    private const ulong ChannelId = 77;
    private const ulong Self = 500;
    private const ulong Stranger = 600;
    private readonly MlsExternalSenderSigner _gateway = MlsExternalSenderSigner.Create("voice-gateway"u8);
    private readonly FakeTimeProvider _time = new(TestTime.Start);

    [Fact]
    public void Key_package_is_bare_and_identifies_the_user()
    {
        using var mls = new MlsDaveSessionFactory().Create(Self);
        var keyPackage = mls.KeyPackage.ToArray();
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(keyPackage));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16BigEndian(keyPackage.AsSpan(2)));
        Assert.Equal(65, mls.SignaturePublicKey.Length);
        Assert.False(mls.HasGroup);
    }

    [Fact]
    public void Add_for_a_user_the_gateway_never_announced_is_refused_and_nothing_is_committed()
    {
        using var session = StartedSession();
        using var stranger = new MlsDaveSessionFactory().Create(Stranger);
        var add = _gateway.ProposeAdd(GroupId, 0, stranger.KeyPackage.Span).Message;

        var refused = session.HandleBinary([0, 2, 27, 0, .. MlsWire.EncodeVector(add)]);
        Assert.Empty(refused.Outbound);
        Assert.Contains(refused.Events, e => e is DaveInputIgnored { Opcode: 27 });

        session.OnClientsConnect([Stranger]);
        var accepted = session.HandleBinary([0, 3, 27, 0, .. MlsWire.EncodeVector(add)]);
        var commit = Assert.IsType<DaveBinaryMessage>(Assert.Single(accepted.Outbound));
        var commitLength = MlsWire.MlsMessageLength(commit.Bytes.AsSpan(1));
        Assert.True(commit.Bytes.Length > 1 + commitLength, "a commit that adds a member carries a Welcome");
    }

    [Fact]
    public void Revoked_proposal_is_not_committed()
    {
        using var session = StartedSession();
        using var first = new MlsDaveSessionFactory().Create(601);
        using var second = new MlsDaveSessionFactory().Create(602);
        session.OnClientsConnect([601, 602]);
        var (addFirst, _) = _gateway.ProposeAdd(GroupId, 0, first.KeyPackage.Span);
        var (addSecond, secondRef) = _gateway.ProposeAdd(GroupId, 0, second.KeyPackage.Span);
        session.HandleBinary([0, 1, 27, 0, .. MlsWire.EncodeVector([.. addFirst, .. addSecond])]);

        var revoked = session.HandleBinary([0, 2, 27, 1, .. MlsWire.EncodeVector(MlsWire.EncodeVector(secondRef.ToArray()))]);
        var commit = Assert.IsType<DaveBinaryMessage>(Assert.Single(revoked.Outbound));
        var commitOnly = commit.Bytes.AsSpan(1, MlsWire.MlsMessageLength(commit.Bytes.AsSpan(1))).ToArray();
        var announced = session.HandleBinary([0, 3, 29, 0, 5, .. commitOnly]);
        var prepared = Assert.Single(announced.Events.OfType<DaveEpochPrepared>());
        Assert.Equal([Self, 601UL], prepared.Members);
    }

    [Fact]
    public void Welcome_from_a_group_with_another_external_sender_gets_op_31()
    {
        var impostor = MlsExternalSenderSigner.Create("impostor"u8);
        using var committer = new MlsDaveSessionFactory().Create(Stranger);
        committer.CreatePendingGroup(GroupId, impostor.Sender.ToBytes());

        using var session = StartedSession();
        var keyPackage = ((DaveBinaryMessage)session.HandleJson(24, EmulatedDaveGateway.Json("""{"protocol_version":1,"epoch":1}""")).Outbound.Single()).Bytes[1..];
        committer.AppendProposals(MlsWire.EncodeVector(impostor.ProposeAdd(GroupId, 0, keyPackage).Message), _ => true);
        var welcome = committer.CommitCachedProposals()!.Welcome!;

        var step = session.HandleBinary([0, 9, 30, 0, 4, .. welcome]);
        Assert.Equal("""{"op":31,"d":{"transition_id":4}}""", Assert.IsType<DaveJsonMessage>(step.Outbound[0]).Json);
        Assert.Equal(DaveOpcode.MlsKeyPackage, step.Outbound[1].Opcode);
        Assert.Null(session.Epoch);
    }

    [Fact]
    public void Voice_privacy_code_is_grouped_in_fives()
    {
        var code = DavePrivacyCode.VoicePrivacyCode(new byte[32]);
        Assert.Equal(new string('0', 30), code);
        Assert.Equal("00000 00000 00000 00000 00000 00000", DavePrivacyCode.Grouped(code));
    }

    private static byte[] GroupId
    {
        get
        {
            var id = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(id, ChannelId);
            return id;
        }
    }

    private DaveSession StartedSession()
    {
        var session = new DaveSession(new DaveSessionOptions(Self, ChannelId), new MlsDaveSessionFactory(), _time);
        session.OnSessionDescription(1);
        session.HandleBinary([0, 0, 25, .. _gateway.Sender.ToBytes()]);
        return session;
    }
}
