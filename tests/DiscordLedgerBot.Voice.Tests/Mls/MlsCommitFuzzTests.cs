using System.Buffers.Binary;
using DiscordLedgerBot.Voice.Mls;
using DiscordLedgerBot.Voice.Tests.Dave;

namespace DiscordLedgerBot.Voice.Tests.Mls;

/// <summary>
/// Seeded mutations of real commits (with and without an UpdatePath) and of welcomes: processing one must throw only
/// <see cref="MlsException"/> and leave the group exactly as it was, so the genuine message still applies afterwards.
/// </summary>
public class MlsCommitFuzzTests
{
    private static readonly byte[] GroupId = Id(77);

    [Theory]
    [InlineData(false, 101)]
    [InlineData(true, 202)]
    public void Garbled_commits_throw_MlsException_and_leave_the_group_unchanged(bool removeCommit, int seed)
    {
        var gateway = MlsExternalSenderSigner.Create(Id(0));
        var alice = MlsGroup.CreatePending(MlsMember.Create(Id(1)), GroupId, gateway.Sender);
        var bob = Join(gateway, alice, [], MlsMember.Create(Id(2)), epoch: 0);
        var carol = Join(gateway, alice, [bob], MlsMember.Create(Id(3)), epoch: 1);

        // Alice commits either an Add (no UpdatePath) or a Remove of carol (UpdatePath encrypted to bob); bob is fuzzed.
        var (proposal, _) = removeCommit
            ? gateway.ProposeRemove(GroupId, 2, carol.OwnLeafIndex)
            : gateway.ProposeAdd(GroupId, 2, MlsMember.Create(Id(4)).CreateKeyPackage());
        alice.ValidateAndCacheProposals(proposal);
        bob.ValidateAndCacheProposals(proposal);
        var commit = alice.CommitCachedProposals().Commit;
        var authenticatorBefore = bob.EpochAuthenticator;
        var mutator = new Mutator(seed);
        var tried = 0;
        for (var i = 0; i < 600; i++)
        {
            var garbled = mutator.Mutate(commit);
            if (garbled.AsSpan().SequenceEqual(commit))
            {
                continue;
            }

            tried++;
            var thrown = Record.Exception(() => bob.ProcessCommit(garbled));
            Assert.True(thrown is MlsException, $"mutation {i}: {thrown?.GetType().Name ?? "accepted"}: {thrown?.Message}");
            Assert.Equal(2ul, bob.Epoch);
            Assert.Equal(authenticatorBefore, bob.EpochAuthenticator);
        }

        Assert.True(tried > 500);
        alice.ProcessCommit(commit);
        bob.ProcessCommit(commit);
        Assert.Equal(3ul, bob.Epoch);
        Assert.Equal(alice.EpochAuthenticator, bob.EpochAuthenticator);
    }

    [Fact]
    public void Garbled_welcomes_for_a_three_member_group_throw_only_MlsException()
    {
        var gateway = MlsExternalSenderSigner.Create(Id(0));
        var alice = MlsGroup.CreatePending(MlsMember.Create(Id(1)), GroupId, gateway.Sender);
        var bob = Join(gateway, alice, [], MlsMember.Create(Id(2)), epoch: 0);
        var carol = MlsMember.Create(Id(3));
        var keyPackage = carol.CreateKeyPackage();
        var (proposal, _) = gateway.ProposeAdd(GroupId, 1, keyPackage);
        alice.ValidateAndCacheProposals(proposal);
        var welcome = alice.CommitCachedProposals().Welcome!;
        var mutator = new Mutator(303);
        for (var i = 0; i < 400; i++)
        {
            var garbled = mutator.Mutate(welcome);
            if (garbled.AsSpan().SequenceEqual(welcome))
            {
                continue;
            }

            var thrown = Record.Exception(() => MlsGroup.JoinFromWelcome(carol, garbled, keyPackage, gateway.Sender));
            Assert.True(thrown is MlsException, $"mutation {i}: {thrown?.GetType().Name ?? "accepted"}: {thrown?.Message}");
        }

        Assert.Equal(2ul, MlsGroup.JoinFromWelcome(carol, welcome, keyPackage, gateway.Sender).Epoch);
        Assert.Equal(1ul, bob.Epoch);
    }

    private static MlsGroup Join(MlsExternalSenderSigner gateway, MlsGroup committer, IReadOnlyList<MlsGroup> others, MlsMember joiner, ulong epoch)
    {
        var keyPackage = joiner.CreateKeyPackage();
        var (proposal, _) = gateway.ProposeAdd(GroupId, epoch, keyPackage);
        committer.ValidateAndCacheProposals(proposal);
        foreach (var other in others)
        {
            other.ValidateAndCacheProposals(proposal);
        }

        var result = committer.CommitCachedProposals();
        committer.ProcessCommit(result.Commit);
        foreach (var other in others)
        {
            other.ProcessCommit(result.Commit);
        }

        return MlsGroup.JoinFromWelcome(joiner, result.Welcome!, keyPackage, gateway.Sender);
    }

    private static byte[] Id(ulong id)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, id);
        return bytes;
    }
}
