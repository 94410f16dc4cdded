using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Tree;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class SecretTreeVectorTests
{
    [Fact]
    public void Sender_data_and_every_leaf_ratchet_generation_match() => MlsVectors.ForEachCase(MlsVectors.Suite2("secret-tree.json"), c =>
    {
        var senderData = c.GetProperty("sender_data");
        var (key, nonce) = SecretTree.SenderDataKeyAndNonce(senderData.Hex("sender_data_secret"), senderData.Hex("ciphertext"));
        Assert.Equal(senderData.Hex("key"), key);
        Assert.Equal(senderData.Hex("nonce"), nonce);

        var leaves = c.GetProperty("leaves");
        var tree = new SecretTree(c.Hex("encryption_secret"), (uint)leaves.GetArrayLength());
        for (uint leaf = 0; leaf < leaves.GetArrayLength(); leaf++)
        {
            foreach (var generation in leaves[(int)leaf].EnumerateArray())
            {
                var g = generation.GetProperty("generation").GetUInt32();
                var handshake = tree.KeyAndNonce(leaf, SecretTree.RatchetKind.Handshake, g);
                Assert.Equal(generation.Hex("handshake_key"), handshake.Key);
                Assert.Equal(generation.Hex("handshake_nonce"), handshake.Nonce);
                var application = tree.KeyAndNonce(leaf, SecretTree.RatchetKind.Application, g);
                Assert.Equal(generation.Hex("application_key"), application.Key);
                Assert.Equal(generation.Hex("application_nonce"), application.Nonce);
            }
        }

        Assert.Equal(MlsCipherSuite.HashLength, tree.LeafSecret(0).Length);
    });
}
