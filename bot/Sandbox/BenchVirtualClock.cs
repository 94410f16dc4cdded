namespace DiscordLedgerBot.Sandbox;

/// <summary>
/// A clock for <c>bot bench</c> that skips idle waits: time stands still while work happens and jumps straight to the
/// next timer when the benchmark says it is idle (no request in flight). A 1,000,000-points/minute budget then costs
/// seconds of wall time instead of ten minutes, while every component (client pacing, Polly waits, the emulator's
/// windows) still sees exactly the minutes pass that it would in production.
/// </summary>
internal sealed class BenchVirtualClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private readonly DateTimeOffset _start = start;
    private TimeSpan _elapsed;

    public TimeSpan Elapsed
    {
        get
        {
            lock (_gate)
            {
                return _elapsed;
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _start + _elapsed;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Elapsed.Ticks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Until cancelled: whenever <paramref name="isIdle"/> holds and a timer is due within <paramref name="horizon"/>,
    /// moves time to it and fires it. Longer timers (attempt timeouts) never fire early.
    /// </summary>
    public async Task DriveAsync(Func<bool> isIdle, TimeSpan horizon, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            VirtualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.DueAt is not null).MinBy(t => t.DueAt);
                var now = _start + _elapsed;
                if (next is null || next.DueAt!.Value - now > horizon || !isIdle())
                {
                    continue;
                }

                if (next.DueAt.Value > now)
                {
                    _elapsed = next.DueAt.Value - _start;
                }

                next.Rearm();
            }

            next.Fire();
        }
    }

    private sealed class VirtualTimer(BenchVirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset? DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                if (!clock._timers.Contains(this))
                {
                    clock._timers.Add(this);
                }

                _period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock._start + clock._elapsed + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            }

            return true;
        }

        // Under the clock's lock.
        public void Rearm() => DueAt = _period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan ? DueAt + _period : null;

        public void Fire() => ThreadPool.QueueUserWorkItem(_ => callback(state));

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                DueAt = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
