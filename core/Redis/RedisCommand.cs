using System.Globalization;
using System.Text;

namespace DiscordLedgerBot.Core.Redis;

/// <summary>One argument of a command, kept as the bytes that go on the wire.</summary>
public readonly struct RedisArgument
{
    public RedisArgument(ReadOnlyMemory<byte> bytes) => Bytes = bytes;

    public ReadOnlyMemory<byte> Bytes { get; }

    public static implicit operator RedisArgument(string value) => new(Encoding.UTF8.GetBytes(value));

    public static implicit operator RedisArgument(byte[] value) => new(value);

    public static implicit operator RedisArgument(long value) => new(Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));

    public static implicit operator RedisArgument(int value) => (long)value;

    public static RedisArgument FromString(string value) => value;

    public static RedisArgument FromInt64(long value) => value;

    public static RedisArgument FromBytes(byte[] value) => value;

    public static RedisArgument FromMemory(ReadOnlyMemory<byte> value) => new(value);
}

/// <summary>
/// A command name and its arguments. <see cref="ToString"/> shows only the name and argument count, because
/// arguments can carry secrets (AUTH, HELLO) or user payloads that must not reach logs.
/// </summary>
public sealed class RedisCommand
{
    public RedisCommand(string name, params RedisArgument[] arguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Arguments = arguments;
    }

    public string Name { get; }

    public IReadOnlyList<RedisArgument> Arguments { get; }

    public override string ToString() => $"{Name} ({Arguments.Count} args)";
}
