namespace DiscordLedgerBot.Voice.Dave;

/// <summary>Unsigned LEB128, as DAVE writes the truncated nonce and the unencrypted ranges of a protocol frame.</summary>
public static class Uleb128
{
    /// <summary>The longest encoding of a 64-bit value.</summary>
    public const int MaxBytes = 10;

    public static int GetByteCount(ulong value)
    {
        var count = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            count++;
        }

        return count;
    }

    /// <summary>Writes <paramref name="value"/>; the destination must hold <see cref="GetByteCount"/> bytes.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        var count = GetByteCount(value);
        if (destination.Length < count)
        {
            throw new ArgumentException($"ULEB128 of {value} needs {count} bytes, the destination has {destination.Length}.", nameof(destination));
        }

        for (var i = 0; i < count - 1; i++)
        {
            destination[i] = (byte)(0x80 | (value & 0x7F));
            value >>= 7;
        }

        destination[count - 1] = (byte)value;
        return count;
    }

    /// <summary>
    /// Reads one value that must fit in <paramref name="maxValue"/>. False (never an exception) when the input
    /// ends mid-value, when it runs longer than <see cref="MaxBytes"/>, or when the value overflows the bound.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, ulong maxValue, out ulong value, out int bytesRead)
    {
        value = 0;
        bytesRead = 0;
        var shift = 0;
        for (var i = 0; i < source.Length && i < MaxBytes; i++)
        {
            ulong chunk = (byte)(source[i] & 0x7F);
            if (shift == 63 && chunk > 1)
            {
                return false;
            }

            value |= chunk << shift;
            if ((source[i] & 0x80) == 0)
            {
                bytesRead = i + 1;
                return value <= maxValue;
            }

            shift += 7;
        }

        value = 0;
        return false;
    }
}
