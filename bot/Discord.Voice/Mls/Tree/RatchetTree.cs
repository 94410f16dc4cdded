using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Messages;

namespace DiscordLedgerBot.Voice.Mls.Tree;

/// <summary>
/// The public ratchet tree of a group (RFC 9420 §7): leaf and parent nodes in array form, always padded to a full
/// tree of 2^k leaves. Provides tree hashes, resolutions, parent hashes and the structural edits of proposals.
/// </summary>
internal sealed class RatchetTree
{
    private readonly List<TreeNode?> _nodes;

    private RatchetTree(List<TreeNode?> nodes) => _nodes = nodes;

    public uint LeafCount => ((uint)_nodes.Count + 1) / 2;

    public uint Root => TreeMath.Root(LeafCount);

    /// <summary>Builds a tree from the ratchet_tree extension form (trailing blank nodes may be omitted).</summary>
    public static RatchetTree FromNodes(IReadOnlyList<TreeNode?> nodes)
    {
        if (nodes.Count == 0 || nodes[^1] is null)
        {
            throw new MlsException("A ratchet tree must be non-empty and end with a non-blank node.");
        }

        uint leaves = 1;
        while (TreeMath.NodeWidth(leaves) < nodes.Count)
        {
            leaves *= 2;
        }

        var padded = new List<TreeNode?>(nodes);
        while (padded.Count < TreeMath.NodeWidth(leaves))
        {
            padded.Add(null);
        }

        for (var i = 0; i < padded.Count; i++)
        {
            var node = padded[i];
            if (node is not null && (node.Leaf is not null) != TreeMath.IsLeaf((uint)i))
            {
                throw new MlsException($"Node {i} has the wrong node type for its position.");
            }
        }

        return new RatchetTree(padded);
    }

    public static RatchetTree SingleLeaf(LeafNode leaf) => new([new TreeNode(leaf, null)]);

    public RatchetTree Clone() => new([.. _nodes]);

    /// <summary>The ratchet_tree extension form: trailing blank nodes removed.</summary>
    public List<TreeNode?> ToNodes()
    {
        var count = _nodes.Count;
        while (count > 0 && _nodes[count - 1] is null)
        {
            count--;
        }

        return _nodes.GetRange(0, count);
    }

    public TreeNode? Node(uint node) => node < _nodes.Count ? _nodes[(int)node] : throw new MlsException($"Node {node} is outside the tree.");

    public LeafNode? Leaf(uint leafIndex) => leafIndex < LeafCount ? _nodes[(int)TreeMath.NodeOfLeaf(leafIndex)]?.Leaf : null;

    public ParentNode? Parent(uint node) => Node(node)?.Parent;

    public IEnumerable<(uint Index, LeafNode Leaf)> Leaves()
    {
        for (uint i = 0; i < LeafCount; i++)
        {
            if (Leaf(i) is { } leaf)
            {
                yield return (i, leaf);
            }
        }
    }

    public void SetLeaf(uint leafIndex, LeafNode? leaf) => _nodes[(int)TreeMath.NodeOfLeaf(leafIndex)] = leaf is null ? null : new TreeNode(leaf, null);

    public void SetParent(uint node, ParentNode? parent) => _nodes[(int)node] = parent is null ? null : new TreeNode(null, parent);

    public byte[] TreeHash() => TreeHash(Root, null);

    /// <summary>Tree hash of a subtree; leaves in <paramref name="excludedLeaves"/> are treated as blank (for parent hashes).</summary>
    public byte[] TreeHash(uint node, IReadOnlyCollection<uint>? excludedLeaves)
    {
        var writer = new TlsWriter();
        if (TreeMath.IsLeaf(node))
        {
            var leafIndex = TreeMath.LeafOfNode(node);
            writer.WriteU8(1);
            writer.WriteU32(leafIndex);
            var leaf = excludedLeaves?.Contains(leafIndex) == true ? null : Node(node)?.Leaf;
            writer.WriteOptional(leaf, (w, l) => l.Encode(w));
        }
        else
        {
            var parent = Node(node)?.Parent;
            if (parent is not null && excludedLeaves is { Count: > 0 })
            {
                parent = parent with { UnmergedLeaves = [.. parent.UnmergedLeaves.Where(u => !excludedLeaves.Contains(u))] };
            }

            writer.WriteU8(2);
            writer.WriteOptional(parent, (w, p) => p.Encode(w));
            writer.WriteOpaque(TreeHash(TreeMath.Left(node), excludedLeaves));
            writer.WriteOpaque(TreeHash(TreeMath.Right(node), excludedLeaves));
        }

        return MlsCipherSuite.Hash(writer.ToArray());
    }

