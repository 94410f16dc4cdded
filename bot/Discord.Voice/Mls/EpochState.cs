using DiscordLedgerBot.Voice.Mls.Messages;
using DiscordLedgerBot.Voice.Mls.Schedule;
using DiscordLedgerBot.Voice.Mls.Tree;

namespace DiscordLedgerBot.Voice.Mls;

/// <summary>Everything a member knows in one epoch. Immutable once built; a commit produces a new instance.</summary>
/// <param name="PrivateKeys">Node index → (HPKE private key, matching public key) for nodes this member holds.</param>
internal sealed record EpochState(
    GroupContext Context,
    RatchetTree Tree,
    EpochSecrets Secrets,
    byte[] InterimTranscriptHash,
    uint OwnLeaf,
    IReadOnlyDictionary<uint, (byte[] PrivateKey, byte[] PublicKey)> PrivateKeys)
{
    /// <summary>Keeps only the private keys whose node in <paramref name="tree"/> still carries the matching public key.</summary>
    public static Dictionary<uint, (byte[] PrivateKey, byte[] PublicKey)> StillValidKeys(
        IReadOnlyDictionary<uint, (byte[] PrivateKey, byte[] PublicKey)> keys, RatchetTree tree)
    {
        var kept = new Dictionary<uint, (byte[] PrivateKey, byte[] PublicKey)>();
        foreach (var (node, pair) in keys)
        {
            if (node < TreeMath.NodeWidth(tree.LeafCount) && tree.Node(node) is { } current && current.EncryptionKey.AsSpan().SequenceEqual(pair.PublicKey))
            {
                kept[node] = pair;
            }
        }

        return kept;
    }

    public List<ExternalSender> ExternalSenders()
    {
        var extension = Context.Extensions.FirstOrDefault(e => e.Type == ExtensionType.ExternalSenders);
        return extension is null ? [] : ExternalSender.DecodeExtension(extension.Data);
    }
}
