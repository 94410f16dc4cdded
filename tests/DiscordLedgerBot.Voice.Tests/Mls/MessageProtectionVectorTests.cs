using System.Text.Json;
using DiscordLedgerBot.Voice.Mls;
using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Messages;
using DiscordLedgerBot.Voice.Mls.Tree;

namespace DiscordLedgerBot.Voice.Tests.Mls;

/// <summary>message-protection.json: PublicMessage (what DAVE uses) and PrivateMessage protect/unprotect.</summary>
public class MessageProtectionVectorTests
{
    private static readonly JsonElement[] Cases = MlsVectors.Suite2("message-protection.json");

    [Theory]
    [InlineData("proposal")]
    [InlineData("commit")]
    public void Vector_public_message_verifies_and_carries_the_expected_content(string kind) => MlsVectors.ForEachCase(Cases, c =>
    {
        var context = Context(c);
        var message = MlsMessage.Parse(c.Hex(kind + "_pub")).AsPublic;
        ContentAuthentication.VerifySignature(message.Content, message.Auth, context, c.Hex("signature_pub"));
        ContentAuthentication.VerifyMembershipTag(c.Hex("membership_key"), message, context);
        Assert.Equal(c.Hex(kind), Body(message.Content));
    });

    [Theory]
    [InlineData("proposal")]
    [InlineData("commit")]
    public void Own_public_message_round_trips_and_tampering_is_detected(string kind) => MlsVectors.ForEachCase(Cases, c =>
    {
        var context = Context(c);
        var template = MlsMessage.Parse(c.Hex(kind + "_pub")).AsPublic;
        var content = template.Content with { AuthenticatedData = [7, 7] };
        var signature = ContentAuthentication.Sign(content, context, c.Hex("signature_priv"));
        var auth = new FramedContentAuthData(signature, template.Auth.ConfirmationTag);
        var tag = ContentAuthentication.MembershipTag(c.Hex("membership_key"), content, auth, context);
        var bytes = new MlsMessage(WireFormat.PublicMessage, new PublicMessage(content, auth, tag)).ToBytes();

        var parsed = MlsMessage.Parse(bytes).AsPublic;
        ContentAuthentication.VerifySignature(parsed.Content, parsed.Auth, context, c.Hex("signature_pub"));
        ContentAuthentication.VerifyMembershipTag(c.Hex("membership_key"), parsed, context);

        var tampered = parsed with { Content = parsed.Content with { AuthenticatedData = [7, 8] } };
        Assert.Throws<MlsVerificationException>(() => ContentAuthentication.VerifySignature(tampered.Content, tampered.Auth, context, c.Hex("signature_pub")));
        Assert.Throws<MlsVerificationException>(() => ContentAuthentication.VerifyMembershipTag(c.Hex("membership_key"), tampered, context));
    });

    [Theory]
    [InlineData("proposal")]
    [InlineData("commit")]
    [InlineData("application")]
    public void Vector_private_message_decrypts_verifies_and_round_trips(string kind) => MlsVectors.ForEachCase(Cases, c =>
    {
        var context = Context(c);
        var secretTree = new SecretTree(c.Hex("encryption_secret"), VectorLeafCount);
        var message = (PrivateMessage)MlsMessage.Parse(c.Hex(kind + "_priv")).Body;
        var (content, auth, _) = PrivateMessageProtection.Unprotect(message, secretTree, c.Hex("sender_data_secret"));
        PrivateMessageProtection.VerifySignature(content, auth, context, c.Hex("signature_pub"));
        Assert.Equal(c.Hex(kind), kind == "application" ? content.ApplicationData : Body(content));

        var ownAuth = auth with { Signature = PrivateMessageProtection.Sign(content, context, c.Hex("signature_priv")) };
        var protectedMessage = PrivateMessageProtection.Protect(content, ownAuth, secretTree, c.Hex("sender_data_secret"), 3);
        var reparsed = (PrivateMessage)MlsMessage.Parse(new MlsMessage(WireFormat.PrivateMessage, protectedMessage).ToBytes()).Body;
        var (roundTripped, roundTrippedAuth, generation) = PrivateMessageProtection.Unprotect(reparsed, secretTree, c.Hex("sender_data_secret"));
        Assert.Equal(3u, generation);
        PrivateMessageProtection.VerifySignature(roundTripped, roundTrippedAuth, context, c.Hex("signature_pub"));

        var tampered = reparsed with { Ciphertext = [.. reparsed.Ciphertext[..^1], (byte)(reparsed.Ciphertext[^1] ^ 1)] };
        Assert.Throws<MlsVerificationException>(() => PrivateMessageProtection.Unprotect(tampered, secretTree, c.Hex("sender_data_secret")));
    });

    // The vectors' messages come from leaf 1 of a two-member group.
    private const uint VectorLeafCount = 2;

    private static GroupContext Context(JsonElement c) =>
        GroupContext.Create(c.Hex("group_id"), c.GetProperty("epoch").GetUInt64(), c.Hex("tree_hash"), c.Hex("confirmed_transcript_hash"), []);

    private static byte[] Body(FramedContent content) => content.ContentType == ContentType.Proposal
        ? TlsWriter.Encode(content.Proposal!.Encode)
        : TlsWriter.Encode(content.Commit!.Encode);
}
