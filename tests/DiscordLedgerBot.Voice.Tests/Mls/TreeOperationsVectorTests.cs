using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Messages;
using DiscordLedgerBot.Voice.Mls.Tree;

namespace DiscordLedgerBot.Voice.Tests.Mls;

/// <summary>
/// tree-operations.json only has ciphersuite 1 cases, but tree hashing is SHA-256 in suites 1 and 2 and the structural
/// edits are suite-independent, so Add/Update/Remove application and tree hashes are checked (no signatures).
/// </summary>
public class TreeOperationsVectorTests
{
    [Fact]
    public void Add_update_and_remove_produce_the_expected_tree_and_tree_hash() => MlsVectors.ForEachCase(MlsVectors.All("tree-operations.json"), c =>
    {
        var tree = RatchetTree.FromNodes(TreeNode.DecodeRatchetTree(c.Hex("tree_before")));
        Assert.Equal(c.Hex("tree_hash_before"), tree.TreeHash());

        var reader = new TlsReader(c.Hex("proposal"));
        var proposal = Proposal.Decode(ref reader);
        reader.EnsureEnd("proposal");
        var sender = c.GetProperty("proposal_sender").GetUInt32();
        switch (proposal)
        {
            case AddProposal add:
                tree.AddLeaf(add.KeyPackage.LeafNode);
                break;
            case UpdateProposal update:
                tree.UpdateLeaf(sender, update.LeafNode);
                break;
            case RemoveProposal remove:
                tree.RemoveLeaf(remove.Removed);
                break;
            default:
                throw new InvalidOperationException($"Unexpected proposal type {proposal.Type}.");
        }

        Assert.Equal(c.Hex("tree_after"), TreeNode.EncodeRatchetTree(tree.ToNodes()));
        Assert.Equal(c.Hex("tree_hash_after"), tree.TreeHash());
    });
}
