using System.Buffers;
using System.Buffers.Text;

namespace DiscordLedgerBot.Core.Redis;

/// <summary>Encodes commands the only way clients send them: an array of bulk strings.</summary>
public static class RespWriter
{
    public static void WriteCommand(IBufferWriter<byte> output, RedisCommand command)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(command);
        WriteHeader(output, (byte)'*', command.Arguments.Count + 1);
        WriteBulk(output, System.Text.Encoding.UTF8.GetBytes(command.Name));
        foreach (var argument in command.Arguments)
        {
            WriteBulk(output, argument.Bytes.Span);
        }
    }

    private static void WriteBulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        WriteHeader(output, (byte)'$', value.Length);
        output.Write(value);
        output.Write("\r\n"u8);
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte type, int length)
    {
        var span = output.GetSpan(16);
        span[0] = type;
        Utf8Formatter.TryFormat(length, span[1..], out var written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        output.Advance(3 + written);
    }
}
