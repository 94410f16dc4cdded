using System.Globalization;
using System.Text;
using DiscordLedgerBot.Core.Redis;

namespace DiscordLedgerBot.Storage.Tests.Redis;

public class RespParserTests
{
    [Theory]
    [InlineData("+OK\r\n", "SimpleString(OK)")]
    [InlineData("-ERR boom\r\n", "Error(ERR boom)")]
    [InlineData(":-42\r\n", "Integer(-42)")]
    [InlineData("$5\r\nhe\r\no\r\n", "BulkString(he\r\no)")]
    [InlineData("$0\r\n\r\n", "BulkString()")]
    [InlineData("$-1\r\n", "Null")]
    [InlineData("*-1\r\n", "Null")]
    [InlineData("_\r\n", "Null")]
    [InlineData("#t\r\n", "Boolean(1)")]
    [InlineData(",1.5\r\n", "Double(1.5)")]
    [InlineData(",-inf\r\n", "Double(-∞)")]
    [InlineData("(3492890328409238509324850943850943825024385\r\n", "BigNumber(3492890328409238509324850943850943825024385)")]
    [InlineData("=15\r\ntxt:Some string\r\n", "VerbatimString(Some string)")]
    [InlineData("!9\r\nSYNTAX xx\r\n", "Error(SYNTAX xx)")]
    [InlineData("*2\r\n:1\r\n$1\r\na\r\n", "Array[2]")]
    [InlineData("%1\r\n+k\r\n:1\r\n", "Map[2]")]
    [InlineData("~0\r\n", "Set[0]")]
    [InlineData("|1\r\n+ttl\r\n:3\r\n:7\r\n", "Integer(7)")]
    public void Parses_each_frame_type(string frame, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(frame);
        Assert.True(RespParser.TryParse(bytes, out var reply, out var consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(expected, reply!.ToString().Replace("Infinity", "∞", StringComparison.Ordinal));
    }

    [Fact]
    public void Hgetall_reads_the_same_as_resp3_map_or_resp2_array()
    {
        Assert.True(RespParser.TryParse("%2\r\n+a\r\n$1\r\n1\r\n+b\r\n_\r\n"u8, out var map, out _));
        Assert.True(RespParser.TryParse("*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$-1\r\n"u8, out var array, out _));
        Assert.Equal(map!.AsDictionary(), array!.AsDictionary());
    }

    [Theory]
    [InlineData("?5\r\n")]
    [InlineData(":12a\r\n")]
    [InlineData(":\r\n")]
    [InlineData(":+1\r\n")]
    [InlineData("$-2\r\n")]
    [InlineData("$3\r\nabcd\r\n")]
    [InlineData("$x\r\n")]
    [InlineData("*-5\r\n")]
    [InlineData("%-1\r\n")]
    [InlineData("#x\r\n")]
    [InlineData("_x\r\n")]
    [InlineData(",abc\r\n")]
    [InlineData("(12z\r\n")]
    [InlineData("=2\r\nab\r\n")]
    [InlineData("*?\r\n")]
    [InlineData("+a\rb\r\n")]
    [InlineData("$99999999999\r\n")]
    public void Malformed_frames_raise_a_protocol_error(string frame) =>
        Assert.Throws<RedisProtocolException>(() => RespParser.TryParse(Encoding.UTF8.GetBytes(frame), out _, out _));

    [Fact]
    public void A_line_that_never_ends_is_rejected_instead_of_waited_for()
    {
        var endless = Encoding.ASCII.GetBytes("+" + new string('a', 70_000));
        Assert.Throws<RedisProtocolException>(() => RespParser.TryParse(endless, out _, out _));
    }

    [Fact]
    public void Absurd_nesting_is_rejected()
    {
        var deep = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n", 200)) + ":1\r\n");
        Assert.Throws<RedisProtocolException>(() => RespParser.TryParse(deep, out _, out _));
    }

    [Fact]
    public void Random_valid_frames_parse_only_when_complete_at_every_split_point()
    {
        var random = new Random(1234);
        for (var i = 0; i < 300; i++)
        {
            var (bytes, expected) = RandomFrame(random, depth: 0);
            for (var cut = 0; cut < bytes.Length; cut++)
            {
                Assert.False(RespParser.TryParse(bytes.AsSpan(0, cut), out _, out _), $"frame {i} parsed from {cut} of {bytes.Length} bytes");
            }

            Assert.True(RespParser.TryParse(bytes, out var reply, out var consumed));
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(expected, Render(reply!));
        }
    }

    [Fact]
    public void A_stream_of_random_frames_fed_in_random_chunks_yields_every_frame_in_order()
    {
        var random = new Random(99);
        var frames = Enumerable.Range(0, 400).Select(_ => RandomFrame(random, depth: 0)).ToList();
        var stream = frames.SelectMany(f => f.Bytes).ToArray();
        var received = new List<string>();
        var buffer = new List<byte>();
        var offset = 0;
        while (offset < stream.Length)
        {
            var chunk = Math.Min(random.Next(1, 40), stream.Length - offset);
            buffer.AddRange(stream.AsSpan(offset, chunk).ToArray());
            offset += chunk;
            while (RespParser.TryParse(buffer.ToArray(), out var reply, out var consumed))
            {
                received.Add(Render(reply!));
                buffer.RemoveRange(0, consumed);
            }
        }

        Assert.Empty(buffer);
        Assert.Equal(frames.Select(f => f.Expected), received);
    }

    [Fact]
    public void Random_garbage_only_ever_parses_waits_or_raises_a_protocol_error()
    {
        var random = new Random(7);
        var alphabet = "+-:$*%~>_#,(=!|\r\n0123456789-abc?"u8.ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(1, 40)];
            for (var j = 0; j < bytes.Length; j++)
            {
                bytes[j] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            try
            {
                if (RespParser.TryParse(bytes, out _, out var consumed))
                {
                    Assert.InRange(consumed, 1, bytes.Length);
                }
            }
            catch (RedisProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Mutating_valid_frames_never_escapes_as_anything_but_a_protocol_error()
    {
        var random = new Random(4321);
        for (var i = 0; i < 3000; i++)
        {
            var (bytes, _) = RandomFrame(random, depth: 0);
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            try
            {
                RespParser.TryParse(bytes, out _, out _);
            }
            catch (RedisProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Commands_are_written_as_arrays_of_bulk_strings()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        RespWriter.WriteCommand(buffer, new RedisCommand("SET", "k", "v\r\n", 12));
        Assert.Equal("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n$2\r\n12\r\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Command_text_never_shows_arguments()
    {
        var command = new RedisCommand("AUTH", "alice", "s3cret");
        Assert.DoesNotContain("s3cret", command.ToString(), StringComparison.Ordinal);
    }

    private static (byte[] Bytes, string Expected) RandomFrame(Random random, int depth)
    {
        var choice = random.Next(depth >= 3 ? 11 : 15);
        string text;
        switch (choice)
        {
            case 0:
                text = RandomText(random, allowCrLf: false);
                return (Ascii($"+{text}\r\n"), $"S:{text}");
            case 1:
                text = RandomText(random, allowCrLf: false);
                return (Ascii($"-ERR {text}\r\n"), $"E:ERR {text}");
            case 2:
                var number = random.NextInt64(long.MinValue, long.MaxValue);
                return (Ascii($":{number.ToString(CultureInfo.InvariantCulture)}\r\n"), $"I:{number.ToString(CultureInfo.InvariantCulture)}");
            case 3:
                var payload = new byte[random.Next(0, 300)];
                random.NextBytes(payload);
                return ([.. Ascii($"${payload.Length}\r\n"), .. payload, .. "\r\n"u8], $"B:{Convert.ToHexString(payload)}");
            case 4:
                return (Ascii(random.Next(3) switch { 0 => "$-1\r\n", 1 => "*-1\r\n", _ => "_\r\n" }), "N");
            case 5:
                var flag = random.Next(2) == 0;
                return (Ascii(flag ? "#t\r\n" : "#f\r\n"), $"T:{flag}");
            case 6:
                var d = Math.Round(random.NextDouble() * 1e6, 3);
                return (Ascii($",{d.ToString("R", CultureInfo.InvariantCulture)}\r\n"), $"D:{d.ToString("R", CultureInfo.InvariantCulture)}");
            case 7:
                var digits = string.Concat(Enumerable.Range(0, random.Next(1, 60)).Select(_ => (char)('0' + random.Next(10))));
                return (Ascii($"({digits}\r\n"), $"G:{digits}");
            case 8:
                text = RandomText(random, allowCrLf: true);
                return (Ascii($"={text.Length + 4}\r\ntxt:{text}\r\n"), $"V:{text}");
            case 9:
                text = RandomText(random, allowCrLf: true);
                return (Ascii($"!{text.Length}\r\n{text}\r\n"), $"E:{text}");
            case 10:
                text = RandomText(random, allowCrLf: false);
                var (inner, innerExpected) = RandomFrame(random, depth + 1);
                return ([.. Ascii($"|1\r\n+{text}\r\n:1\r\n"), .. inner], innerExpected);
            default:
                var (type, kind, pairs) = (choice - 11) switch
                {
                    0 => ('*', "A", 1),
                    1 => ('~', "Set", 1),
                    2 => ('%', "M", 2),
                    _ => ('>', "P", 1),
                };
                var count = random.Next(0, 5);
                var children = Enumerable.Range(0, count * pairs).Select(_ => RandomFrame(random, depth + 1)).ToList();
                return ([.. Ascii($"{type}{count}\r\n"), .. children.SelectMany(c => c.Bytes)], $"{kind}[{string.Join(",", children.Select(c => c.Expected))}]");
        }
    }

    private static string Render(RedisReply reply) => reply.Kind switch
    {
        RedisReplyKind.SimpleString => $"S:{reply.AsString()}",
        RedisReplyKind.Error => $"E:{reply.AsString()}",
        RedisReplyKind.Integer => $"I:{reply.AsInt64().ToString(CultureInfo.InvariantCulture)}",
        RedisReplyKind.BulkString => $"B:{Convert.ToHexString(reply.AsBytes()!)}",
        RedisReplyKind.Null => "N",
        RedisReplyKind.Boolean => $"T:{reply.AsInt64() == 1}",
        RedisReplyKind.Double => $"D:{reply.AsDouble().ToString("R", CultureInfo.InvariantCulture)}",
        RedisReplyKind.BigNumber => $"G:{reply.AsString()}",
        RedisReplyKind.VerbatimString => $"V:{reply.AsString()}",
        RedisReplyKind.Array => $"A[{string.Join(",", reply.Items.Select(Render))}]",
        RedisReplyKind.Set => $"Set[{string.Join(",", reply.Items.Select(Render))}]",
        RedisReplyKind.Map => $"M[{string.Join(",", reply.Items.Select(Render))}]",
        _ => $"P[{string.Join(",", reply.Items.Select(Render))}]",
    };

    private static string RandomText(Random random, bool allowCrLf)
    {
        const string Plain = "abcdefghijklmnopqrstuvwxyz0123456789 :_-";
        var length = random.Next(0, 30);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = allowCrLf && random.Next(8) == 0 ? (random.Next(2) == 0 ? '\r' : '\n') : Plain[random.Next(Plain.Length)];
        }

        return new string(chars);
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
