using System.Security.Cryptography;
using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Messages;

namespace DiscordLedgerBot.Voice.Mls;

/// <summary>
/// Acts as the group's external sender (the DAVE voice gateway, index 0 in external_senders): signs Add and Remove
/// proposals as MLSMessage(PublicMessage). Used by the Discord voice emulator and tests.
/// </summary>
public sealed class MlsExternalSenderSigner
{
    private readonly MlsMember _key;

    private MlsExternalSenderSigner(MlsMember key)
    {
        _key = key;
        Sender = new ExternalSender(key.SignaturePublicKey, key.Identity);
    }

    public ExternalSender Sender { get; }

    public static MlsExternalSenderSigner Create(ReadOnlySpan<byte> identity, RandomNumberGenerator? random = null) =>
        new(MlsMember.Create(identity, random));

    /// <summary>An Add proposal for a (bare) KeyPackage, valid for <paramref name="epoch"/>.</summary>
    public (byte[] Message, ProposalRef Ref) ProposeAdd(byte[] groupId, ulong epoch, ReadOnlySpan<byte> keyPackage)
    {
        var parsed = KeyPackage.Parse(keyPackage);
        parsed.Verify();
        return Propose(groupId, epoch, new AddProposal(parsed));
    }

    public (byte[] Message, ProposalRef Ref) ProposeRemove(byte[] groupId, ulong epoch, uint leafIndex) =>
        Propose(groupId, epoch, new RemoveProposal(leafIndex));

    private (byte[] Message, ProposalRef Ref) Propose(byte[] groupId, ulong epoch, Proposal proposal)
    {
        var content = new FramedContent(groupId, epoch, new Sender(SenderType.External, 0), [], ContentType.Proposal, null, proposal, null);
        var auth = new FramedContentAuthData(ContentAuthentication.Sign(content, null, _key.SignaturePrivateKey), null);
        var message = new PublicMessage(content, auth, null);
        return (new MlsMessage(WireFormat.PublicMessage, message).ToBytes(), new ProposalRef(message.Authenticated.ProposalReference()));
    }
}
