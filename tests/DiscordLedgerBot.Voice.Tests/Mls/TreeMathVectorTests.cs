using System.Text.Json;
using DiscordLedgerBot.Voice.Mls.Tree;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class TreeMathVectorTests
{
    [Fact]
    public void Root_children_parent_and_sibling_match_every_tree_size() => MlsVectors.ForEachCase(MlsVectors.All("tree-math.json"), c =>
    {
        var leaves = (uint)c.Int("n_leaves");
        Assert.Equal((uint)c.Int("n_nodes"), TreeMath.NodeWidth(leaves));
        Assert.Equal((uint)c.Int("root"), TreeMath.Root(leaves));
        for (uint node = 0; node < TreeMath.NodeWidth(leaves); node++)
        {
            Assert.Equal(Expected(c, "left", node), TreeMath.IsLeaf(node) ? null : TreeMath.Left(node));
            Assert.Equal(Expected(c, "right", node), TreeMath.IsLeaf(node) ? null : TreeMath.Right(node));
            var isRoot = node == TreeMath.Root(leaves);
            Assert.Equal(Expected(c, "parent", node), isRoot ? null : TreeMath.Parent(node, leaves));
            Assert.Equal(Expected(c, "sibling", node), isRoot ? null : TreeMath.Sibling(node, leaves));
        }
    });

    private static uint? Expected(JsonElement c, string property, uint node)
    {
        var value = c.GetProperty(property)[(int)node];
        return value.ValueKind == JsonValueKind.Null ? null : value.GetUInt32();
    }
}
