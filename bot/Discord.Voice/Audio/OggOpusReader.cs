using System.Buffers.Binary;

namespace DiscordLedgerBot.Voice.Audio;

/// <summary>The identification header of an Ogg Opus stream (RFC 7845 §5.1).</summary>
/// <param name="Channels">Output channel count (1 or 2: mapping family 0, the only one Discord's voice messages use).</param>
/// <param name="PreSkip">48 kHz samples to drop from the start of the decoded output (the encoder's look-ahead).</param>
/// <param name="OutputGainQ8">Gain in dB as Q7.8 fixed point, to apply to every decoded sample.</param>
/// <param name="InputSampleRate">The original rate (informational: Opus always decodes at 48 kHz here).</param>
public sealed record OpusHead(int Channels, int PreSkip, short OutputGainQ8, uint InputSampleRate)
{
    public double OutputGainFactor => Math.Pow(10, OutputGainQ8 / (20.0 * 256.0));
}

/// <summary>An Ogg Opus file split into its audio packets; <see cref="FinalGranule"/> is the last page's 48 kHz granule position.</summary>
public sealed record OggOpusStream(OpusHead Head, IReadOnlyList<ReadOnlyMemory<byte>> Packets, long FinalGranule)
{
    /// <summary>Playable 48 kHz samples: the end granule minus the pre-skip (RFC 7845 §4.5 end trimming).</summary>
    public long PlayableSamples => Math.Max(0, FinalGranule - Head.PreSkip);

    public TimeSpan Duration => TimeSpan.FromSeconds(PlayableSamples / 48_000.0);
}

/// <summary>The file is not an Ogg Opus stream this reader accepts; the message says what is wrong and where.</summary>
public sealed class OggOpusFormatException(string message) : FormatException(message);

/// <summary>
/// A strict reader of single-stream Ogg Opus files (RFC 3533 pages, RFC 7845 Opus mapping) as Discord clients record
/// voice messages: every page's capture pattern, version, CRC and sequence number are checked, packets are reassembled
/// across pages from the lacing values, OpusHead is parsed and OpusTags skipped. Anything else — a chained or
/// multiplexed stream, a missing page, a truncated packet, a header out of place — is refused with a specific error,
/// because a half-decoded request could be misheard as a different one.
/// </summary>
public static class OggOpusReader
{
    private const int PageHeaderSize = 27;
    private const byte Continued = 0x01;
    private const byte BeginningOfStream = 0x02;
    private const byte EndOfStream = 0x04;
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <exception cref="OggOpusFormatException">The bytes are not a well-formed single-stream Ogg Opus file.</exception>
    public static OggOpusStream Read(ReadOnlySpan<byte> file)
    {
        var packets = new List<ReadOnlyMemory<byte>>();
        var pending = new List<byte>();
        var pendingOpen = false;
        OpusHead? head = null;
        var tagsSeen = false;
        uint serial = 0;
        uint expectedSequence = 0;
        long finalGranule = -1;
        var ended = false;
        var offset = 0;
        var pageIndex = 0;
        while (offset < file.Length)
        {
            if (ended)
            {
                throw new OggOpusFormatException($"Data follows the end-of-stream page at byte {offset}: chained Ogg streams are not supported.");
            }

            if (!file[offset..].StartsWith("OggS"u8))
            {
                throw new OggOpusFormatException(pageIndex == 0 ? "Not an Ogg file (no OggS capture pattern at the start)." : $"Lost page sync at byte {offset} (no OggS capture pattern).");
            }

            if (file.Length - offset < PageHeaderSize)
            {
                throw new OggOpusFormatException($"Truncated Ogg page header at byte {offset}.");
            }

            var header = file.Slice(offset, PageHeaderSize);

            if (header[4] != 0)
            {
                throw new OggOpusFormatException($"Ogg page {pageIndex} has stream structure version {header[4]}; only 0 exists.");
            }

            var flags = header[5];
            var granule = BinaryPrimitives.ReadInt64LittleEndian(header[6..]);
            var pageSerial = BinaryPrimitives.ReadUInt32LittleEndian(header[14..]);
            var sequence = BinaryPrimitives.ReadUInt32LittleEndian(header[18..]);
            var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[22..]);
            var segments = header[26];
            if (file.Length - offset - PageHeaderSize < segments)
            {
                throw new OggOpusFormatException($"Truncated segment table in Ogg page {pageIndex}.");
            }

            var lacing = file.Slice(offset + PageHeaderSize, segments);
            var bodyLength = 0;
            foreach (var value in lacing)
            {
                bodyLength += value;
            }

            var pageLength = PageHeaderSize + segments + bodyLength;
            if (file.Length - offset < pageLength)
            {
                throw new OggOpusFormatException($"Ogg page {pageIndex} is truncated: it needs {pageLength} bytes, {file.Length - offset} remain.");
            }

            var page = file.Slice(offset, pageLength);
            if (Crc(page) != storedCrc)
            {
                throw new OggOpusFormatException($"Ogg page {pageIndex} (byte {offset}) fails its CRC check: the file is corrupt.");
            }

            if (pageIndex == 0)
            {
                if ((flags & BeginningOfStream) == 0)
                {
                    throw new OggOpusFormatException("The first Ogg page is not marked beginning-of-stream.");
                }

                serial = pageSerial;
                expectedSequence = sequence;
            }
            else if ((flags & BeginningOfStream) != 0 || pageSerial != serial)
            {
                throw new OggOpusFormatException($"Ogg page {pageIndex} belongs to another logical stream: multiplexed Ogg files are not supported.");
            }

            if (sequence != expectedSequence)
            {
                throw new OggOpusFormatException($"Ogg page {expectedSequence} is missing (page {sequence} follows page {expectedSequence - 1}).");
            }

            expectedSequence++;
            if ((flags & Continued) != 0 != pendingOpen)
            {
                throw new OggOpusFormatException(pendingOpen
                    ? $"Ogg page {pageIndex} does not continue the packet the previous page left open."
                    : $"Ogg page {pageIndex} claims to continue a packet, but none was left open.");
            }

            var body = page[(PageHeaderSize + segments)..];
            var audioBefore = packets.Count;
            var headersBefore = tagsSeen;
            var position = 0;
            var completed = 0;
            foreach (var value in lacing)
            {
                pending.AddRange(body.Slice(position, value));
                position += value;
                pendingOpen = value == 255;
                if (!pendingOpen)
                {
                    var packet = pending.ToArray();
                    pending.Clear();
                    completed++;
                    Accept(packet, pageIndex, ref head, ref tagsSeen, packets);
                }
            }

            if (completed == 0 && granule != -1)
            {
                throw new OggOpusFormatException($"Ogg page {pageIndex} finishes no packet but has granule position {granule} (must be -1).");
            }

            if ((pageIndex == 0 || (tagsSeen && !headersBefore)) && granule != 0)
            {
                throw new OggOpusFormatException($"Opus header page {pageIndex} has granule position {granule} (must be 0).");
            }

            if (tagsSeen && !headersBefore && packets.Count > audioBefore)
            {
                throw new OggOpusFormatException("Audio shares a page with OpusTags; it must start on a fresh page.");
            }

            if (completed > 0 && packets.Count > audioBefore)
            {
                if (granule < finalGranule)
                {
                    throw new OggOpusFormatException($"Ogg page {pageIndex} goes back in time (granule {granule} after {finalGranule}).");
                }

                finalGranule = granule;
            }

            ended = (flags & EndOfStream) != 0;
            offset += pageLength;
            pageIndex++;
        }

