using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiscordLedgerBot.Core.Storage;

/// <summary>
/// On-disk layout shared by the journal and the snapshot.
/// File header (16 bytes): 4-byte magic ("DLBJ" journal, "DLBS" snapshot), u16 format version, u16 reserved (0),
/// u64 generation. Then frames: u32 payload length, u32 CRC-32 of the payload, payload (UTF-8 JSON of one change
/// set), all little-endian. A snapshot holds exactly one frame.
/// </summary>
internal static class JournalFormat
{
    public const int HeaderLength = 16;
    public const int FrameHeaderLength = 8;
    public const ushort Version = 1;
    public const int MaxJournalFrameLength = 64 * 1024 * 1024;
    public const int MaxSnapshotFrameLength = int.MaxValue - 64;

    public static readonly byte[] JournalMagic = "DLBJ"u8.ToArray();
    public static readonly byte[] SnapshotMagic = "DLBS"u8.ToArray();

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Header(byte[] magic, long generation)
    {
        var header = new byte[HeaderLength];
        magic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), Version);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), generation);
        return header;
    }

    /// <summary>Reads and checks a header; returns the generation.</summary>
    public static long ReadHeader(ReadOnlySpan<byte> bytes, byte[] magic, string path)
    {
        if (bytes.Length < HeaderLength || !bytes[..4].SequenceEqual(magic))
        {
            throw new StorageCorruptedException($"'{path}' does not start with a valid {System.Text.Encoding.ASCII.GetString(magic)} header; refusing to start.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        if (version != Version)
        {
            throw new StorageCorruptedException($"'{path}' has format version {version}; this build reads version {Version}.");
        }

        return BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
    }

    public static byte[] Frame(StorageChangeSet changes)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(changes, Json);
        var frame = new byte[FrameHeaderLength + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32.Compute(payload));
        payload.CopyTo(frame, FrameHeaderLength);
        return frame;
    }

    /// <summary>Checks the frame at <paramref name="offset"/>: its payload when whole and its CRC matches, else null.</summary>
    public static ReadOnlyMemory<byte>? TryReadFrame(ReadOnlyMemory<byte> file, int offset, int maxLength)
    {
        var span = file.Span;
        if (span.Length - offset < FrameHeaderLength)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
        if (length <= 0 || length > maxLength || (long)offset + FrameHeaderLength + length > span.Length)
        {
            return null;
        }

        var payload = file.Slice(offset + FrameHeaderLength, length);
        return Crc32.Compute(payload.Span) == BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 4)..]) ? payload : null;
    }

    public static StorageChangeSet? Deserialize(ReadOnlySpan<byte> payload)
    {
        try
        {
            return JsonSerializer.Deserialize<StorageChangeSet>(payload, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
