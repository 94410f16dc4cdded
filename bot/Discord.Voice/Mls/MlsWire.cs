using DiscordLedgerBot.Voice.Mls.Codec;
using DiscordLedgerBot.Voice.Mls.Messages;

namespace DiscordLedgerBot.Voice.Mls;

/// <summary>Wire helpers for protocols that embed MLS data (DAVE opcodes 25–30).</summary>
public static class MlsWire
{
    /// <summary>Prefixes <paramref name="content"/> with its MLS varint length (<c>opaque&lt;V&gt;</c>).</summary>
    public static byte[] EncodeVector(ReadOnlySpan<byte> content)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(content);
        return writer.ToArray();
    }

    /// <summary>Reads one <c>opaque&lt;V&gt;</c> at the start of <paramref name="data"/>.</summary>
    public static byte[] DecodeVector(ReadOnlySpan<byte> data, out int bytesConsumed)
    {
        var reader = new TlsReader(data);
        var content = reader.ReadOpaque();
        bytesConsumed = reader.Position;
        return content;
    }

    /// <summary>Length of the MLSMessage at the start of <paramref name="data"/> (e.g. the commit in opcode 28, before the Welcome).</summary>
    public static int MlsMessageLength(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        MlsMessage.Decode(ref reader);
        return reader.Position;
    }

    /// <summary>Splits concatenated MLSMessages (the content of DAVE's <c>MLSMessage proposal_messages&lt;V&gt;</c>).</summary>
    public static IReadOnlyList<byte[]> SplitMlsMessages(ReadOnlySpan<byte> data)
    {
        var messages = new List<byte[]>();
        while (!data.IsEmpty)
        {
            var length = MlsMessageLength(data);
            messages.Add(data[..length].ToArray());
            data = data[length..];
        }

        return messages;
    }

    /// <summary>Encodes <c>ProposalRef refs&lt;V&gt;</c> content (each ref is itself <c>opaque&lt;V&gt;</c>), as in opcode 27 revoke.</summary>
    public static byte[] EncodeProposalRefs(IEnumerable<ProposalRef> refs) => TlsWriter.Encode(w => w.WriteVector(refs, (x, r) => x.WriteOpaque(r.Value)));

    /// <summary>Decodes a <c>ProposalRef refs&lt;V&gt;</c> vector (with its length prefix).</summary>
    public static IReadOnlyList<ProposalRef> DecodeProposalRefs(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        var vector = reader.ReadVector();
        reader.EnsureEnd("proposal refs");
        var refs = new List<ProposalRef>();
        while (!vector.IsAtEnd)
        {
            refs.Add(new ProposalRef(vector.ReadVectorSpan()));
        }

        return refs;
    }
}
