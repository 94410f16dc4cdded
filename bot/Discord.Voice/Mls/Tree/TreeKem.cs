using System.Security.Cryptography;
using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Messages;

namespace DiscordLedgerBot.Voice.Mls.Tree;

/// <summary>The outcome of creating or decrypting an UpdatePath.</summary>
/// <param name="CommitSecret">DeriveSecret(last path secret, "path").</param>
/// <param name="PrivateKeys">Node index → HPKE private key for the path nodes this member now knows.</param>
/// <param name="PathSecrets">Node index → path secret for those nodes (to hand joiners their path_secret).</param>
internal sealed record PathSecrets(byte[] CommitSecret, IReadOnlyDictionary<uint, byte[]> PrivateKeys, IReadOnlyDictionary<uint, byte[]> PathSecretsByNode);

/// <summary>TreeKEM (RFC 9420 §7.4–§7.6): path secret derivation, UpdatePath creation and decryption.</summary>
internal static class TreeKem
{
    public static (byte[] PrivateKey, byte[] PublicKey) NodeKeyPair(ReadOnlySpan<byte> pathSecret) =>
        Hpke.DeriveKeyPair(MlsCipherSuite.DeriveSecret(pathSecret, "node"));

    public static byte[] NextPathSecret(ReadOnlySpan<byte> pathSecret) => MlsCipherSuite.DeriveSecret(pathSecret, "path");

    /// <summary>
    /// Decrypts the path secret meant for <paramref name="receiverLeaf"/> from an UpdatePath already merged into
    /// <paramref name="tree"/>, then derives and checks the secrets of every path node above it.
    /// </summary>
    public static PathSecrets Decrypt(
        RatchetTree tree,
        uint senderLeaf,
        uint receiverLeaf,
        UpdatePath path,
        IReadOnlyDictionary<uint, byte[]> receiverPrivateKeys,
        ReadOnlySpan<byte> provisionalGroupContext,
        IReadOnlyCollection<uint> newMemberLeaves)
    {
        var filtered = tree.FilteredDirectPath(senderLeaf);
        if (filtered.Count != path.Nodes.Count)
        {
            throw new MlsException($"UpdatePath has {path.Nodes.Count} node(s), the filtered direct path {filtered.Count}.");
        }

        var receiverNode = TreeMath.NodeOfLeaf(receiverLeaf);
        var senderNode = TreeMath.NodeOfLeaf(senderLeaf);
        var level = filtered.FindIndex(n => TreeMath.IsInSubtree(receiverNode, n));
        if (level < 0)
        {
            throw new MlsException("The receiver is not below the sender's filtered direct path.");
        }

        var copathChild = RatchetTree.SiblingOnOtherSide(filtered[level], senderNode);
        var resolution = tree.Resolution(copathChild, newMemberLeaves);
        var position = resolution.FindIndex(receiverPrivateKeys.ContainsKey);
        if (position < 0)
        {
            throw new MlsException("No private key for any node in the resolution the path secret was encrypted to.");
        }

        var ciphertexts = path.Nodes[level].EncryptedPathSecret;
        if (ciphertexts.Count != resolution.Count)
        {
            throw new MlsException($"UpdatePath node has {ciphertexts.Count} ciphertext(s) for a resolution of {resolution.Count}.");
        }

        var encrypted = ciphertexts[position];
        var pathSecret = MlsCipherSuite.DecryptWithLabel(receiverPrivateKeys[resolution[position]], "UpdatePathNode", provisionalGroupContext, encrypted.KemOutput, encrypted.Ciphertext);
        return DeriveUpwards(filtered, level, pathSecret, i => path.Nodes[i].EncryptionKey);
    }

    /// <summary>
    /// From a path secret at <paramref name="filtered"/>[<paramref name="from"/>], derives the secrets and keys of every node
    /// above it, checking each derived public key against the expected one.
    /// </summary>
    public static PathSecrets DeriveUpwards(IReadOnlyList<uint> filtered, int from, byte[] pathSecret, Func<int, byte[]> expectedPublicKey)
    {
        var privateKeys = new Dictionary<uint, byte[]>();
        var secrets = new Dictionary<uint, byte[]>();
        for (var i = from; i < filtered.Count; i++)
        {
            if (i > from)
            {
                pathSecret = NextPathSecret(pathSecret);
            }

            var (privateKey, publicKey) = NodeKeyPair(pathSecret);
            if (!CryptographicOperations.FixedTimeEquals(publicKey, expectedPublicKey(i)))
            {
                throw new MlsVerificationException($"Path secret does not match the public key of node {filtered[i]}.");
            }

            privateKeys[filtered[i]] = privateKey;
            secrets[filtered[i]] = pathSecret;
        }

        return new PathSecrets(NextPathSecret(pathSecret), privateKeys, secrets);
    }

    /// <summary>
    /// Creates fresh path secrets for <paramref name="senderLeaf"/>, merges the public keys into <paramref name="tree"/>
    /// and returns the leaf private key, the parent hash the new leaf must carry and the secrets.
    /// Encryption happens separately (<see cref="EncryptPath"/>) because it needs the tree hash after the new leaf is set.
    /// </summary>
    public static (byte[] LeafPrivateKey, byte[] LeafPublicKey, byte[] LeafParentHash, List<uint> Filtered, PathSecrets Secrets) GeneratePath(RatchetTree tree, uint senderLeaf)
    {
        var leafSecret = RandomNumberGenerator.GetBytes(MlsCipherSuite.HashLength);
        var (leafPrivate, leafPublic) = NodeKeyPair(leafSecret);
        var filtered = tree.FilteredDirectPath(senderLeaf);
        var publicKeys = new List<byte[]>();
        var privateKeys = new Dictionary<uint, byte[]>();
        var secrets = new Dictionary<uint, byte[]>();
        var pathSecret = leafSecret;
        foreach (var node in filtered)
        {
            pathSecret = NextPathSecret(pathSecret);
            var (privateKey, publicKey) = NodeKeyPair(pathSecret);
            publicKeys.Add(publicKey);
            privateKeys[node] = privateKey;
            secrets[node] = pathSecret;
        }

        var leafParentHash = tree.ApplyPath(senderLeaf, publicKeys);
        return (leafPrivate, leafPublic, leafParentHash, filtered, new PathSecrets(NextPathSecret(pathSecret), privateKeys, secrets));
    }

    /// <summary>Encrypts each path secret to the resolution of the copath child, excluding the commit's new members.</summary>
    public static List<UpdatePathNode> EncryptPath(RatchetTree tree, uint senderLeaf, List<uint> filtered, PathSecrets secrets, ReadOnlySpan<byte> provisionalGroupContext, IReadOnlyCollection<uint> newMemberLeaves)
    {
        var senderNode = TreeMath.NodeOfLeaf(senderLeaf);
        var nodes = new List<UpdatePathNode>();
        foreach (var node in filtered)
        {
            var copathChild = RatchetTree.SiblingOnOtherSide(node, senderNode);
            var ciphertexts = new List<HpkeCiphertext>();
            foreach (var target in tree.Resolution(copathChild, newMemberLeaves))
            {
                var (kemOutput, ciphertext) = MlsCipherSuite.EncryptWithLabel(tree.Node(target)!.EncryptionKey, "UpdatePathNode", provisionalGroupContext, secrets.PathSecretsByNode[node]);
                ciphertexts.Add(new HpkeCiphertext(kemOutput, ciphertext));
            }

            nodes.Add(new UpdatePathNode(tree.Parent(node)!.EncryptionKey, ciphertexts));
        }

        return nodes;
    }
}
