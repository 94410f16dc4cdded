using System.Text.Json;
using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;

namespace DiscordLedgerBot.Voice.Tests.Dave;

public class DaveSessionTests
{
    private const ulong Self = 1001;
    private const ulong Peer = 1002;
    private static readonly byte[] ExternalSender = "fake external sender"u8.ToArray();

    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private readonly FakeDaveMlsFactory _mls = new();

    [Fact]
    public void Session_description_with_dave_sends_a_bare_key_package()
    {
        using var session = NewSession();
        var step = session.OnSessionDescription(1);
        var message = Assert.IsType<DaveBinaryMessage>(Assert.Single(step.Outbound));
        Assert.Equal(DaveOpcode.MlsKeyPackage, message.Opcode);
        Assert.Equal([26, .. _mls.Created.Single().KeyPackage.ToArray()], message.Bytes);
        Assert.Contains(step.Events, e => e is DaveMlsReset);
        Assert.Equal(1, session.ProtocolVersion);
        Assert.False(session.GetDecryptor(Peer).IsPassthroughAllowed);
    }

    [Fact]
    public void Transport_only_session_passes_media_through_both_ways()
    {
        using var session = NewSession();
        Assert.Empty(session.HandleJson(4, Json("""{"mode":"aead_xchacha20_poly1305_rtpsize","dave_protocol_version":0}""")).Outbound);
        Assert.True(session.Encryptor.IsPassthrough);
        Assert.True(session.GetDecryptor(Peer).IsPassthroughAllowed);
        Assert.Empty(_mls.Created);
    }

    [Fact]
    public void Expected_add_is_committed_with_a_welcome_and_unexpected_add_is_refused()
    {
        using var session = Started();
        var unexpected = session.HandleBinary(Server(27, [0, .. FakeDaveMlsSession.Proposals([(1, Peer)], 0)]));
        Assert.Empty(unexpected.Outbound);
        Assert.Contains(unexpected.Events, e => e is DaveInputIgnored { Opcode: 27 });

        session.OnClientsConnect([Peer]);
        var step = session.HandleBinary(Server(27, [0, .. FakeDaveMlsSession.Proposals([(1, Peer)], 0)]));
        var commit = Assert.IsType<DaveBinaryMessage>(Assert.Single(step.Outbound));
        Assert.Equal(DaveOpcode.MlsCommitWelcome, commit.Opcode);
        var length = FakeDaveMlsSession.CommitLength(commit.Bytes.AsSpan(1));
        Assert.Equal((byte)'C', commit.Bytes[1]);
        Assert.Equal((byte)'W', commit.Bytes[1 + length]);

        session.OnClientDisconnect(Peer);
        var afterLeave = session.HandleBinary(Server(27, [0, .. FakeDaveMlsSession.Proposals([(1, Peer)], 0)]));
        Assert.Empty(afterLeave.Outbound);
    }

    [Fact]
    public void Own_announced_commit_is_adopted_prepares_ratchets_and_executes_on_op_22()
    {
        using var session = Started();
        session.OnClientsConnect([Peer]);
        var commit = (DaveBinaryMessage)session.HandleBinary(Server(27, [0, .. FakeDaveMlsSession.Proposals([(1, Peer)], 0)])).Outbound.Single();
        var commitOnly = commit.Bytes.AsSpan(1, FakeDaveMlsSession.CommitLength(commit.Bytes.AsSpan(1))).ToArray();

        var announced = session.HandleBinary(Server(29, [0, 7, .. commitOnly]));
        var ready = Assert.IsType<DaveJsonMessage>(Assert.Single(announced.Outbound));
        Assert.Equal("""{"op":23,"d":{"transition_id":7}}""", ready.Json);
        var prepared = Assert.Single(announced.Events.OfType<DaveEpochPrepared>());
        Assert.Equal(1UL, prepared.Epoch);
        Assert.Equal([Self, Peer], prepared.Members);
        Assert.True(session.Encryptor.IsPassthrough);

        var executed = session.HandleJson(22, Json("""{"transition_id":7}"""));
        Assert.Equal(new DaveTransitionExecuted(7, 1), Assert.Single(executed.Events));
        Assert.False(session.Encryptor.IsPassthrough);
        Assert.Equal(1UL, session.Epoch);
        Assert.Equal(prepared.VoicePrivacyCode, session.VoicePrivacyCode);
    }

