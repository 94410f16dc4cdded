using System.Buffers.Binary;
using DiscordLedgerBot.Voice.Mls;

namespace DiscordLedgerBot.Voice.Tests.Mls;

/// <summary>Malformed input must surface as <see cref="MlsException"/> (never IndexOutOfRange etc.) and leave state unchanged.</summary>
public class MlsRobustnessTests
{
    private static readonly byte[] GroupId = [0, 0, 0, 0, 0, 0, 0, 42];

    [Fact]
    public void Truncated_or_corrupted_welcomes_and_proposals_only_throw_MlsException()
    {
        var gateway = MlsExternalSenderSigner.Create(Id(0));
        var alice = MlsGroup.CreatePending(MlsMember.Create(Id(1)), GroupId, gateway.Sender);
        var bob = MlsMember.Create(Id(2));
        var keyPackage = bob.CreateKeyPackage();
        var (proposal, _) = gateway.ProposeAdd(GroupId, 0, keyPackage);
        alice.ValidateAndCacheProposals(proposal);
        var welcome = alice.CommitCachedProposals().Welcome!;
        var random = new Random(7);

        foreach (var input in Mutations(welcome, random))
        {
            Assert.ThrowsAny<MlsException>(() => MlsGroup.JoinFromWelcome(bob, input, keyPackage));
        }

        var fresh = MlsGroup.CreatePending(MlsMember.Create(Id(3)), GroupId, gateway.Sender);
        // An empty opcode-27 payload is simply "no proposals".
        Assert.Empty(fresh.ValidateAndCacheProposals([]));
        foreach (var input in Mutations(proposal, random).Where(m => m.Length > 0))
        {
            Assert.ThrowsAny<MlsException>(() => fresh.ValidateAndCacheProposals(input));
        }

        Assert.Empty(fresh.CachedProposals);
        Assert.Equal(2, MlsGroup.JoinFromWelcome(bob, welcome, keyPackage).Members.Count);
    }

    [Fact]
    public void Garbage_key_packages_and_external_senders_are_rejected_with_MlsException()
    {
        var random = new Random(11);
        var keyPackage = MlsMember.Create(Id(5)).CreateKeyPackage();
        var gateway = MlsExternalSenderSigner.Create(Id(0));
        foreach (var input in Mutations(keyPackage, random))
        {
            Assert.ThrowsAny<MlsException>(() => gateway.ProposeAdd(GroupId, 0, input));
        }

        var sender = gateway.Sender.ToBytes();
        Assert.True(ExternalSender.Parse(sender).SameAs(gateway.Sender));
        for (var length = 0; length < sender.Length; length++)
        {
            Assert.ThrowsAny<MlsException>(() => ExternalSender.Parse(sender.AsSpan(0, length)));
        }
    }

    private static IEnumerable<byte[]> Mutations(byte[] valid, Random random)
    {
        for (var length = 0; length < valid.Length; length += Math.Max(1, valid.Length / 40))
        {
            yield return valid[..length];
        }

        for (var i = 0; i < 40; i++)
        {
            var corrupted = (byte[])valid.Clone();
            corrupted[random.Next(corrupted.Length)] ^= (byte)(1 << random.Next(8));
            yield return corrupted;
        }

        yield return [.. valid, 0];
    }

    private static byte[] Id(ulong id)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, id);
        return bytes;
    }
}