    /// <summary>RFC 9420 §4.1.1 resolution, optionally ignoring some leaves (new members of a commit).</summary>
    public List<uint> Resolution(uint node, IReadOnlyCollection<uint>? excludedLeaves = null)
    {
        var result = new List<uint>();
        Resolve(node, excludedLeaves, result);
        return result;
    }

    /// <summary>Direct path nodes whose copath child has a non-empty resolution (RFC 9420 §4.1.2).</summary>
    public List<uint> FilteredDirectPath(uint leafIndex)
    {
        var leafNode = TreeMath.NodeOfLeaf(leafIndex);
        var path = TreeMath.DirectPath(leafNode, LeafCount);
        var copath = TreeMath.Copath(leafNode, LeafCount);
        return [.. path.Where((_, i) => Resolution(copath[i]).Count > 0)];
    }

    /// <summary>
    /// ParentHash of <paramref name="parent"/> as seen from its child on the other side of <paramref name="siblingOfChild"/>:
    /// Hash(encryption_key, parent_hash, original sibling tree hash without the parent's unmerged leaves).
    /// </summary>
    public byte[] ParentHash(uint parent, uint siblingOfChild)
    {
        var node = Parent(parent) ?? throw new MlsException($"Parent hash of blank node {parent}.");
        var writer = new TlsWriter();
        writer.WriteOpaque(node.EncryptionKey);
        writer.WriteOpaque(node.ParentHash);
        writer.WriteOpaque(TreeHash(siblingOfChild, node.UnmergedLeaves.ToHashSet()));
        return MlsCipherSuite.Hash(writer.ToArray());
    }

