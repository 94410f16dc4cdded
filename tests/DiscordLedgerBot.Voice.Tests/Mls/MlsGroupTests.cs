using System.Buffers.Binary;
using DiscordLedgerBot.Voice.Mls;

namespace DiscordLedgerBot.Voice.Tests.Mls;

/// <summary>
/// The DAVE-shaped group flow between real members: an external sender (the voice gateway) proposes, a member commits,
/// joiners use the Welcome, everyone ends in the same epoch with the same exporter output.
/// </summary>
public class MlsGroupTests
{
    private const string DaveLabel = "Discord Secure Frames v0";
    private static readonly byte[] GroupId = UserId(1_234_567_890_123);

    private readonly MlsExternalSenderSigner _gateway = MlsExternalSenderSigner.Create(UserId(0));

    [Fact]
    public void Pending_group_has_one_member_and_the_external_sender()
    {
        var alice = MlsMember.Create(UserId(1));
        var group = MlsGroup.CreatePending(alice, GroupId, _gateway.Sender);

        Assert.Equal(0ul, group.Epoch);
        var member = Assert.Single(group.Members);
        Assert.Equal(UserId(1), member.Identity);
        Assert.Equal(alice.SignaturePublicKey, member.SignatureKey);
        Assert.True(Assert.Single(group.ExternalSenders).SameAs(_gateway.Sender));
        Assert.Equal(32, group.EpochAuthenticator.Length);
    }

    [Fact]
    public void Add_commit_welcome_then_add_by_another_committer_then_remove_keeps_everyone_in_sync()
    {
        var alice = MlsMember.Create(UserId(1));
        var bob = MlsMember.Create(UserId(2));
        var carol = MlsMember.Create(UserId(3));
        var aliceGroup = MlsGroup.CreatePending(alice, GroupId, _gateway.Sender);

        // Epoch 0 → 1: gateway proposes Add(bob); alice commits; bob joins from the Welcome.
        var bobKeyPackage = bob.CreateKeyPackage();
        var (addBob, _) = _gateway.ProposeAdd(GroupId, 0, bobKeyPackage);
        var info = Assert.Single(aliceGroup.ValidateAndCacheProposals(addBob));
        Assert.Equal(MlsProposalKind.Add, info.Kind);
        Assert.Equal(UserId(2), info.Identity);
        var first = aliceGroup.CommitCachedProposals();
        Assert.NotNull(first.Welcome);
        Assert.Equal(0ul, aliceGroup.Epoch);
        aliceGroup.ProcessCommit(first.Commit);
        var bobGroup = MlsGroup.JoinFromWelcome(bob, first.Welcome, bobKeyPackage, _gateway.Sender);
        AssertInSync(aliceGroup, bobGroup);
        Assert.Equal(1ul, bobGroup.Epoch);
        Assert.Equal(2, bobGroup.Members.Count);

        // Epoch 1 → 2: gateway proposes Add(carol) to both; bob commits (Add only: no UpdatePath); alice follows.
        var carolKeyPackage = carol.CreateKeyPackage();
        var (addCarol, _) = _gateway.ProposeAdd(GroupId, 1, carolKeyPackage);
        aliceGroup.ValidateAndCacheProposals(addCarol);
        bobGroup.ValidateAndCacheProposals(addCarol);
        var second = bobGroup.CommitCachedProposals();
        bobGroup.ProcessCommit(second.Commit);
        aliceGroup.ProcessCommit(second.Commit);
        var carolGroup = MlsGroup.JoinFromWelcome(carol, second.Welcome, carolKeyPackage, _gateway.Sender);
        AssertInSync(aliceGroup, bobGroup, carolGroup);

        // Epoch 2 → 3: gateway removes bob; carol commits (Remove needs an UpdatePath); bob learns he is out.
        var bobLeaf = aliceGroup.Members.Single(m => m.Identity.AsSpan().SequenceEqual(UserId(2))).LeafIndex;
        var (removeBob, _) = _gateway.ProposeRemove(GroupId, 2, bobLeaf);
        var removal = Assert.Single(carolGroup.ValidateAndCacheProposals(removeBob));
        Assert.Equal(UserId(2), removal.Identity);
        aliceGroup.ValidateAndCacheProposals(removeBob);
        bobGroup.ValidateAndCacheProposals(removeBob);
        var third = carolGroup.CommitCachedProposals();
        Assert.Null(third.Welcome);
        carolGroup.ProcessCommit(third.Commit);
        aliceGroup.ProcessCommit(third.Commit);
        Assert.Throws<MlsRemovedFromGroupException>(() => bobGroup.ProcessCommit(third.Commit));
        AssertInSync(aliceGroup, carolGroup);
        Assert.Equal(2, aliceGroup.Members.Count);
        Assert.NotEqual(bobGroup.Export(DaveLabel, UserId(1), 16), aliceGroup.Export(DaveLabel, UserId(1), 16));
    }

