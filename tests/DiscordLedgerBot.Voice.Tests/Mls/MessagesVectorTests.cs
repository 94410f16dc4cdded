using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Messages;

namespace DiscordLedgerBot.Voice.Tests.Mls;

/// <summary>messages.json is serialization-only, so every case (all ciphersuites) must decode and re-encode byte-exactly.</summary>
public class MessagesVectorTests
{
    private static readonly System.Text.Json.JsonElement[] Cases = MlsVectors.All("messages.json");

    public static TheoryData<string> Fields() =>
    [
        "mls_welcome", "mls_group_info", "mls_key_package", "ratchet_tree", "group_secrets", "add_proposal", "update_proposal",
        "remove_proposal", "pre_shared_key_proposal", "re_init_proposal", "external_init_proposal", "group_context_extensions_proposal",
        "commit", "public_message_application", "public_message_proposal", "public_message_commit", "private_message",
    ];

    [Theory]
    [MemberData(nameof(Fields))]
    public void Every_structure_round_trips_byte_exactly(string field) => MlsVectors.ForEachCase(Cases, c =>
    {
        var bytes = c.Hex(field);
        Assert.Equal(bytes, RoundTrip(field, bytes));
    });

    private static byte[] RoundTrip(string field, byte[] bytes) => field switch
    {
        "mls_welcome" or "mls_group_info" or "mls_key_package" or "public_message_application" or "public_message_proposal"
            or "public_message_commit" or "private_message" => MlsMessage.Parse(bytes).ToBytes(),
        "ratchet_tree" => TreeNode.EncodeRatchetTree(TreeNode.DecodeRatchetTree(bytes)),
        "group_secrets" => GroupSecrets.Parse(bytes).ToBytes(),
        "add_proposal" => Body(bytes, ProposalType.Add),
        "update_proposal" => Body(bytes, ProposalType.Update),
        "remove_proposal" => Body(bytes, ProposalType.Remove),
        "pre_shared_key_proposal" => Body(bytes, ProposalType.PreSharedKey),
        "re_init_proposal" => Body(bytes, ProposalType.ReInit),
        "external_init_proposal" => Body(bytes, ProposalType.ExternalInit),
        "group_context_extensions_proposal" => Body(bytes, ProposalType.GroupContextExtensions),
        "commit" => TlsWriter.Encode(Decode(bytes, (ref TlsReader r) => Commit.Decode(ref r)).Encode),
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    /// <summary>The vectors hold proposal bodies without the type; prefix it, decode as a Proposal, re-encode the body.</summary>
    private static byte[] Body(byte[] bytes, ushort type)
    {
        byte[] framed = [(byte)(type >> 8), (byte)type, .. bytes];
        var proposal = Decode(framed, (ref TlsReader r) => Proposal.Decode(ref r));
        Assert.Equal(type, proposal.Type);
        return TlsWriter.Encode(proposal.EncodeBody);
    }

    private delegate T Decoder<out T>(ref TlsReader reader);

    private static T Decode<T>(byte[] bytes, Decoder<T> decode)
    {
        var reader = new TlsReader(bytes);
        var value = decode(ref reader);
        reader.EnsureEnd(typeof(T).Name);
        return value;
    }
}
