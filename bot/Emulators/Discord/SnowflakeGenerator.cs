using System.Globalization;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// Discord snowflakes: milliseconds since the Discord epoch (2015-01-01) in the top 42 bits, then a 5-bit worker id,
/// a 5-bit process id and a 12-bit increment. Generated ids take their time from the emulator's TimeProvider and
/// worker <see cref="GeneratedWorker"/>; the emulator's fixed ids (<see cref="Fixture"/>) use worker
/// <see cref="FixtureWorker"/> and a 2016 timestamp, so the two can never collide, whatever the clock says.
/// </summary>
public sealed class SnowflakeGenerator(TimeProvider timeProvider)
{
    public const int FixtureWorker = 0;
    public const int GeneratedWorker = 1;

    public static readonly DateTimeOffset DiscordEpoch = new(2015, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset FixtureTime = new(2016, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private long _lastMilliseconds = -1;
    private int _increment;

    /// <summary>A fixed id (guilds, channels, users of the emulated world): unique per <paramref name="index"/> (0-4095).</summary>
    public static string Fixture(int index) => Compose(FixtureTime, FixtureWorker, 0, index).ToString(CultureInfo.InvariantCulture);

    public static ulong Compose(DateTimeOffset at, int worker, int process, int increment)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(increment);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(increment, 4095);
        var milliseconds = (ulong)Math.Max(0, (at - DiscordEpoch).Ticks / TimeSpan.TicksPerMillisecond);
        return (milliseconds << 22) | ((uint)(worker & 31) << 17) | ((uint)(process & 31) << 12) | (uint)increment;
    }

    public static DateTimeOffset TimestampOf(ulong snowflake) => DiscordEpoch.AddMilliseconds(snowflake >> 22);

    public static int WorkerOf(ulong snowflake) => (int)((snowflake >> 17) & 31);

    /// <summary>
    /// The next id: strictly increasing. Within one millisecond the increment counts up; when 4096 ids were taken in the
    /// same millisecond (or the clock stands still, as a fake one does) the timestamp borrows from the next millisecond.
    /// </summary>
    public string Next()
    {
        var now = Math.Max(0, (timeProvider.GetUtcNow() - DiscordEpoch).Ticks / TimeSpan.TicksPerMillisecond);
        lock (_gate)
        {
            if (now > _lastMilliseconds)
            {
                _lastMilliseconds = now;
                _increment = 0;
            }
            else if (++_increment > 4095)
            {
                _lastMilliseconds++;
                _increment = 0;
            }

            var id = ((ulong)_lastMilliseconds << 22) | (GeneratedWorker << 17) | (uint)_increment;
            return id.ToString(CultureInfo.InvariantCulture);
        }
    }
}