    [Fact]
    public void Losing_committer_discards_its_pending_commit_and_follows_the_winner()
    {
        var (alice, bob) = TwoMemberGroup();
        var dave = MlsMember.Create(UserId(4));
        var daveKeyPackage = dave.CreateKeyPackage();
        var (addDave, _) = _gateway.ProposeAdd(GroupId, 1, daveKeyPackage);
        alice.ValidateAndCacheProposals(addDave);
        bob.ValidateAndCacheProposals(addDave);

        var aliceCommit = alice.CommitCachedProposals();
        var bobCommit = bob.CommitCachedProposals();
        alice.ProcessCommit(bobCommit.Commit);
        bob.ProcessCommit(bobCommit.Commit);
        Assert.False(alice.HasPendingCommit);
        var daveGroup = MlsGroup.JoinFromWelcome(dave, bobCommit.Welcome, daveKeyPackage);
        AssertInSync(alice, bob, daveGroup);
        Assert.Throws<MlsException>(() => MlsGroup.JoinFromWelcome(dave, aliceCommit.Welcome, daveKeyPackage));
    }

    [Fact]
    public void Many_epochs_of_adds_and_removes_stay_in_sync()
    {
        var (alice, bob) = TwoMemberGroup();
        var groups = new List<(MlsMember Member, MlsGroup Group)> { (MlsMember.Create(UserId(1)), alice), (MlsMember.Create(UserId(2)), bob) };
        ulong nextUser = 10;
        for (var round = 0; round < 8; round++)
        {
            var committer = groups[round % groups.Count].Group;
            CommitResult result;
            MlsMember? joiner = null;
            byte[]? joinerKeyPackage = null;
            if (round % 3 == 2)
            {
                var victim = groups[^1].Group;
                var (remove, _) = _gateway.ProposeRemove(GroupId, committer.Epoch, victim.OwnLeafIndex);
                groups.RemoveAt(groups.Count - 1);
                committer = groups[0].Group;
                foreach (var (_, group) in groups)
                {
                    group.ValidateAndCacheProposals(remove);
                }

                result = committer.CommitCachedProposals();
            }
            else
            {
                joiner = MlsMember.Create(UserId(nextUser++));
                joinerKeyPackage = joiner.CreateKeyPackage();
                var (add, _) = _gateway.ProposeAdd(GroupId, committer.Epoch, joinerKeyPackage);
                foreach (var (_, group) in groups)
                {
                    group.ValidateAndCacheProposals(add);
                }

                result = committer.CommitCachedProposals();
            }

            foreach (var (_, group) in groups)
            {
                group.ProcessCommit(result.Commit);
            }

            if (joiner is not null)
            {
                groups.Add((joiner, MlsGroup.JoinFromWelcome(joiner, result.Welcome, joinerKeyPackage!, _gateway.Sender)));
            }

            AssertInSync([.. groups.Select(g => g.Group)]);
        }
    }

