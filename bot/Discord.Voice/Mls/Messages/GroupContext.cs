using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Crypto;

namespace DiscordLedgerBot.Voice.Mls.Messages;

/// <summary>RFC 9420 §8.1 GroupContext.</summary>
internal sealed record GroupContext(
    ushort Version,
    ushort CipherSuite,
    byte[] GroupId,
    ulong Epoch,
    byte[] TreeHash,
    byte[] ConfirmedTranscriptHash,
    IReadOnlyList<Extension> Extensions)
{
    public static GroupContext Create(byte[] groupId, ulong epoch, byte[] treeHash, byte[] confirmedTranscriptHash, IReadOnlyList<Extension> extensions) =>
        new(MlsCipherSuite.ProtocolVersion, MlsCipherSuite.Id, groupId, epoch, treeHash, confirmedTranscriptHash, extensions);

    public static GroupContext Decode(ref TlsReader reader) =>
        new(reader.ReadU16(), reader.ReadU16(), reader.ReadOpaque(), reader.ReadU64(), reader.ReadOpaque(), reader.ReadOpaque(), Extension.DecodeList(ref reader));

    public byte[] ToBytes() => TlsWriter.Encode(Encode);

    public void Encode(TlsWriter writer)
    {
        writer.WriteU16(Version);
        writer.WriteU16(CipherSuite);
        writer.WriteOpaque(GroupId);
        writer.WriteU64(Epoch);
        writer.WriteOpaque(TreeHash);
        writer.WriteOpaque(ConfirmedTranscriptHash);
        Extension.EncodeList(writer, Extensions);
    }
}
