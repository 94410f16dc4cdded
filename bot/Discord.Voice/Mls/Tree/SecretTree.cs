using DiscordLedgerBot.Voice.Mls.Crypto;

namespace DiscordLedgerBot.Voice.Mls.Tree;

/// <summary>
/// RFC 9420 §9 secret tree: per-leaf handshake/application hash ratchets derived from the encryption secret.
/// Secrets are derived on demand from the root (only needed for PrivateMessage, which DAVE does not use).
/// </summary>
internal sealed class SecretTree(byte[] encryptionSecret, uint leafCount)
{
    public enum RatchetKind
    {
        Handshake,
        Application,
    }

    public byte[] LeafSecret(uint leafIndex)
    {
        if (leafIndex >= leafCount)
        {
            throw new MlsException($"Leaf {leafIndex} is outside a tree of {leafCount} leaves.");
        }

        var target = TreeMath.NodeOfLeaf(leafIndex);
        var node = TreeMath.Root(leafCount);
        var secret = encryptionSecret;
        while (node != target)
        {
            var goLeft = target < node;
            secret = MlsCipherSuite.ExpandWithLabel(secret, "tree", goLeft ? "left"u8 : "right"u8, MlsCipherSuite.HashLength);
            node = goLeft ? TreeMath.Left(node) : TreeMath.Right(node);
        }

        return secret;
    }

    /// <summary>Key and nonce of a ratchet at a generation (derived forward from generation 0).</summary>
    public (byte[] Key, byte[] Nonce) KeyAndNonce(uint leafIndex, RatchetKind kind, uint generation)
    {
        var secret = MlsCipherSuite.ExpandWithLabel(LeafSecret(leafIndex), kind == RatchetKind.Handshake ? "handshake" : "application", [], MlsCipherSuite.HashLength);
        for (uint g = 0; g < generation; g++)
        {
            secret = MlsCipherSuite.DeriveTreeSecret(secret, "secret", g, MlsCipherSuite.HashLength);
        }

        return (MlsCipherSuite.DeriveTreeSecret(secret, "key", generation, MlsCipherSuite.AeadKeyLength),
            MlsCipherSuite.DeriveTreeSecret(secret, "nonce", generation, MlsCipherSuite.AeadNonceLength));
    }

    /// <summary>sender_data key/nonce from the first Nh bytes of the ciphertext (RFC 9420 §6.3.2).</summary>
    public static (byte[] Key, byte[] Nonce) SenderDataKeyAndNonce(ReadOnlySpan<byte> senderDataSecret, ReadOnlySpan<byte> ciphertext)
    {
        var sample = ciphertext[..Math.Min(ciphertext.Length, MlsCipherSuite.HashLength)];
        return (MlsCipherSuite.ExpandWithLabel(senderDataSecret, "key", sample, MlsCipherSuite.AeadKeyLength),
            MlsCipherSuite.ExpandWithLabel(senderDataSecret, "nonce", sample, MlsCipherSuite.AeadNonceLength));
    }
}
