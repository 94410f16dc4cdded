using System.Buffers.Binary;
using System.Text;

namespace DiscordLedgerBot.Voice.Transport;

/// <summary>UDP IP discovery (74 bytes, big-endian): <c>u16 type | u16 length=70 | u32 ssrc | 64-byte address | u16 port</c>.</summary>
public static class IpDiscovery
{
    public const int PacketLength = 74;
    private const ushort Request = 1;
    private const ushort Response = 2;

    public static byte[] CreateRequest(uint ssrc)
    {
        var packet = new byte[PacketLength];
        BinaryPrimitives.WriteUInt16BigEndian(packet, Request);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 70);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        return packet;
    }

    public static byte[] CreateResponse(uint ssrc, string address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(address);
        var packet = new byte[PacketLength];
        BinaryPrimitives.WriteUInt16BigEndian(packet, Response);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 70);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        Encoding.ASCII.GetBytes(address, packet.AsSpan(8, 63));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(72), port);
        return packet;
    }

    public static bool TryParseRequest(ReadOnlySpan<byte> packet, out uint ssrc)
    {
        ssrc = 0;
        if (packet.Length != PacketLength || BinaryPrimitives.ReadUInt16BigEndian(packet) != Request)
        {
            return false;
        }

        ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        return true;
    }

    public static bool TryParseResponse(ReadOnlySpan<byte> packet, uint expectedSsrc, out string address, out ushort port)
    {
        address = string.Empty;
        port = 0;
        if (packet.Length != PacketLength || BinaryPrimitives.ReadUInt16BigEndian(packet) != Response
            || BinaryPrimitives.ReadUInt32BigEndian(packet[4..]) != expectedSsrc)
        {
            return false;
        }

        var field = packet.Slice(8, 64);
        var end = field.IndexOf((byte)0);
        address = Encoding.ASCII.GetString(end < 0 ? field : field[..end]);
        port = BinaryPrimitives.ReadUInt16BigEndian(packet[72..]);
        return address.Length > 0;
    }
}
