using System.Numerics;

namespace DiscordLedgerBot.Voice.Mls.Tree;

/// <summary>
/// Array-based left-balanced binary tree arithmetic (RFC 9420 Appendix C). Leaves sit at even node indices;
/// a node's level is the number of trailing one bits of its index. Widths are always full trees (2^k leaves).
/// </summary>
internal static class TreeMath
{
    public static uint NodeWidth(uint leafCount) => leafCount == 0 ? 0 : (2 * (leafCount - 1)) + 1;

    public static int Level(uint node) => BitOperations.TrailingZeroCount(~node);

    public static uint Root(uint leafCount)
    {
        var width = NodeWidth(leafCount);
        return (1u << BitOperations.Log2(width)) - 1;
    }

    public static bool IsLeaf(uint node) => (node & 1) == 0;

    public static uint NodeOfLeaf(uint leafIndex) => 2 * leafIndex;

    public static uint LeafOfNode(uint node) => node / 2;

    public static uint Left(uint node)
    {
        var level = Level(node);
        return level == 0 ? throw new MlsException("A leaf has no children.") : node ^ (1u << (level - 1));
    }

    public static uint Right(uint node)
    {
        var level = Level(node);
        return level == 0 ? throw new MlsException("A leaf has no children.") : node ^ (3u << (level - 1));
    }

    public static uint Parent(uint node, uint leafCount)
    {
        if (node == Root(leafCount))
        {
            throw new MlsException("The root has no parent.");
        }

        var level = Level(node);
        var b = (node >> (level + 1)) & 1;
        return (node | (1u << level)) ^ (b << (level + 1));
    }

    public static uint Sibling(uint node, uint leafCount)
    {
        var parent = Parent(node, leafCount);
        return node < parent ? Right(parent) : Left(parent);
    }

    /// <summary>Nodes from the leaf's parent up to and including the root.</summary>
    public static List<uint> DirectPath(uint node, uint leafCount)
    {
        var root = Root(leafCount);
        var path = new List<uint>();
        while (node != root)
        {
            node = Parent(node, leafCount);
            path.Add(node);
        }

        return path;
    }

    /// <summary>Siblings of the node and of each of its ancestors below the root.</summary>
    public static List<uint> Copath(uint node, uint leafCount)
    {
        var root = Root(leafCount);
        var copath = new List<uint>();
        while (node != root)
        {
            copath.Add(Sibling(node, leafCount));
            node = Parent(node, leafCount);
        }

        return copath;
    }

    public static bool IsInSubtree(uint node, uint ancestor)
    {
        var level = Level(ancestor);
        var half = (1u << level) - 1;
        return node >= ancestor - half && node <= ancestor + half;
    }

    /// <summary>Lowest common ancestor of two nodes.</summary>
    public static uint CommonAncestor(uint x, uint y)
    {
        var level = Math.Max(Level(x), Level(y));
        while ((x >> (level + 1)) != (y >> (level + 1)))
        {
            level++;
        }

        var prefix = (x >> (level + 1)) << (level + 1);
        return prefix | ((1u << level) - 1);
    }
}
