using DiscordLedgerBot.Voice.Mls.Crypto;

namespace DiscordLedgerBot.Voice.Mls.Messages;

/// <summary>Signing and membership-tag rules for PublicMessage content (RFC 9420 §6.1–§6.2).</summary>
internal static class ContentAuthentication
{
    public static byte[] Sign(FramedContent content, GroupContext? context, ReadOnlySpan<byte> signaturePrivateKey) =>
        MlsCipherSuite.SignWithLabel(signaturePrivateKey, "FramedContentTBS", content.ToBeSigned(WireFormat.PublicMessage, context));

    public static void VerifySignature(FramedContent content, FramedContentAuthData auth, GroupContext? context, ReadOnlySpan<byte> signaturePublicKey) =>
        MlsCipherSuite.VerifyWithLabelOrThrow(signaturePublicKey, "FramedContentTBS", content.ToBeSigned(WireFormat.PublicMessage, context), auth.Signature);

    public static byte[] MembershipTag(ReadOnlySpan<byte> membershipKey, FramedContent content, FramedContentAuthData auth, GroupContext context) =>
        MlsCipherSuite.Mac(membershipKey, PublicMessage.MembershipTagInput(content, auth, context));

    public static void VerifyMembershipTag(ReadOnlySpan<byte> membershipKey, PublicMessage message, GroupContext context)
    {
        if (message.MembershipTag is null || !MlsCipherSuite.VerifyMac(membershipKey, PublicMessage.MembershipTagInput(message.Content, message.Auth, context), message.MembershipTag))
        {
            throw new MlsVerificationException("Invalid membership tag.");
        }
    }
}
