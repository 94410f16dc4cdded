using System.Globalization;
using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Tests.Dave;

namespace DiscordLedgerBot.Voice.Tests.Interop;

/// <summary>
/// Our DAVE member in calls with members run by @snazzah/davey (Rust on OpenMLS, what discord.js uses): their key
/// packages, commits and welcomes go through our MLS and ours through theirs, and every frame each side encrypts must
/// decrypt at every other member. Vectors we derived ourselves cannot catch a shared misreading of the spec; an
/// independent implementation can.
/// </summary>
public sealed class DaveyInteropTests : IDisposable
{
    private const ulong ChannelId = 1_300_000_000_000_077;
    private const ulong Bot = 1_300_000_000_000_001;
    private const ulong DaveyA = 1_300_000_000_000_101;
    private const ulong DaveyB = 1_300_000_000_000_102;
    private const ulong DaveyC = 1_300_000_000_000_103;

    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private readonly DaveyDriver _davey = new();
    private readonly InteropGateway _gateway = new(ChannelId);
    private int _frameSeed;

    [Fact]
    public void Our_member_and_davey_members_agree_through_joins_leaves_and_alternating_committers()
    {
        Assert.Equal("0.1.12", _davey.Version);

        // Davey founds the group; we join from its Welcome.
        _gateway.Join(Davey(DaveyA));
        _gateway.Join(Ours(Bot));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 1, expectedCommitter: DaveyA);