    [Fact]
    public void Invalid_announced_commit_sends_op_31_resets_and_sends_a_new_key_package()
    {
        using var session = Established();
        var step = session.HandleBinary(Server(29, [0, 9, .. "garbage"u8.ToArray()]));
        Assert.Equal(2, step.Outbound.Count);
        Assert.Equal("""{"op":31,"d":{"transition_id":9}}""", Assert.IsType<DaveJsonMessage>(step.Outbound[0]).Json);
        var keyPackage = Assert.IsType<DaveBinaryMessage>(step.Outbound[1]);
        Assert.Equal([26, .. _mls.Created[^1].KeyPackage.ToArray()], keyPackage.Bytes);
        Assert.Equal(2, _mls.Created.Count);
        Assert.True(_mls.Created[0].Disposed);
        Assert.Contains(step.Events, e => e is DaveCommitOrWelcomeRejected { TransitionId: 9 });
    }

    [Fact]
    public void Welcome_naming_another_external_sender_is_rejected_with_op_31()
    {
        using var joiner = NewSession();
        joiner.OnSessionDescription(1);
        joiner.HandleBinary(Server(25, "a different external sender"u8.ToArray()));
        var welcome = FakeWelcome(members: [Peer, Self]);
        var step = joiner.HandleBinary(Server(30, [0, 3, .. welcome]));
        Assert.Equal("""{"op":31,"d":{"transition_id":3}}""", Assert.IsType<DaveJsonMessage>(step.Outbound[0]).Json);
    }

    [Fact]
    public void Welcome_joins_and_op_23_follows()
    {
        using var joiner = NewSession();
        joiner.OnSessionDescription(1);
        joiner.HandleBinary(Server(25, ExternalSender));
        var step = joiner.HandleBinary(Server(30, [0, 3, .. FakeWelcome(members: [Peer, Self])]));
        Assert.Equal("""{"op":23,"d":{"transition_id":3}}""", Assert.IsType<DaveJsonMessage>(Assert.Single(step.Outbound)).Json);
        Assert.Equal(1UL, joiner.Epoch);
    }

    [Fact]
    public void Someone_elses_commit_before_joining_waits_for_the_welcome()
    {
        using var session = Started();
        var step = session.HandleBinary(Server(29, [0, 4, (byte)'C', .. new byte[30]]));
        Assert.Empty(step.Outbound);
        Assert.Contains(step.Events, e => e is DaveInputIgnored { Opcode: 29 });
    }

    [Fact]
    public void Revoke_removes_cached_proposals_before_the_next_commit()
    {
        using var session = Started();
        session.OnClientsConnect([Peer, 1003]);
        session.HandleBinary(Server(27, [0, .. FakeDaveMlsSession.Proposals([(1, Peer), (1, 1003)], 0)]));
        var revoke = MlsVarintForTests.Vector(MlsVarintForTests.Vector(FakeDaveMlsSession.Entry(1, 1003, 0)));
        var step = session.HandleBinary(Server(27, [1, .. revoke]));
        var commit = Assert.IsType<DaveBinaryMessage>(Assert.Single(step.Outbound));
        Assert.Equal(1 + 1 + 8 + 2 + 16 + 8, FakeDaveMlsSession.CommitLength(commit.Bytes.AsSpan(1)) + 1);

        var malformed = session.HandleBinary(Server(27, [1, 0x05, 0x01]));
        Assert.Contains(malformed.Events, e => e is DaveInputIgnored { Opcode: 27 });
    }

    [Fact]
    public void Downgrade_to_protocol_zero_enables_passthrough_then_stops_encrypting_on_execute()
    {
        using var session = Established();
        var prepare = session.HandleJson(21, Json("""{"protocol_version":0,"transition_id":12}"""));
        Assert.Equal("""{"op":23,"d":{"transition_id":12}}""", Assert.IsType<DaveJsonMessage>(Assert.Single(prepare.Outbound)).Json);
        Assert.True(session.GetDecryptor(Peer).IsPassthroughAllowed);
        Assert.False(session.Encryptor.IsPassthrough);

        session.HandleJson(22, Json("""{"transition_id":12}"""));
        Assert.True(session.Encryptor.IsPassthrough);
        Assert.Equal(0, session.ProtocolVersion);
        Assert.Null(session.Epoch);
    }

