using System.Buffers.Binary;

namespace DiscordLedgerBot.Voice.Mls.Codec;

/// <summary>
/// Bounds-checked reader for the TLS presentation language as profiled by RFC 9420 §2.1.2
/// (big-endian integers, variable-length vectors with a 1/2/4-byte varint length prefix).
/// Every read past the end throws <see cref="MlsDecodeException"/>.
/// </summary>
internal ref struct TlsReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public TlsReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly bool IsAtEnd => _position == _data.Length;

    public readonly int Position => _position;

    public byte ReadU8() => Take(1)[0];

    public ushort ReadU16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public uint ReadU32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public ulong ReadU64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    /// <summary>Reads an RFC 9420 §2.1.2 varint; non-minimal encodings and the reserved 0b11 prefix are rejected.</summary>
    public int ReadVarint()
    {
        var first = ReadU8();
        var prefix = first >> 6;
        switch (prefix)
        {
            case 0:
                return first;
            case 1:
                {
                    var value = ((first & 0x3F) << 8) | ReadU8();
                    return value < 0x40 ? throw new MlsDecodeException("Non-minimal 2-byte varint.") : value;
                }

            case 2:
                {
                    var rest = Take(3);
                    var value = ((first & 0x3F) << 24) | (rest[0] << 16) | (rest[1] << 8) | rest[2];
                    return value < 0x4000 ? throw new MlsDecodeException("Non-minimal 4-byte varint.") : value;
                }

            default:
                throw new MlsDecodeException("Varint with reserved length prefix 0b11.");
        }
    }

    /// <summary>Reads <c>opaque data&lt;V&gt;</c> and returns a view of its content.</summary>
    public ReadOnlySpan<byte> ReadVectorSpan() => Take(ReadVarint());

    public byte[] ReadOpaque() => ReadVectorSpan().ToArray();

    /// <summary>Reads a vector header and returns a reader restricted to the vector's content.</summary>
    public TlsReader ReadVector() => new(ReadVectorSpan());

    /// <summary>Reads the presence byte of <c>optional&lt;T&gt;</c>.</summary>
    public bool ReadOptionalPresent() => ReadU8() switch
    {
        0 => false,
        1 => true,
        var other => throw new MlsDecodeException($"Invalid optional presence byte {other}."),
    };

    public readonly void EnsureEnd(string what)
    {
        if (!IsAtEnd)
        {
            throw new MlsDecodeException($"{_data.Length - _position} trailing byte(s) after {what}.");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _data.Length - _position < count)
        {
            throw new MlsDecodeException($"Truncated input: needed {count} byte(s) at offset {_position}, {_data.Length - _position} left.");
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
