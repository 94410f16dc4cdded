using System.Buffers.Binary;

namespace DiscordLedgerBot.Voice.Dave;

/// <summary>
/// The MLS variable-length integer (RFC 9420 section 2.1.2) used for vector length prefixes in DAVE binary
/// opcodes: the top two bits of the first byte select a 1, 2 or 4-byte big-endian encoding.
/// </summary>
internal static class MlsVarint
{
    public const int MaxValue = (1 << 30) - 1;

    public static int Size(int value) => value switch
    {
        < 0 => throw new ArgumentOutOfRangeException(nameof(value)),
        < 1 << 6 => 1,
        < 1 << 14 => 2,
        <= MaxValue => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    public static int Write(Span<byte> destination, int value)
    {
        switch (Size(value))
        {
            case 1:
                destination[0] = (byte)value;
                return 1;
            case 2:
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(0x4000 | value));
                return 2;
            default:
                BinaryPrimitives.WriteUInt32BigEndian(destination, 0x8000_0000u | (uint)value);
                return 4;
        }
    }

    /// <summary>Reads a length prefix; false when truncated, when the 0b11 prefix is used, or when not minimally encoded.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        value = 0;
        bytesRead = 0;
        if (source.IsEmpty)
        {
            return false;
        }

        switch (source[0] >> 6)
        {
            case 0:
                value = source[0];
                bytesRead = 1;
                return true;
            case 1 when source.Length >= 2:
                value = BinaryPrimitives.ReadUInt16BigEndian(source) & 0x3FFF;
                bytesRead = 2;
                return value >= 1 << 6;
            case 2 when source.Length >= 4:
                value = (int)(BinaryPrimitives.ReadUInt32BigEndian(source) & 0x3FFF_FFFF);
                bytesRead = 4;
                return value >= 1 << 14;
            default:
                return false;
        }
    }

    /// <summary>Reads an <c>opaque data&lt;V&gt;</c>: a varint length then that many bytes, bounds-checked.</summary>
    public static bool TryReadVector(ReadOnlySpan<byte> source, out ReadOnlySpan<byte> vector, out int bytesRead)
    {
        vector = default;
        bytesRead = 0;
        if (!TryRead(source, out var length, out var prefix) || length > source.Length - prefix)
        {
            return false;
        }

        vector = source.Slice(prefix, length);
        bytesRead = prefix + length;
        return true;
    }
}