    [Fact]
    public void Prepare_epoch_one_resets_and_transition_zero_executes_immediately()
    {
        using var session = Established();
        var step = session.HandleJson(24, Json("""{"protocol_version":1,"epoch":1,"transition_id":0}"""));
        Assert.Equal(DaveOpcode.MlsKeyPackage, Assert.Single(step.Outbound).Opcode);
        Assert.Null(session.Epoch);

        var execute = session.HandleJson(21, Json("""{"protocol_version":1,"transition_id":0}"""));
        Assert.Empty(execute.Outbound);
        Assert.Contains(execute.Events, e => e is DaveTransitionExecuted { TransitionId: 0, ProtocolVersion: 1 });
    }

    [Fact]
    public void Binary_messages_report_their_sequence_and_unknown_or_short_input_is_ignored()
    {
        using var session = Started();
        Assert.Equal(0x1234, session.HandleBinary([0x12, 0x34, 25, .. ExternalSender]).Sequence);
        Assert.Contains(session.HandleBinary([0, 1]).Events, e => e is DaveInputIgnored);
        Assert.Contains(session.HandleBinary([0, 1, 26, 1, 2]).Events, e => e is DaveInputIgnored { Opcode: 26 });
        Assert.Contains(session.HandleJson(22, Json("""{"transition_id":"x"}""")).Events, e => e is DaveInputIgnored);
        Assert.Contains(session.HandleJson(22, Json("""{"transition_id":55}""")).Events, e => e is DaveInputIgnored { Opcode: 22 });
        Assert.Contains(session.HandleJson(21, Json("[]")).Events, e => e is DaveInputIgnored);
        Assert.Contains(session.HandleJson(11, Json("""{"user_ids":[{}]}""")).Events, e => e is DaveInputIgnored);
        Assert.Contains(session.HandleJson(24, Json("""{"protocol_version":9,"epoch":1}""")).Events, e => e is DaveInputIgnored);
    }

    [Fact]
    public void Random_binary_ops_25_to_30_never_throw()
    {
        var random = new Random(7);
        using var session = Established();
        for (var i = 0; i < 5_000; i++)
        {
            var payload = new byte[random.Next(0, 64)];
            random.NextBytes(payload);
            if (payload.Length > 0 && random.Next(3) == 0)
            {
                payload[0] = (byte)random.Next(0, 3);
            }

            var step = session.HandleBinary([(byte)(i >> 8), (byte)i, (byte)random.Next(25, 31), .. payload]);
            Assert.NotNull(step);
        }
    }

    [Fact]
    public void Simulated_call_with_fake_mls_keeps_media_flowing_over_50_epochs()
    {
        var factory = new FakeDaveMlsFactory();
        var gateway = new EmulatedDaveGateway(
            new FakeGroupAuthority(),
            user => new DaveSession(new DaveSessionOptions(user, ChannelId: 42), factory, _time));
        DaveCallSimulation.Run(gateway, _time, epochs: 50);
    }

    private DaveSession NewSession() => new(new DaveSessionOptions(Self, ChannelId: 42), _mls, _time);

    private DaveSession Started()
    {
        var session = NewSession();
        session.OnSessionDescription(1);
        session.HandleBinary(Server(25, ExternalSender));
        return session;
    }

    private DaveSession Established()
    {
        var session = Started();
        session.OnClientsConnect([Peer]);
        var commit = (DaveBinaryMessage)session.HandleBinary(Server(27, [0, .. FakeDaveMlsSession.Proposals([(1, Peer)], 0)])).Outbound.Single();
        var commitOnly = commit.Bytes.AsSpan(1, FakeDaveMlsSession.CommitLength(commit.Bytes.AsSpan(1))).ToArray();
        session.HandleBinary(Server(29, [0, 1, .. commitOnly]));
        session.HandleJson(22, Json("""{"transition_id":1}"""));
        Assert.Equal(1UL, session.Epoch);
        return session;
    }

    private static byte[] FakeWelcome(ulong[] members)
    {
        var body = new byte[8 + 2 + (8 * members.Length) + 8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(8), (ushort)members.Length);
        for (var i = 0; i < members.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(10 + (8 * i)), members[i]);
        }

        return [(byte)'W', .. body];
    }

    private static byte[] Server(byte opcode, byte[] payload) => [0, 0, opcode, .. payload];

    private static JsonElement Json(string json) => EmulatedDaveGateway.Json(json);
}
