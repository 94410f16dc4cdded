using System.Security.Cryptography;
using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Tree;

namespace DiscordLedgerBot.Voice.Mls.Messages;

/// <summary>
/// PrivateMessage protect/unprotect (RFC 9420 §6.3): sender data encrypted under the sender-data secret, content
/// encrypted with the sender's handshake/application ratchet key, nonce XORed with the reuse guard.
/// DAVE sends handshakes as PublicMessage, so groups do not use this; it completes the vector-proven MLS subset.
/// </summary>
internal static class PrivateMessageProtection
{
    private const int ReuseGuardLength = 4;

    public static PrivateMessage Protect(FramedContent content, FramedContentAuthData auth, SecretTree secretTree, ReadOnlySpan<byte> senderDataSecret, uint generation)
    {
        if (content.Sender.Type != SenderType.Member)
        {
            throw new MlsException("Only members send PrivateMessages.");
        }

        var reuseGuard = RandomNumberGenerator.GetBytes(ReuseGuardLength);
        var (key, nonce) = secretTree.KeyAndNonce(content.Sender.Index, RatchetFor(content.ContentType), generation);
        ApplyReuseGuard(nonce, reuseGuard);
        var plaintext = TlsWriter.Encode(w =>
        {
            EncodeBodyWithoutType(w, content);
            auth.Encode(w);
        });
        var ciphertext = MlsCipherSuite.AeadEncrypt(key, nonce, ContentAad(content.GroupId, content.Epoch, content.ContentType, content.AuthenticatedData), plaintext);

        var senderData = TlsWriter.Encode(w =>
        {
            w.WriteU32(content.Sender.Index);
            w.WriteU32(generation);
            w.WriteRaw(reuseGuard);
        });
        var (senderKey, senderNonce) = SecretTree.SenderDataKeyAndNonce(senderDataSecret, ciphertext);
        var encryptedSenderData = MlsCipherSuite.AeadEncrypt(senderKey, senderNonce, SenderDataAad(content.GroupId, content.Epoch, content.ContentType), senderData);
        return new PrivateMessage(content.GroupId, content.Epoch, content.ContentType, content.AuthenticatedData, encryptedSenderData, ciphertext);
    }

    /// <summary>Decrypts and parses the content; the caller verifies the signature (FramedContentTBS with wire format 2).</summary>
    public static (FramedContent Content, FramedContentAuthData Auth, uint Generation) Unprotect(PrivateMessage message, SecretTree secretTree, ReadOnlySpan<byte> senderDataSecret)
    {
        var (senderKey, senderNonce) = SecretTree.SenderDataKeyAndNonce(senderDataSecret, message.Ciphertext);
        var senderData = new TlsReader(MlsCipherSuite.AeadDecrypt(senderKey, senderNonce, SenderDataAad(message.GroupId, message.Epoch, message.ContentType), message.EncryptedSenderData));
        var leaf = senderData.ReadU32();
        var generation = senderData.ReadU32();
        var reuseGuard = new byte[ReuseGuardLength];
        for (var i = 0; i < ReuseGuardLength; i++)
        {
            reuseGuard[i] = senderData.ReadU8();
        }

        senderData.EnsureEnd("SenderData");
        var (key, nonce) = secretTree.KeyAndNonce(leaf, RatchetFor(message.ContentType), generation);
        ApplyReuseGuard(nonce, reuseGuard);
        var plaintext = MlsCipherSuite.AeadDecrypt(key, nonce, ContentAad(message.GroupId, message.Epoch, message.ContentType, message.AuthenticatedData), message.Ciphertext);

        var reader = new TlsReader(plaintext);
        var sender = new Sender(SenderType.Member, leaf);
        var content = message.ContentType switch
        {
            ContentType.Application => new FramedContent(message.GroupId, message.Epoch, sender, message.AuthenticatedData, ContentType.Application, reader.ReadOpaque(), null, null),
            ContentType.Proposal => new FramedContent(message.GroupId, message.Epoch, sender, message.AuthenticatedData, ContentType.Proposal, null, Proposal.Decode(ref reader), null),
            _ => new FramedContent(message.GroupId, message.Epoch, sender, message.AuthenticatedData, ContentType.Commit, null, null, Commit.Decode(ref reader)),
        };
        var auth = FramedContentAuthData.Decode(ref reader, message.ContentType);
        while (!reader.IsAtEnd)
        {
            if (reader.ReadU8() != 0)
            {
                throw new MlsDecodeException("PrivateMessage padding must be all zero bytes.");
            }
        }

        return (content, auth, generation);
    }

    public static void VerifySignature(FramedContent content, FramedContentAuthData auth, GroupContext context, ReadOnlySpan<byte> signaturePublicKey) =>
        MlsCipherSuite.VerifyWithLabelOrThrow(signaturePublicKey, "FramedContentTBS", content.ToBeSigned(WireFormat.PrivateMessage, context), auth.Signature);

    public static byte[] Sign(FramedContent content, GroupContext context, ReadOnlySpan<byte> signaturePrivateKey) =>
        MlsCipherSuite.SignWithLabel(signaturePrivateKey, "FramedContentTBS", content.ToBeSigned(WireFormat.PrivateMessage, context));

    private static SecretTree.RatchetKind RatchetFor(ContentType type) =>
        type == ContentType.Application ? SecretTree.RatchetKind.Application : SecretTree.RatchetKind.Handshake;

    private static void ApplyReuseGuard(byte[] nonce, byte[] reuseGuard)
    {
        for (var i = 0; i < ReuseGuardLength; i++)
        {
            nonce[i] ^= reuseGuard[i];
        }
    }

    private static void EncodeBodyWithoutType(TlsWriter writer, FramedContent content)
    {
        switch (content.ContentType)
        {
            case ContentType.Application:
                writer.WriteOpaque(content.ApplicationData!);
                break;
            case ContentType.Proposal:
                content.Proposal!.Encode(writer);
                break;
            default:
                content.Commit!.Encode(writer);
                break;
        }
    }

    private static byte[] SenderDataAad(byte[] groupId, ulong epoch, ContentType type) => TlsWriter.Encode(w =>
    {
        w.WriteOpaque(groupId);
        w.WriteU64(epoch);
        w.WriteU8((byte)type);
    });

    private static byte[] ContentAad(byte[] groupId, ulong epoch, ContentType type, byte[] authenticatedData) => TlsWriter.Encode(w =>
    {
        w.WriteOpaque(groupId);
        w.WriteU64(epoch);
        w.WriteU8((byte)type);
        w.WriteOpaque(authenticatedData);
    });
}
