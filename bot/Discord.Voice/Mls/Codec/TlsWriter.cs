using System.Buffers;
using System.Buffers.Binary;

namespace DiscordLedgerBot.Voice.Mls.Codec;

/// <summary>Writer for the TLS presentation language with MLS varint-prefixed vectors (RFC 9420 §2.1.2).</summary>
internal sealed class TlsWriter
{
    /// <summary>Largest length a 4-byte MLS varint can carry.</summary>
    public const int MaxVectorLength = 0x3FFFFFFF;

    private readonly ArrayBufferWriter<byte> _buffer = new();

    public static byte[] Encode(Action<TlsWriter> write)
    {
        var writer = new TlsWriter();
        write(writer);
        return writer.ToArray();
    }

    public void WriteU8(byte value) => _buffer.Write([value]);

    public void WriteU16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void WriteU32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    public void WriteU64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), value);

    public void WriteVarint(int value)
    {
        switch (value)
        {
            case < 0 or > MaxVectorLength:
                throw new MlsException($"Vector length {value} cannot be encoded as an MLS varint.");
            case < 0x40:
                WriteU8((byte)value);
                break;
            case < 0x4000:
                WriteU16((ushort)(0x4000 | value));
                break;
            default:
                WriteU32(0x80000000u | (uint)value);
                break;
        }
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    /// <summary>Writes <c>opaque data&lt;V&gt;</c>.</summary>
    public void WriteOpaque(ReadOnlySpan<byte> bytes)
    {
        WriteVarint(bytes.Length);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a vector whose content is produced by <paramref name="content"/>.</summary>
    public void WriteVector(Action<TlsWriter> content) => WriteOpaque(Encode(content));

    public void WriteVector<T>(IEnumerable<T> items, Action<TlsWriter, T> writeItem)
    {
        var inner = new TlsWriter();
        foreach (var item in items)
        {
            writeItem(inner, item);
        }

        WriteOpaque(inner._buffer.WrittenSpan);
    }

    public void WriteOptional<T>(T? value, Action<TlsWriter, T> writeValue)
        where T : class
    {
        if (value is null)
        {
            WriteU8(0);
        }
        else
        {
            WriteU8(1);
            writeValue(this, value);
        }
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private Span<byte> Reserve(int count)
    {
        var span = _buffer.GetSpan(count)[..count];
        _buffer.Advance(count);
        return span;
    }
}
