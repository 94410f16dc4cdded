using System.Text.Json;
using DiscordLedgerBot.Voice.Mls;
using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Messages;

namespace DiscordLedgerBot.Voice.Tests.Mls;

/// <summary>
/// The passive-client vectors: join from a Welcome (tree inline or supplied), then follow every commit, checking the
/// epoch authenticator after each step.
/// </summary>
public class PassiveClientVectorTests
{
    [Fact]
    public void Joins_from_every_welcome_with_the_expected_epoch_authenticator() =>
        MlsVectors.ForEachCase(MlsVectors.Suite2("passive-client-welcome.json"), c => Run(c));

    [Fact]
    public void Follows_every_commit_with_the_expected_epoch_authenticators() =>
        MlsVectors.ForEachCase(MlsVectors.Suite2("passive-client-handling-commit.json"), c => Run(c));

    internal static MlsGroup Run(JsonElement c)
    {
        var group = Join(c);
        Assert.Equal(c.Hex("initial_epoch_authenticator"), group.EpochAuthenticator);
        foreach (var epoch in c.GetProperty("epochs").EnumerateArray())
        {
            foreach (var proposal in epoch.GetProperty("proposals").EnumerateArray())
            {
                group.CacheProposal(Convert.FromHexString(proposal.GetString()!));
            }

            group.ProcessCommit(epoch.Hex("commit"));
            Assert.Equal(epoch.Hex("epoch_authenticator"), group.EpochAuthenticator);
        }

        return group;
    }

    private static MlsGroup Join(JsonElement c)
    {
        var keyPackage = (KeyPackage)MlsMessage.Parse(c.Hex("key_package")).Body;
        Assert.Equal(keyPackage.InitKey, P256.PublicFromPrivate(c.Hex("init_priv")));
        var member = MlsMember.FromSignatureKey(keyPackage.LeafNode.Credential.Identity, c.Hex("signature_priv"));
        member.RegisterKeyPackage(keyPackage, c.Hex("init_priv"), c.Hex("encryption_priv"));
        var psks = c.GetProperty("external_psks").EnumerateArray().ToDictionary(p => Convert.ToHexString(p.Hex("psk_id")), p => p.Hex("psk"));
        var tree = c.HexOrNull("ratchet_tree") is { } treeBytes ? TreeNode.DecodeRatchetTree(treeBytes) : null;
        var welcome = (Welcome)MlsMessage.Parse(c.Hex("welcome")).Body;
        return MlsGroup.Join(member, welcome, member.KeyPackageSecretsFor(keyPackage.ToBytes()), tree, psks);
    }
}
