using System.Buffers.Text;
using System.Globalization;

namespace DiscordLedgerBot.Core.Redis;

/// <summary>
/// Parses one RESP2/RESP3 frame from the start of a buffer. Returns false while the frame is incomplete (the caller
/// reads more and retries); throws <see cref="RedisProtocolException"/> as soon as the bytes cannot be valid RESP,
/// so a malformed stream never leaves a caller waiting for data that will not make sense.
/// Streamed aggregates (RESP3 "?" lengths) are rejected: Redis never sends them.
/// </summary>
public static class RespParser
{
    /// <summary>Redis' own proto-max-bulk-len default.</summary>
    public const int MaxBulkLength = 512 * 1024 * 1024;

    /// <summary>Deeper nesting than this is treated as hostile input rather than recursed into.</summary>
    public const int MaxDepth = 64;

    private const int MaxAggregateLength = 1 << 24;

    // Header lines (type byte + length/number/simple string) longer than this, without CRLF, are not RESP we accept.
    private const int MaxLineLength = 64 * 1024;

    public static bool TryParse(ReadOnlySpan<byte> buffer, out RedisReply? reply, out int consumed)
    {
        var position = 0;
        reply = ParseValue(buffer, ref position, 0);
        consumed = reply is null ? 0 : position;
        return reply is not null;
    }

    private static RedisReply? ParseValue(ReadOnlySpan<byte> buffer, ref int position, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new RedisProtocolException($"RESP nesting deeper than {MaxDepth} levels.");
        }

        if (position >= buffer.Length)
        {
            return null;
        }

        var start = position;
        var type = buffer[position];
        if (!TryReadLine(buffer, position + 1, out var line, out var afterLine))
        {
            return null;
        }

        position = afterLine;
        switch (type)
        {
            case (byte)'+':
                return RedisReply.SimpleString(line.ToArray());
            case (byte)'-':
                return RedisReply.Error(line.ToArray());
            case (byte)':':
                return RedisReply.Integer(ParseInteger(line, start));
            case (byte)'(':
                ValidateBigNumber(line, start);
                return RedisReply.BigNumber(line.ToArray());
            case (byte)',':
                return RedisReply.Double(ParseDouble(line, start));
            case (byte)'#':
                return line.Length == 1 && line[0] is (byte)'t' or (byte)'f'
                    ? RedisReply.Boolean(line[0] == (byte)'t')
                    : throw Malformed(start, "boolean must be 't' or 'f'");
            case (byte)'_':
                return line.Length == 0 ? RedisReply.Nil : throw Malformed(start, "null frame must be empty");
            case (byte)'$':
            case (byte)'!':
            case (byte)'=':
                return ParseBlob(buffer, ref position, type, ParseLength(line, start, MaxBulkLength), start);
            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
                return ParseAggregate(buffer, ref position, type, ParseLength(line, start, MaxAggregateLength), 1, depth, start);
            case (byte)'%':
                return ParseAggregate(buffer, ref position, type, ParseLength(line, start, MaxAggregateLength), 2, depth, start);
            case (byte)'|':
                // An attribute is metadata about the value that follows; we have no use for it, so skip it.
                if (ParseAggregate(buffer, ref position, type, ParseLength(line, start, MaxAggregateLength), 2, depth, start) is null)
                {
                    return null;
                }

                return ParseValue(buffer, ref position, depth + 1);
            default:
                throw Malformed(start, $"unknown type byte 0x{type:X2}");
        }
    }

    private static RedisReply? ParseBlob(ReadOnlySpan<byte> buffer, ref int position, byte type, long length, int start)
    {
        if (length < 0)
        {
            return type == (byte)'$' ? RedisReply.Nil : throw Malformed(start, "only bulk strings may have length -1");
        }

        var needed = (long)position + length + 2;
        if (needed > buffer.Length)
        {
            return null;
        }

        var end = position + (int)length;
        if (buffer[end] != (byte)'\r' || buffer[end + 1] != (byte)'\n')
        {
            throw Malformed(start, "blob is not followed by CRLF");
        }

        var payload = buffer[position..end].ToArray();
        position = end + 2;
        switch (type)
        {
            case (byte)'!':
                return RedisReply.Error(payload);
            case (byte)'=':
                if (payload.Length < 4 || payload[3] != (byte)':')
                {
                    throw Malformed(start, "verbatim string lacks its 3-letter format prefix");
                }

                return RedisReply.Verbatim(payload);
            default:
                return RedisReply.Bulk(payload);
        }
    }

    private static RedisReply? ParseAggregate(ReadOnlySpan<byte> buffer, ref int position, byte type, long count, int itemsPerEntry, int depth, int start)
    {
        if (count < 0)
        {
            return type == (byte)'*' ? RedisReply.Nil : throw Malformed(start, "only arrays may have length -1");
        }

        var items = new RedisReply[count * itemsPerEntry];
        for (var i = 0; i < items.Length; i++)
        {
            var item = ParseValue(buffer, ref position, depth + 1);
            if (item is null)
            {
                return null;
            }

            items[i] = item;
        }

        var kind = type switch
        {
            (byte)'~' => RedisReplyKind.Set,
            (byte)'>' => RedisReplyKind.Push,
            (byte)'%' or (byte)'|' => RedisReplyKind.Map,
            _ => RedisReplyKind.Array,
        };
        return RedisReply.Aggregate(kind, items);
    }

    private static bool TryReadLine(ReadOnlySpan<byte> buffer, int from, out ReadOnlySpan<byte> line, out int afterLine)
    {
        var rest = buffer[from..];
        var crlf = rest.IndexOf("\r\n"u8);
        if (crlf < 0)
        {
            if (rest.Length > MaxLineLength)
            {
                throw Malformed(from - 1, $"no CRLF within {MaxLineLength} bytes");
            }

            line = default;
            afterLine = 0;
            return false;
        }

        line = rest[..crlf];
        if (line.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
        {
            throw Malformed(from - 1, "bare CR or LF inside a line");
        }

        afterLine = from + crlf + 2;
        return true;
    }

    private static long ParseInteger(ReadOnlySpan<byte> line, int start)
    {
        if (line.Length == 0 || line[0] == (byte)'+' || !Utf8Parser.TryParse(line, out long value, out var used) || used != line.Length)
        {
            throw Malformed(start, "invalid integer");
        }

        return value;
    }

    private static long ParseLength(ReadOnlySpan<byte> line, int start, long max)
    {
        if (line.Length == 1 && line[0] == (byte)'?')
        {
            throw Malformed(start, "streamed (unknown-length) frames are not supported");
        }

        var length = ParseInteger(line, start);
        if (length < -1 || length > max)
        {
            throw Malformed(start, $"length {length} outside [-1, {max}]");
        }

        return length;
    }

    private static double ParseDouble(ReadOnlySpan<byte> line, int start)
    {
        var text = System.Text.Encoding.ASCII.GetString(line);
        switch (text)
        {
            case "inf":
                return double.PositiveInfinity;
            case "-inf":
                return double.NegativeInfinity;
            case "nan":
                return double.NaN;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && line[0] != (byte)' ' && line[^1] != (byte)' '
            ? value
            : throw Malformed(start, "invalid double");
    }

    private static void ValidateBigNumber(ReadOnlySpan<byte> line, int start)
    {
        var digits = line.Length > 0 && line[0] == (byte)'-' ? line[1..] : line;
        if (digits.Length == 0 || digits.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            throw Malformed(start, "invalid big number");
        }
    }

    private static RedisProtocolException Malformed(int offset, string reason) =>
        new($"Malformed RESP frame at byte {offset}: {reason}.");
}