        // Third member: our commit goes through davey A, our Welcome through davey B.
        _gateway.CommitterOrder = Bot;
        _gateway.Join(Davey(DaveyB));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 2, expectedCommitter: Bot);

        // A fourth joins on davey's commit, which our MLS processes.
        _gateway.CommitterOrder = DaveyB;
        _gateway.Join(Davey(DaveyC));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 3, expectedCommitter: DaveyB);

        // One leaves: our Remove commit, then another leaves on davey's Remove commit.
        _gateway.CommitterOrder = Bot;
        _gateway.Leave(DaveyA);
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 4, expectedCommitter: Bot);
        _gateway.CommitterOrder = DaveyB;
        _gateway.Leave(DaveyC);
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 5, expectedCommitter: DaveyB);

        Assert.Empty(_gateway.InvalidCommitWelcomes);
        Assert.DoesNotContain(Ours().Events, e => e is DaveCommitOrWelcomeRejected or DaveInputIgnored);
        Assert.Empty(((DaveyMember)_gateway.Member(DaveyB)).Errors);
    }

    [Fact]
    public void Twenty_seeded_random_epochs_of_mixed_members_and_committers_stay_in_agreement()
    {
        // Two members of ours (the bot and a second client of ours) and up to four davey members come and go; each
        // epoch's committer is drawn from the group, so commits of either implementation meet members of both.
        var random = new Random(2026);
        const ulong SecondOurs = Bot + 1;
        _gateway.Join(Davey(DaveyA));
        _gateway.Join(Ours(Bot));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 1, expectedCommitter: DaveyA);
        var nextDavey = DaveyA + 10;
        var committers = new HashSet<string>();
        int secondOursJoins = 0, leaves = 0;
        for (var epoch = 2UL; epoch <= 21; epoch++)
        {
            var group = _gateway.Group.ToList();
            _gateway.CommitterOrder = group[random.Next(group.Count)];
            var leavers = group.Where(m => m != Bot).ToList();
            if (group.Count < 3 || (group.Count < 6 && random.Next(2) == 0) || leavers.Count == 0)
            {
                var ours = !group.Contains(SecondOurs) && random.Next(3) == 0;
                secondOursJoins += ours ? 1 : 0;
                _gateway.Join(ours ? Ours(SecondOurs) : Davey(++nextDavey));
            }
            else
            {
                var leaving = leavers[random.Next(leavers.Count)];
                if (leaving == _gateway.CommitterOrder)
                {
                    _gateway.CommitterOrder = Bot;
                }

                _gateway.Leave(leaving);
                leaves++;
            }

            AssertEpochAgreedAndMediaFlows(epoch, _gateway.CommitterOrder);
            committers.Add(_gateway.Member(_gateway.Committers[^1]).Implementation);
        }

        Assert.Equal(["davey", "ours"], committers.Order(StringComparer.Ordinal));
        Assert.True(secondOursJoins >= 1 && leaves >= 5, $"{secondOursJoins} joins of our second member, {leaves} leaves");
        Assert.Empty(_gateway.InvalidCommitWelcomes);
    }

    [Fact]
    public void Our_member_founds_the_group_and_davey_joins_from_our_welcome()
    {
        _gateway.Join(Ours(Bot));
        _gateway.Join(Davey(DaveyA));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 1, expectedCommitter: Bot);
        _gateway.CommitterOrder = DaveyA;
        _gateway.Join(Davey(DaveyB));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 2, expectedCommitter: DaveyA);
        Assert.Empty(_gateway.InvalidCommitWelcomes);
    }

    [Fact]
    public void A_joiner_leaving_before_the_commit_is_revoked_and_the_next_commit_works_on_both_implementations()
    {
        _gateway.Join(Davey(DaveyA));
        _gateway.Join(Ours(Bot));
        _gateway.Join(Davey(DaveyB));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 2, expectedCommitter: DaveyA);

        // Everyone commits the Add of C, but C leaves before the gateway picks a commit: the proposal is revoked.
        _gateway.HoldCommits = true;
        _gateway.Join(Davey(DaveyC));
        Assert.Equal(3, _gateway.HeldCommits.Count);
        var logBefore = _gateway.Log.Count;
        _gateway.LeaveBeforeCommit(DaveyC);
        _gateway.HoldCommits = false;
        Assert.DoesNotContain(_gateway.Log.Skip(logBefore), line => line.Contains("op 28", StringComparison.Ordinal));
        Assert.All(_gateway.Group, m => Assert.Equal(2ul, _gateway.Member(m).Epoch));

        // The same epoch then commits another joiner: our fresh commit, then davey's.
        _gateway.CommitterOrder = Bot;
        _gateway.Join(Davey(DaveyC + 1));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 3, expectedCommitter: Bot);
        _gateway.CommitterOrder = DaveyB;
        _gateway.Join(Davey(DaveyC + 2));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 4, expectedCommitter: DaveyB);
        Assert.Empty(_gateway.InvalidCommitWelcomes);
        Assert.DoesNotContain(Ours().Events, e => e is DaveCommitOrWelcomeRejected or DaveInputIgnored);
    }

    [Fact]
    public void Frames_sent_inside_the_transition_window_decrypt_on_both_sides()
    {
        _gateway.Join(Davey(DaveyA));
        _gateway.Join(Ours(Bot));
        var davey = (DaveyMember)_gateway.Member(DaveyA);
        var windowChecked = false;

        // Between op 29 and op 22: davey already sends with the new epoch's key (it switches on processing the commit)
        // while we still send with the old one until op 22. Each side must read the other's frames.
        _gateway.BeforeExecute = () =>
        {
            var media = Opus();
            var fromDavey = davey.Send(media);
            var received = Ours().Receive(DaveyA, fromDavey);
            Assert.True(received.Decrypted, $"new-epoch davey frame before op 22: {received.Outcome}");
            Assert.Equal(media, received.Media);

            var fromUs = Ours().Send(media);
            var atDavey = davey.Receive(Bot, fromUs);
            Assert.True(atDavey.Decrypted, $"old-epoch frame of ours at davey before op 22: {atDavey.Outcome}");
            Assert.Equal(media, atDavey.Media);
            windowChecked = true;
        };
        _gateway.CommitterOrder = Bot;
        _gateway.Join(Davey(DaveyB));
        _gateway.BeforeExecute = null;
        Assert.True(windowChecked);
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 2, expectedCommitter: Bot);
    }

    [Fact]
    public void Vp8_frames_with_unencrypted_ranges_cross_both_ways()
    {
        _gateway.Join(Davey(DaveyA));
        _gateway.Join(Ours(Bot));
        var davey = (DaveyMember)_gateway.Member(DaveyA);
        var random = new Random(8);
        const int Vp8 = 2;

        // VP8 leaves 10 bytes clear on a key frame (first bit 0) and 1 byte on an inter frame (facts 6.7).
        foreach (var (first, clear) in new[] { ((byte)0x10, 10), ((byte)0x31, 1) })
        {
            var media = new byte[300];
            random.NextBytes(media);
            media[0] = first;
            var fromDavey = davey.SendMedia(DaveMediaType.Video, Vp8, media);
            Assert.Equal(media[..clear], fromDavey[..clear]);
            var output = new byte[fromDavey.Length];
            var result = Ours().Session.GetDecryptor(DaveyA).Decrypt(DaveMediaType.Video, fromDavey, output);
            Assert.True(result.Status == DaveDecryptStatus.Decrypted, $"davey VP8 frame ({clear} clear bytes): {result}");
            Assert.Equal(media, output[..result.BytesWritten]);

            UnencryptedRange[] ranges = [new(0, clear)];
            var fromUs = new byte[DaveEncryptor.GetMaxFrameLength(media.Length, ranges)];
            fromUs = fromUs[..Ours().Session.Encryptor.Encrypt(media, ranges, fromUs)];
            var atDavey = davey.ReceiveMedia(Bot, DaveMediaType.Video, fromUs);
            Assert.True(atDavey.Decrypted, $"our VP8 frame at davey: {atDavey.Outcome}");
            Assert.Equal(media, atDavey.Media);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_sole_member_reset_then_a_new_joiner_builds_a_fresh_group(bool oursStays)
    {
        _gateway.ResetSoleMember = true;
        _gateway.Join(Davey(DaveyA));
        _gateway.Join(Ours(Bot));
        _gateway.Join(Davey(DaveyB));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 2, expectedCommitter: DaveyA);

        // Everyone but one leaves: that member starts over alone, and the next joiner enters its fresh group at epoch 1.
        var stays = oursStays ? Bot : DaveyA;
        foreach (var leaving in new[] { Bot, DaveyA, DaveyB }.Where(m => m != stays && m != DaveyB))
        {
            _gateway.Leave(leaving);
        }

        _gateway.Leave(DaveyB);
        Assert.Equal([stays], _gateway.Group);
        _gateway.Join(oursStays ? Davey(DaveyC) : Ours(Bot));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 1, expectedCommitter: stays);
        Assert.Empty(_gateway.InvalidCommitWelcomes);
    }

    [Fact]
    public void Pairwise_verification_codes_match_between_our_member_and_davey()
    {
        _gateway.Join(Davey(DaveyA));
        _gateway.Join(Ours(Bot));
        var davey = (DaveyMember)_gateway.Member(DaveyA);
        var ours = Ours();

        var seenByDavey = _davey.Call("verificationCode", new() { ["user"] = Id(DaveyA), ["other"] = Id(Bot) }).GetProperty("code").GetString();
        var seenByUs = DavePrivacyCode.PairwiseFingerprintCode(ours.SignaturePublicKey, Bot, davey.SignaturePublicKey, DaveyA);
        Assert.Matches("^[0-9]{45}$", seenByUs);
        Assert.Equal(seenByDavey, seenByUs);
    }

    [Fact]
    public void Downgrade_to_transport_only_and_upgrade_back_to_dave_with_davey_members()
    {
        _gateway.Join(Davey(DaveyA));
        _gateway.Join(Ours(Bot));
        _gateway.Join(Davey(DaveyB));
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 2, expectedCommitter: DaveyA);

        _gateway.Downgrade();
        Assert.Equal(0, Ours().Session.ProtocolVersion);
        foreach (var sender in new[] { Bot, DaveyA, DaveyB })
        {
            var media = Opus();
            var sent = _gateway.Member(sender).Send(media);
            Assert.Equal(media, sent);
            foreach (var receiver in new[] { Bot, DaveyA, DaveyB }.Where(r => r != sender))
            {
                var received = _gateway.Member(receiver).Receive(sender, sent);
                Assert.True(received.Decrypted, $"{receiver} refused {sender}'s transport-only frame: {received.Outcome}");
                Assert.Equal(media, received.Media);
            }
        }

        _time.Advance(TimeSpan.FromSeconds(11));
        _gateway.CommitterOrder = Bot;
        _gateway.Upgrade();

        // Davey A's key package came first, so its pending group is the new group; we join from its Welcome at
        // epoch 1 and commit davey B's Add for epoch 2.
        Assert.Equal(1, Ours().Session.ProtocolVersion);
        AssertEpochAgreedAndMediaFlows(expectedEpoch: 2, expectedCommitter: Bot);
        Assert.Empty(_gateway.InvalidCommitWelcomes);
    }

    [Fact]
    public void Forged_and_replayed_frames_are_refused_in_both_directions()
    {
        _gateway.Join(Davey(DaveyA));
        _gateway.Join(Ours(Bot));
        var davey = (DaveyMember)_gateway.Member(DaveyA);
        var ours = Ours();

        var media = Opus();
        var fromDavey = davey.Send(media);
        var tampered = fromDavey.ToArray();
        tampered[1] ^= 0x20;
        var output = new byte[fromDavey.Length];
        Assert.Equal(DaveRejectReason.AuthenticationFailed, ours.Session.GetDecryptor(DaveyA).Decrypt(DaveMediaType.Audio, tampered, output).Reason);
        Assert.True(ours.Receive(DaveyA, fromDavey).Decrypted);
        Assert.Equal(DaveRejectReason.Replayed, ours.Session.GetDecryptor(DaveyA).Decrypt(DaveMediaType.Audio, fromDavey, output).Reason);

        var fromUs = ours.Send(media);
        var forged = fromUs.ToArray();
        forged[1] ^= 0x20;
        Assert.False(davey.Receive(Bot, forged).Decrypted);
        Assert.True(davey.Receive(Bot, fromUs).Decrypted);
        Assert.False(davey.Receive(Bot, fromUs).Decrypted);
        var stats = davey.DecryptionStats(Bot);
        Assert.Equal(1, stats.GetProperty("successes").GetInt32());
        Assert.Equal(2, stats.GetProperty("failures").GetInt32());
    }

    public void Dispose()
    {
        foreach (var member in _gateway.Members.ToList())
        {
            _gateway.Member(member).Dispose();
        }

        _davey.Dispose();
    }

    private OurMember Ours(ulong userId) => new(new DaveSession(new DaveSessionOptions(userId, ChannelId), new MlsDaveSessionFactory(), _time));

    private OurMember Ours() => (OurMember)_gateway.Member(Bot);

    private DaveyMember Davey(ulong userId) => new(_davey, userId, ChannelId);

    private static string Id(ulong userId) => userId.ToString(CultureInfo.InvariantCulture);

    private byte[] Opus() => DaveMediaPathTests.OpusLike(++_frameSeed);

    private void AssertEpochAgreedAndMediaFlows(ulong expectedEpoch, ulong? expectedCommitter)
    {
        var members = _gateway.Group.ToList();
        var diagnostics = string.Join(Environment.NewLine, _gateway.Log.TakeLast(40)
            .Concat(Ours().Events.Select(e => e.ToString()))
            .Concat(members.Select(_gateway.Member).OfType<DaveyMember>().SelectMany(d => d.Errors)));
        if (expectedCommitter is { } committer)
        {
            Assert.True(_gateway.Committers.Count > 0 && _gateway.Committers[^1] == committer, $"committer {string.Join(',', _gateway.Committers)}{Environment.NewLine}{diagnostics}");
        }

        foreach (var member in members)
        {
            Assert.True(_gateway.Member(member).Epoch == expectedEpoch, $"{_gateway.Member(member).Implementation}:{member} is at epoch {_gateway.Member(member).Epoch}, not {expectedEpoch}{Environment.NewLine}{diagnostics}");
        }

        var codes = members.Select(m => _gateway.Member(m).VoicePrivacyCode).Distinct().ToList();
        Assert.True(codes.Count == 1, $"voice privacy codes differ: {string.Join(" / ", members.Select(m => $"{_gateway.Member(m).Implementation}:{m}={_gateway.Member(m).VoicePrivacyCode}"))}");
        Assert.Matches("^[0-9]{30}$", codes[0]!);

        foreach (var sender in members)
        {
            var media = Opus();
            var frame = _gateway.Member(sender).Send(media);
            Assert.True(frame.Length > media.Length && frame[^1] == 0xFA && frame[^2] == 0xFA, $"{sender} did not send a DAVE protocol frame");
            foreach (var receiver in members.Where(m => m != sender))
            {
                var received = _gateway.Member(receiver).Receive(sender, frame);
                Assert.True(received.Decrypted, $"epoch {expectedEpoch}: {_gateway.Member(receiver).Implementation}:{receiver} could not decrypt {_gateway.Member(sender).Implementation}:{sender}: {received.Outcome}");
                Assert.Equal(media, received.Media);
            }
        }

        // Earlier epochs' grace periods run out between changes, as in a real call.
        _time.Advance(TimeSpan.FromSeconds(11));
    }
}
