using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using DiscordLedgerBot.Voice.Mls;

namespace DiscordLedgerBot.Benchmarks.Voice;

/// <summary>
/// Cost of one MLS epoch change in a DAVE-shaped group of <see cref="Members"/> members: creating a commit, and
/// processing another member's commit (Add without UpdatePath; Remove with UpdatePath decryption).
/// Run: dotnet run -c Release --project tests/DiscordLedgerBot.Benchmarks -- --filter '*MlsCommit*' --job short
/// </summary>
[MemoryDiagnoser]
public class MlsCommitBenchmarks
{
    private static readonly byte[] GroupId = [0, 0, 0, 0, 0, 0, 0, 1];

    private MlsGroup _committer = null!;
    private MlsGroup _receiverOfAdd = null!;
    private MlsGroup _receiverOfRemove = null!;
    private byte[] _addCommit = null!;
    private byte[] _removeCommit = null!;

    [Params(2, 8)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var gateway = MlsExternalSenderSigner.Create(Id(0));
        var groups = new List<MlsGroup> { MlsGroup.CreatePending(MlsMember.Create(Id(1)), GroupId, gateway.Sender) };
        for (var user = 2; user <= Members + 1; user++)
        {
            var member = MlsMember.Create(Id((ulong)user));
            var keyPackage = member.CreateKeyPackage();
            var (add, _) = gateway.ProposeAdd(GroupId, groups[0].Epoch, keyPackage);
            groups.ForEach(g => g.ValidateAndCacheProposals(add));
            var result = groups[0].CommitCachedProposals();
            groups.ForEach(g => g.ProcessCommit(result.Commit));
            groups.Add(MlsGroup.JoinFromWelcome(member, result.Welcome, keyPackage));
        }

        // The last member joined only to be removed; the measured group has Members members after the Remove.
        var (remove, _) = gateway.ProposeRemove(GroupId, groups[0].Epoch, groups[^1].OwnLeafIndex);
        var (addAnother, _) = gateway.ProposeAdd(GroupId, groups[0].Epoch, MlsMember.Create(Id(999)).CreateKeyPackage());
        _committer = groups[0].Fork();
        _committer.ValidateAndCacheProposals(remove);

        var committerForAdd = groups[0].Fork();
        committerForAdd.ValidateAndCacheProposals(addAnother);
        _addCommit = committerForAdd.CommitCachedProposals().Commit;
        _receiverOfAdd = groups[1].Fork();
        _receiverOfAdd.ValidateAndCacheProposals(addAnother);

        var committerForRemove = groups[0].Fork();
        committerForRemove.ValidateAndCacheProposals(remove);
        _removeCommit = committerForRemove.CommitCachedProposals().Commit;
        _receiverOfRemove = groups[1].Fork();
        _receiverOfRemove.ValidateAndCacheProposals(remove);
    }

    [Benchmark]
    public ulong ProcessAddCommit()
    {
        var group = _receiverOfAdd.Fork();
        group.ProcessCommit(_addCommit);
        return group.Epoch;
    }

    [Benchmark]
    public ulong ProcessRemoveCommitWithUpdatePath()
    {
        var group = _receiverOfRemove.Fork();
        group.ProcessCommit(_removeCommit);
        return group.Epoch;
    }

    [Benchmark]
    public int CreateRemoveCommitWithUpdatePath() => _committer.Fork().CommitCachedProposals().Commit.Length;

    private static byte[] Id(ulong id)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, id);
        return bytes;
    }
}