    [Fact]
    public void Remove_plus_add_gives_the_joiner_a_path_secret_it_can_use_in_later_epochs()
    {
        var (alice, bob) = TwoMemberGroup();
        var carol = MlsMember.Create(UserId(3));
        var carolKeyPackage = carol.CreateKeyPackage();
        var (addCarol, _) = _gateway.ProposeAdd(GroupId, 1, carolKeyPackage);
        alice.ValidateAndCacheProposals(addCarol);
        bob.ValidateAndCacheProposals(addCarol);
        var addResult = alice.CommitCachedProposals();
        alice.ProcessCommit(addResult.Commit);
        bob.ProcessCommit(addResult.Commit);
        var carolGroup = MlsGroup.JoinFromWelcome(carol, addResult.Welcome, carolKeyPackage);

        // One commit removing bob and adding dave: it carries an UpdatePath and a Welcome with a path secret.
        var dave = MlsMember.Create(UserId(4));
        var daveKeyPackage = dave.CreateKeyPackage();
        var (removeBob, _) = _gateway.ProposeRemove(GroupId, 2, bob.OwnLeafIndex);
        var (addDave, _) = _gateway.ProposeAdd(GroupId, 2, daveKeyPackage);
        byte[] both = [.. removeBob, .. addDave];
        carolGroup.ValidateAndCacheProposals(both);
        alice.ValidateAndCacheProposals(both);
        var result = carolGroup.CommitCachedProposals();
        carolGroup.ProcessCommit(result.Commit);
        alice.ProcessCommit(result.Commit);
        var daveGroup = MlsGroup.JoinFromWelcome(dave, result.Welcome, daveKeyPackage);
        AssertInSync(alice, carolGroup, daveGroup);

        // Dave must decrypt a later UpdatePath, which needs the path keys from his Welcome or his leaf.
        var (removeAlice, _) = _gateway.ProposeRemove(GroupId, 3, alice.OwnLeafIndex);
        carolGroup.ValidateAndCacheProposals(removeAlice);
        daveGroup.ValidateAndCacheProposals(removeAlice);
        var next = carolGroup.CommitCachedProposals();
        carolGroup.ProcessCommit(next.Commit);
        daveGroup.ProcessCommit(next.Commit);
        AssertInSync(carolGroup, daveGroup);
        Assert.Equal(2, daveGroup.Members.Count);
    }

    [Fact]
    public void Revoked_proposals_are_not_committed()
    {
        var alice = MlsGroup.CreatePending(MlsMember.Create(UserId(1)), GroupId, _gateway.Sender);
        var (add, reference) = _gateway.ProposeAdd(GroupId, 0, MlsMember.Create(UserId(2)).CreateKeyPackage());
        Assert.Equal(reference, Assert.Single(alice.ValidateAndCacheProposals(add)).Ref);
        alice.RevokeProposals(MlsWire.DecodeProposalRefs(MlsWire.EncodeProposalRefs([reference])));
        Assert.Empty(alice.CachedProposals);
        Assert.Throws<MlsException>(alice.CommitCachedProposals);
    }

    [Fact]
    public void Proposals_for_another_epoch_group_or_signer_are_rejected_and_nothing_is_cached()
    {
        var alice = MlsGroup.CreatePending(MlsMember.Create(UserId(1)), GroupId, _gateway.Sender);
        var keyPackage = MlsMember.Create(UserId(2)).CreateKeyPackage();
        var impostor = MlsExternalSenderSigner.Create(UserId(0));
        var valid = _gateway.ProposeAdd(GroupId, 0, keyPackage).Message;

        Assert.Throws<MlsException>(() => alice.ValidateAndCacheProposals([.. valid, .. _gateway.ProposeAdd(GroupId, 5, keyPackage).Message]));
        Assert.Throws<MlsException>(() => alice.ValidateAndCacheProposals(_gateway.ProposeAdd(UserId(99), 0, keyPackage).Message));
        Assert.Throws<MlsVerificationException>(() => alice.ValidateAndCacheProposals(impostor.ProposeAdd(GroupId, 0, keyPackage).Message));
        Assert.Throws<MlsException>(() => alice.ValidateAndCacheProposals(_gateway.ProposeRemove(GroupId, 0, 3).Message));
        Assert.Empty(alice.CachedProposals);
    }

