using System.Globalization;
using System.Text;

namespace DiscordLedgerBot.Core.Redis;

/// <summary>The RESP2/RESP3 frame types a reply can take.</summary>
public enum RedisReplyKind
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
    Null,
    Double,
    Boolean,
    BigNumber,
    VerbatimString,
    Map,
    Set,
    Push,
}

/// <summary>
/// One parsed reply. RESP2 and RESP3 shapes are kept distinct (a RESP3 map stays a <see cref="RedisReplyKind.Map"/>),
/// while the accessors smooth the differences callers should not care about (e.g. HGETALL as map or flat array).
/// </summary>
public sealed class RedisReply
{
    private static readonly RedisReply[] NoItems = [];

    private readonly byte[]? _bytes;
    private readonly long _integer;
    private readonly double _double;
    private readonly RedisReply[] _items;

    private RedisReply(RedisReplyKind kind, byte[]? bytes = null, long integer = 0, double number = 0, RedisReply[]? items = null)
    {
        Kind = kind;
        _bytes = bytes;
        _integer = integer;
        _double = number;
        _items = items ?? NoItems;
    }

    public static RedisReply Nil { get; } = new(RedisReplyKind.Null);

    public RedisReplyKind Kind { get; }

    public bool IsNull => Kind == RedisReplyKind.Null;

    public bool IsError => Kind == RedisReplyKind.Error;

    /// <summary>Elements of an array, set or push; for a map, keys and values alternate (k1, v1, k2, v2…).</summary>
    public IReadOnlyList<RedisReply> Items => _items;

    public static RedisReply SimpleString(byte[] text) => new(RedisReplyKind.SimpleString, text);

    public static RedisReply Error(byte[] text) => new(RedisReplyKind.Error, text);

    public static RedisReply Integer(long value) => new(RedisReplyKind.Integer, integer: value);

    public static RedisReply Bulk(byte[] value) => new(RedisReplyKind.BulkString, value);

    public static RedisReply Verbatim(byte[] value) => new(RedisReplyKind.VerbatimString, value);

    public static RedisReply BigNumber(byte[] digits) => new(RedisReplyKind.BigNumber, digits);

    public static RedisReply Double(double value) => new(RedisReplyKind.Double, number: value);

    public static RedisReply Boolean(bool value) => new(RedisReplyKind.Boolean, integer: value ? 1 : 0);

    public static RedisReply Aggregate(RedisReplyKind kind, RedisReply[] items)
    {
        if (kind is not (RedisReplyKind.Array or RedisReplyKind.Map or RedisReplyKind.Set or RedisReplyKind.Push))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only aggregate kinds hold items.");
        }

        return new RedisReply(kind, items: items);
    }

    /// <summary>The raw bytes of a string-like reply (simple, bulk, verbatim without its format prefix, error, big number); null for Null.</summary>
    public byte[]? AsBytes() => Kind switch
    {
        RedisReplyKind.Null => null,
        RedisReplyKind.VerbatimString => _bytes!.Length >= 4 ? _bytes[4..] : _bytes,
        RedisReplyKind.SimpleString or RedisReplyKind.BulkString or RedisReplyKind.Error or RedisReplyKind.BigNumber => _bytes,
        _ => Encoding.UTF8.GetBytes(AsString()!),
    };

    /// <summary>The reply as text; null for Null. Throws for aggregates, which have no single text.</summary>
    public string? AsString() => Kind switch
    {
        RedisReplyKind.Null => null,
        RedisReplyKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        RedisReplyKind.Boolean => _integer == 1 ? "1" : "0",
        RedisReplyKind.Double => _double.ToString("R", CultureInfo.InvariantCulture),
        RedisReplyKind.Array or RedisReplyKind.Map or RedisReplyKind.Set or RedisReplyKind.Push =>
            throw new InvalidCastException($"A {Kind} reply has no single text value."),
        _ => Encoding.UTF8.GetString(AsBytes()!),
    };

    /// <summary>The reply as an integer: integers, booleans, and strings holding an integer (as Lua and INCR results may be).</summary>
    public long AsInt64()
    {
        switch (Kind)
        {
            case RedisReplyKind.Integer:
            case RedisReplyKind.Boolean:
                return _integer;
            case RedisReplyKind.SimpleString:
            case RedisReplyKind.BulkString:
            case RedisReplyKind.BigNumber:
                if (long.TryParse(AsString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed;
                }

                break;
        }

        throw new InvalidCastException($"A {Kind} reply is not an integer.");
    }

    public double AsDouble() => Kind == RedisReplyKind.Double
        ? _double
        : double.Parse(AsString() ?? throw new InvalidCastException("A Null reply is not a number."), CultureInfo.InvariantCulture);

    /// <summary>Field/value pairs from a RESP3 map or a RESP2 flat array (HGETALL, CONFIG GET, HELLO…).</summary>
    public IReadOnlyDictionary<string, string?> AsDictionary()
    {
        if (Kind == RedisReplyKind.Null)
        {
            return new Dictionary<string, string?>();
        }

        if (Kind is not (RedisReplyKind.Map or RedisReplyKind.Array) || _items.Length % 2 != 0)
        {
            throw new InvalidCastException($"A {Kind} reply with {_items.Length} items is not a list of field/value pairs.");
        }

        var result = new Dictionary<string, string?>(_items.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i < _items.Length; i += 2)
        {
            var value = _items[i + 1];
            result[_items[i].AsString() ?? string.Empty] = value.Kind is RedisReplyKind.Array or RedisReplyKind.Map or RedisReplyKind.Set
                ? null
                : value.AsString();
        }

        return result;
    }

    public override string ToString() => Kind switch
    {
        RedisReplyKind.Array or RedisReplyKind.Map or RedisReplyKind.Set or RedisReplyKind.Push => $"{Kind}[{_items.Length}]",
        RedisReplyKind.Null => "Null",
        _ => $"{Kind}({AsString()})",
    };
}
