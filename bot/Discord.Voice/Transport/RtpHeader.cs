using System.Buffers.Binary;

namespace DiscordLedgerBot.Voice.Transport;

/// <summary>
/// The clear part of an RTP packet as Discord's <c>*_rtpsize</c> modes send it: the 12-byte header, the CSRCs and, when
/// X is set, only the 4-byte extension preamble (the extension body is encrypted with the payload).
/// </summary>
public readonly record struct RtpHeader(byte PayloadType, ushort Sequence, uint Timestamp, uint Ssrc, int ClearLength, int ExtensionBodyLength)
{
    public const int FixedLength = 12;
    public const byte OpusPayloadType = 0x78;

    /// <summary>Parses the clear header; false for anything that is not RTP version 2 with room for its header (RTCP included).</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < FixedLength || packet[0] >> 6 != 2)
        {
            return false;
        }

        var payloadType = (byte)(packet[1] & 0x7F);

        // RTCP shares the socket; its second byte (200-204) is the packet type, which reads here as M=1 with PT 72-76.
        if (packet[1] is >= 200 and <= 204)
        {
            return false;
        }

        var csrcCount = packet[0] & 0x0F;
        var hasExtension = (packet[0] & 0x10) != 0;
        var clear = FixedLength + (4 * csrcCount) + (hasExtension ? 4 : 0);
        if (packet.Length < clear)
        {
            return false;
        }

        var extensionBody = hasExtension ? 4 * BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(clear - 2, 2)) : 0;
        header = new RtpHeader(
            payloadType,
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[8..]),
            clear,
            extensionBody);
        return true;
    }

    /// <summary>Writes a 12-byte header (V=2, no CSRC, X as asked); with an extension, also its 0xBEDE preamble.</summary>
    public static int Write(Span<byte> destination, ushort sequence, uint timestamp, uint ssrc, int extensionWords = 0)
    {
        destination[0] = (byte)(extensionWords > 0 ? 0x90 : 0x80);
        destination[1] = OpusPayloadType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        if (extensionWords == 0)
        {
            return FixedLength;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], 0xBEDE);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)extensionWords);
        return FixedLength + 4;
    }
}
