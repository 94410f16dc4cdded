using DiscordLedgerBot.Voice.Mls.Messages;
using DiscordLedgerBot.Voice.Mls.Tree;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class TreeValidationVectorTests
{
    [Fact]
    public void Tree_hashes_resolutions_parent_hashes_and_signatures_are_valid() => MlsVectors.ForEachCase(MlsVectors.Suite2("tree-validation.json"), c =>
    {
        var nodes = TreeNode.DecodeRatchetTree(c.Hex("tree"));
        Assert.Equal(c.Hex("tree"), TreeNode.EncodeRatchetTree(nodes));
        var tree = RatchetTree.FromNodes(nodes);
        var hashes = c.GetProperty("tree_hashes");
        var resolutions = c.GetProperty("resolutions");
        Assert.Equal(hashes.GetArrayLength(), (int)TreeMath.NodeWidth(tree.LeafCount));
        for (uint node = 0; node < hashes.GetArrayLength(); node++)
        {
            Assert.Equal(Convert.FromHexString(hashes[(int)node].GetString()!), tree.TreeHash(node, null));
            Assert.Equal(resolutions[(int)node].EnumerateArray().Select(r => r.GetUInt32()), tree.Resolution(node));
        }

        tree.Validate(c.Hex("group_id"));
    });
}