        if (head is null)
        {
            throw new OggOpusFormatException(file.IsEmpty ? "The file is empty." : "The Ogg stream has no OpusHead packet: it is not Opus audio.");
        }

        if (pendingOpen)
        {
            throw new OggOpusFormatException("The last Opus packet is cut off: the file is truncated.");
        }

        if (!ended)
        {
            throw new OggOpusFormatException("The Ogg stream has no end-of-stream page: the file is truncated.");
        }

        if (!tagsSeen || packets.Count == 0)
        {
            throw new OggOpusFormatException(tagsSeen ? "The Ogg Opus stream holds no audio." : "The Ogg Opus stream has no OpusTags packet.");
        }

        return new OggOpusStream(head, packets, finalGranule);
    }

    private static void Accept(byte[] packet, int pageIndex, ref OpusHead? head, ref bool tagsSeen, List<ReadOnlyMemory<byte>> packets)
    {
        if (head is null)
        {
            if (pageIndex != 0)
            {
                throw new OggOpusFormatException("The first packet does not end on the first page; OpusHead must be alone there.");
            }

            head = ParseHead(packet);
            return;
        }

        if (pageIndex == 0)
        {
            throw new OggOpusFormatException("The first Ogg page holds more than the OpusHead packet.");
        }

        if (!tagsSeen)
        {
            if (packet.Length < 8 || !packet.AsSpan(0, 8).SequenceEqual("OpusTags"u8))
            {
                throw new OggOpusFormatException("The second Opus packet is not OpusTags.");
            }

            // Comments (encoder, title...) are not needed to decode, and may hold personal data: skipped unread.
            tagsSeen = true;
            return;
        }

        if (packet.Length == 0)
        {
            throw new OggOpusFormatException($"Empty Opus packet {packets.Count} (every Opus packet has at least its TOC byte).");
        }

        packets.Add(packet);
    }

    private static OpusHead ParseHead(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 8 || !packet[..8].SequenceEqual("OpusHead"u8))
        {
            throw new OggOpusFormatException("The Ogg stream does not start with an OpusHead packet: it is not Opus audio.");
        }

        if (packet.Length < 19)
        {
            throw new OggOpusFormatException($"OpusHead is {packet.Length} bytes; it needs at least 19.");
        }

        var version = packet[8];
        if (version >> 4 != 0)
        {
            throw new OggOpusFormatException($"OpusHead version {version} is of an incompatible major version.");
        }

        var channels = packet[9];
        var preSkip = BinaryPrimitives.ReadUInt16LittleEndian(packet[10..]);
        var inputRate = BinaryPrimitives.ReadUInt32LittleEndian(packet[12..]);
        var gain = BinaryPrimitives.ReadInt16LittleEndian(packet[16..]);
        var family = packet[18];
        if (family != 0)
        {
            throw new OggOpusFormatException($"Channel mapping family {family} is not supported (voice messages are mono or stereo, family 0).");
        }

        if (channels is not (1 or 2))
        {
            throw new OggOpusFormatException($"OpusHead says {channels} channels; mapping family 0 allows 1 or 2.");
        }

        return new OpusHead(channels, preSkip, gain, inputRate);
    }

    /// <summary>Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0, over the page with its CRC field zeroed.</summary>
    public static uint Crc(ReadOnlySpan<byte> page)
    {
        var crc = 0u;
        for (var i = 0; i < page.Length; i++)
        {
            var value = i is >= 22 and < 26 ? (byte)0 : page[i];
            crc = (crc << 8) ^ CrcTable[(byte)(crc >> 24) ^ value];
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var r = i << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }

            table[i] = r;
        }

        return table;
    }
}