    /// <summary>
    /// RFC 9420 §7.9.2: every non-blank parent node must be the parent-hash target of a node in the resolution of one
    /// of its children.
    /// </summary>
    public bool ParentHashesValid()
    {
        for (uint node = 1; node < _nodes.Count; node += 2)
        {
            if (Parent(node) is null)
            {
                continue;
            }

            var left = TreeMath.Left(node);
            var right = TreeMath.Right(node);
            if (!AnyHasParentHash(left, ParentHash(node, right)) && !AnyHasParentHash(right, ParentHash(node, left)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks leaf signatures, node types and uniqueness of keys (RFC 9420 §7.9 / §12.4.3.1 joiner checks).</summary>
    public void Validate(ReadOnlySpan<byte> groupId)
    {
        var encryptionKeys = new HashSet<string>();
        var signatureKeys = new HashSet<string>();
        foreach (var (index, leaf) in Leaves())
        {
            if (!leaf.VerifySignature(groupId, index))
            {
                throw new MlsVerificationException($"Invalid leaf node signature at leaf {index}.");
            }

            if (!signatureKeys.Add(Convert.ToHexString(leaf.SignatureKey)))
            {
                throw new MlsException($"Duplicate signature key at leaf {index}.");
            }

            if (!encryptionKeys.Add(Convert.ToHexString(leaf.EncryptionKey)))
            {
                throw new MlsException($"Duplicate encryption key at leaf {index}.");
            }
        }

        for (uint node = 1; node < _nodes.Count; node += 2)
        {
            if (Parent(node) is { } parent)
            {
                if (!encryptionKeys.Add(Convert.ToHexString(parent.EncryptionKey)))
                {
                    throw new MlsException($"Duplicate encryption key at node {node}.");
                }

                foreach (var unmerged in parent.UnmergedLeaves)
                {
                    if (unmerged >= LeafCount || !TreeMath.IsInSubtree(TreeMath.NodeOfLeaf(unmerged), node) || Leaf(unmerged) is null)
                    {
                        throw new MlsException($"Node {node} lists an invalid unmerged leaf {unmerged}.");
                    }
                }
            }
        }

        if (!ParentHashesValid())
        {
            throw new MlsVerificationException("The ratchet tree's parent hashes are invalid.");
        }
    }

    /// <summary>Add: the leftmost blank leaf (extending the tree if full), marked unmerged on its non-blank ancestors.</summary>
    public uint AddLeaf(LeafNode leaf)
    {
        uint index = 0;
        while (index < LeafCount && Leaf(index) is not null)
        {
            index++;
        }

        if (index == LeafCount)
        {
            var width = _nodes.Count;
            _nodes.Add(null);
            for (var i = 0; i < width; i++)
            {
                _nodes.Add(null);
            }
        }

        SetLeaf(index, leaf);
        foreach (var ancestor in TreeMath.DirectPath(TreeMath.NodeOfLeaf(index), LeafCount))
        {
            if (Parent(ancestor) is { } parent)
            {
                SetParent(ancestor, parent with { UnmergedLeaves = [.. parent.UnmergedLeaves, index] });
            }
        }

        return index;
    }

    /// <summary>Update: replace the leaf and blank its direct path.</summary>
    public void UpdateLeaf(uint leafIndex, LeafNode leaf)
    {
        SetLeaf(leafIndex, leaf);
        BlankDirectPath(leafIndex);
    }

    /// <summary>Remove: blank the leaf and its direct path, then drop empty right halves.</summary>
    public void RemoveLeaf(uint leafIndex)
    {
        if (Leaf(leafIndex) is null)
        {
            throw new MlsException($"Remove of blank or unknown leaf {leafIndex}.");
        }

        SetLeaf(leafIndex, null);
        BlankDirectPath(leafIndex);
        while (LeafCount > 1 && _nodes.Skip((int)Root + 1).All(n => n is null))
        {
            _nodes.RemoveRange((int)Root, _nodes.Count - (int)Root);
        }
    }

    /// <summary>
    /// Merges an UpdatePath's public part: the sender's new leaf, the new keys on its filtered direct path (with parent
    /// hashes computed top-down, unmerged leaves cleared) and blanks on the rest of the direct path.
    /// Returns the parent hash the sender's leaf must carry.
    /// </summary>
    public byte[] ApplyPath(uint senderLeaf, IReadOnlyList<byte[]> pathPublicKeys)
    {
        var filtered = FilteredDirectPath(senderLeaf);
        if (filtered.Count != pathPublicKeys.Count)
        {
            throw new MlsException($"UpdatePath has {pathPublicKeys.Count} node(s), the filtered direct path {filtered.Count}.");
        }

        BlankDirectPath(senderLeaf);
        for (var i = 0; i < filtered.Count; i++)
        {
            SetParent(filtered[i], new ParentNode(pathPublicKeys[i], [], []));
        }

        var senderNode = TreeMath.NodeOfLeaf(senderLeaf);
        byte[] parentHash = [];
        for (var i = filtered.Count - 1; i >= 0; i--)
        {
            SetParent(filtered[i], Parent(filtered[i])! with { ParentHash = parentHash });
            parentHash = ParentHash(filtered[i], SiblingOnOtherSide(filtered[i], senderNode));
        }

        return parentHash;
    }

    /// <summary>The child of <paramref name="ancestor"/> whose subtree does not contain <paramref name="descendant"/>.</summary>
    public static uint SiblingOnOtherSide(uint ancestor, uint descendant)
    {
        var left = TreeMath.Left(ancestor);
        return TreeMath.IsInSubtree(descendant, left) ? TreeMath.Right(ancestor) : left;
    }

    private void BlankDirectPath(uint leafIndex)
    {
        foreach (var node in TreeMath.DirectPath(TreeMath.NodeOfLeaf(leafIndex), LeafCount))
        {
            _nodes[(int)node] = null;
        }
    }

    private bool AnyHasParentHash(uint child, byte[] expected)
    {
        foreach (var node in Resolution(child))
        {
            var parentHash = Node(node) switch
            {
                { Leaf: { Source: LeafNodeSource.Commit } leaf } => leaf.ParentHash,
                { Parent: { } parent } => parent.ParentHash,
                _ => null,
            };
            if (parentHash is not null && parentHash.AsSpan().SequenceEqual(expected))
            {
                return true;
            }
        }

        return false;
    }

    private void Resolve(uint node, IReadOnlyCollection<uint>? excludedLeaves, List<uint> result)
    {
        var value = Node(node);
        if (TreeMath.IsLeaf(node))
        {
            if (value is not null && excludedLeaves?.Contains(TreeMath.LeafOfNode(node)) != true)
            {
                result.Add(node);
            }
        }
        else if (value is not null)
        {
            result.Add(node);
            result.AddRange(value.Parent!.UnmergedLeaves
                .Where(u => excludedLeaves?.Contains(u) != true)
                .Select(TreeMath.NodeOfLeaf));
        }
        else
        {
            Resolve(TreeMath.Left(node), excludedLeaves, result);
            Resolve(TreeMath.Right(node), excludedLeaves, result);
        }
    }
}
