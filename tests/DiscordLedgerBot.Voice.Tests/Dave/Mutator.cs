namespace DiscordLedgerBot.Voice.Tests.Dave;

/// <summary>
/// Deterministic AFL-style mutations of valid inputs (a fixed seed replays a failure exactly): bit flips, interesting
/// bytes, insertions, deletions, truncation, duplicated chunks, splices with another sample and plausible DAVE
/// trailers, so parsers see inputs that get past their first checks instead of only random noise.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFA, 0x0B, 0x0C, 0x40, 0xC0];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]>? splicePool = null)
    {
        var data = new List<byte>(input);
        for (var rounds = _random.Next(1, 4); rounds > 0; rounds--)
        {
            switch (_random.Next(9))
            {
                case 0 when data.Count > 0:
                    data[_random.Next(data.Count)] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[_random.Next(data.Count)] = Interesting[_random.Next(Interesting.Length)];
                    break;
                case 2:
                    data.Insert(_random.Next(data.Count + 1), Interesting[_random.Next(Interesting.Length)]);
                    break;
                case 3 when data.Count > 0:
                    data.RemoveAt(_random.Next(data.Count));
                    break;
                case 4 when data.Count > 0:
                    {
                        var keep = _random.Next(data.Count);
                        data.RemoveRange(keep, data.Count - keep);
                        break;
                    }

                case 5 when data.Count > 1:
                    {
                        var start = _random.Next(data.Count);
                        var length = _random.Next(1, Math.Min(32, data.Count - start) + 1);
                        data.InsertRange(_random.Next(data.Count + 1), data.GetRange(start, length));
                        break;
                    }

                case 6 when splicePool is { Count: > 0 }:
                    {
                        var other = splicePool[_random.Next(splicePool.Count)];
                        var cut = _random.Next(data.Count + 1);
                        data.RemoveRange(cut, data.Count - cut);
                        data.AddRange(other.Skip(_random.Next(other.Length + 1)));
                        break;
                    }

                case 7 when data.Count >= 3:
                    // A plausible DAVE trailer, so the nonce/range parsers run on the bytes before it.
                    data[^1] = 0xFA;
                    data[^2] = 0xFA;
                    data[^3] = (byte)_random.Next(0, Math.Min(256, data.Count + 2));
                    break;
                default:
                    {
                        var word = _random.Next(4) switch { 0 => 0u, 1 => uint.MaxValue, 2 => 0x7FFFFFFFu, _ => (uint)_random.Next() };
                        if (data.Count >= 4)
                        {
                            var at = _random.Next(data.Count - 3);
                            for (var i = 0; i < 4; i++)
                            {
                                data[at + i] = (byte)(word >> (8 * (3 - i)));
                            }
                        }

                        break;
                    }
            }
        }

        return [.. data];
    }

    public byte[] RandomBytes(int maxLength)
    {
        var bytes = new byte[_random.Next(0, maxLength + 1)];
        _random.NextBytes(bytes);
        return bytes;
    }
}
