using Microsoft.Extensions.Time.Testing;

namespace DiscordLedgerBot.Testing;

/// <summary>
/// Microsoft's <see cref="FakeTimeProvider"/>, plus a count of the timers created on it. A test that must move the
/// clock exactly when the code under test starts waiting (a deferral threshold) waits with <see cref="Eventually"/>
/// for this count to rise; moving the clock earlier would only make the code start its wait later.
/// </summary>
public sealed class TimerCountingFakeTimeProvider : FakeTimeProvider
{
    private int _timersCreated;

    public TimerCountingFakeTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);

        // Counted only once armed, so a test seeing the count can move the clock past the timer's due time.
        Interlocked.Increment(ref _timersCreated);
        return timer;
    }
}