    [Fact]
    public void Truncated_or_corrupted_commits_fail_with_MlsException_and_change_nothing()
    {
        var (alice, bob) = TwoMemberGroup();
        var (add, _) = _gateway.ProposeAdd(GroupId, 1, MlsMember.Create(UserId(5)).CreateKeyPackage());
        alice.ValidateAndCacheProposals(add);
        bob.ValidateAndCacheProposals(add);
        var commit = alice.CommitCachedProposals().Commit;
        var authenticator = bob.EpochAuthenticator;

        for (var length = 0; length < commit.Length; length += 7)
        {
            Assert.ThrowsAny<MlsException>(() => bob.ProcessCommit(commit.AsSpan(0, length)));
        }

        var random = new Random(42);
        for (var i = 0; i < 64; i++)
        {
            var corrupted = (byte[])commit.Clone();
            corrupted[random.Next(corrupted.Length)] ^= (byte)(1 << random.Next(8));
            Assert.ThrowsAny<MlsException>(() => bob.ProcessCommit(corrupted));
        }

        Assert.Equal(1ul, bob.Epoch);
        Assert.Equal(authenticator, bob.EpochAuthenticator);
        bob.ProcessCommit(commit);
        alice.ProcessCommit(commit);
        AssertInSync(alice, bob);
    }

    [Fact]
    public void Welcome_with_an_unexpected_external_sender_is_rejected()
    {
        var alice = MlsGroup.CreatePending(MlsMember.Create(UserId(1)), GroupId, _gateway.Sender);
        var bob = MlsMember.Create(UserId(2));
        var keyPackage = bob.CreateKeyPackage();
        alice.ValidateAndCacheProposals(_gateway.ProposeAdd(GroupId, 0, keyPackage).Message);
        var welcome = alice.CommitCachedProposals().Welcome!;
        var other = MlsExternalSenderSigner.Create(UserId(0)).Sender;
        Assert.Throws<MlsException>(() => MlsGroup.JoinFromWelcome(bob, welcome, keyPackage, other));
    }

    private (MlsGroup Alice, MlsGroup Bob) TwoMemberGroup()
    {
        var alice = MlsGroup.CreatePending(MlsMember.Create(UserId(1)), GroupId, _gateway.Sender);
        var bob = MlsMember.Create(UserId(2));
        var keyPackage = bob.CreateKeyPackage();
        alice.ValidateAndCacheProposals(_gateway.ProposeAdd(GroupId, 0, keyPackage).Message);
        var result = alice.CommitCachedProposals();
        alice.ProcessCommit(result.Commit);
        return (alice, MlsGroup.JoinFromWelcome(bob, result.Welcome, keyPackage, _gateway.Sender));
    }

    private static void AssertInSync(params MlsGroup[] groups)
    {
        foreach (var group in groups.Skip(1))
        {
            Assert.Equal(groups[0].Epoch, group.Epoch);
            Assert.Equal(groups[0].EpochAuthenticator, group.EpochAuthenticator);
            Assert.Equal(groups[0].Export(DaveLabel, UserId(7), 16), group.Export(DaveLabel, UserId(7), 16));
            Assert.Equal(groups[0].Members.Select(m => Convert.ToHexString(m.Identity)), group.Members.Select(m => Convert.ToHexString(m.Identity)));
        }
    }

    private static byte[] UserId(ulong id)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, id);
        return bytes;
    }
}
