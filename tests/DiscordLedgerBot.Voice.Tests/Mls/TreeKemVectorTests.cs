using DiscordLedgerBot.Voice.Mls.Messages;
using DiscordLedgerBot.Voice.Mls.Tree;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class TreeKemVectorTests
{
    [Fact]
    public void Every_leaf_decrypts_every_update_path_to_the_expected_path_and_commit_secrets() => MlsVectors.ForEachCase(MlsVectors.Suite2("treekem.json"), c =>
    {
        var groupId = c.Hex("group_id");
        var nodes = TreeNode.DecodeRatchetTree(c.Hex("ratchet_tree"));
        var leavesPrivate = c.GetProperty("leaves_private").EnumerateArray().ToArray();
        foreach (var update in c.GetProperty("update_paths").EnumerateArray())
        {
            var sender = update.GetProperty("sender").GetUInt32();
            var path = UpdatePath.Parse(update.Hex("update_path"));
            Assert.True(path.LeafNode.VerifySignature(groupId, sender));

            var tree = RatchetTree.FromNodes(nodes);
            var leafParentHash = tree.ApplyPath(sender, [.. path.Nodes.Select(n => n.EncryptionKey)]);
            Assert.Equal(leafParentHash, path.LeafNode.ParentHash);
            tree.SetLeaf(sender, path.LeafNode);
            Assert.Equal(update.Hex("tree_hash_after"), tree.TreeHash());
            Assert.True(tree.ParentHashesValid());

            var context = GroupContext.Create(groupId, c.GetProperty("epoch").GetUInt64(), update.Hex("tree_hash_after"), c.Hex("confirmed_transcript_hash"), []).ToBytes();
            for (var k = 0; k < leavesPrivate.Length; k++)
            {
                var receiver = leavesPrivate[k].GetProperty("index").GetUInt32();
                var expected = update.GetProperty("path_secrets")[(int)receiver]; // indexed by leaf index
                if (receiver == sender)
                {
                    Assert.Equal(System.Text.Json.JsonValueKind.Null, expected.ValueKind);
                    continue;
                }

                var keys = new Dictionary<uint, byte[]> { [TreeMath.NodeOfLeaf(receiver)] = leavesPrivate[k].Hex("encryption_priv") };
                foreach (var known in leavesPrivate[k].GetProperty("path_secrets").EnumerateArray())
                {
                    keys[known.GetProperty("node").GetUInt32()] = TreeKem.NodeKeyPair(known.Hex("path_secret")).PrivateKey;
                }

                var result = TreeKem.Decrypt(tree, sender, receiver, path, keys, context, []);
                var commonAncestor = tree.FilteredDirectPath(sender).First(n => TreeMath.IsInSubtree(TreeMath.NodeOfLeaf(receiver), n));
                Assert.Equal(Convert.FromHexString(expected.GetString()!), result.PathSecretsByNode[commonAncestor]);
                Assert.Equal(update.Hex("commit_secret"), result.CommitSecret);
            }
        }
    });
}
