namespace DiscordLedgerBot.Testing;

/// <summary>
/// Where every fake clock in the suite starts, so expected timestamps in tests can be written out. Chosen near the
/// project's own time: tokens, snowflakes and the emulators' windows then look like production's, not like year 2000
/// (FakeTimeProvider's default).
/// </summary>
public static class TestTime
{
    public static DateTimeOffset Start { get; } = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);
}
