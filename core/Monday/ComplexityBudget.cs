namespace DiscordLedgerBot.Core.Monday;

/// <summary>
/// What we know about monday's per-minute complexity budget, learned from the <c>complexity</c> field of every
/// answer. Once a reading exists, a request is only sent when the remaining points cover its estimated cost;
/// otherwise the caller waits until the window resets — so monday never has to answer 429.
/// </summary>
public sealed class ComplexityBudget(TimeProvider timeProvider)
{
    // reset_in_x_seconds is whole seconds and our clock started late by the response's transit time:
    // waiting one extra second keeps us from arriving a fraction too early.
    private static readonly TimeSpan ResetSafetyMargin = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private long _remaining;
    private long _limit;
    private DateTimeOffset _resetAt;

    public bool HasReading { get; private set; }

    /// <summary>The largest <c>before</c> seen: the best estimate of the full budget per window.</summary>
    public long? Limit
    {
        get
        {
            lock (_gate)
            {
                return HasReading ? _limit : null;
            }
        }
    }

    /// <summary>Points that may be spent now; null until the first reading.</summary>
    public long? Available
    {
        get
        {
            lock (_gate)
            {
                if (!HasReading)
                {
                    return null;
                }

                return timeProvider.GetUtcNow() >= _resetAt ? _limit : _remaining;
            }
        }
    }

    public void Record(ComplexityReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        lock (_gate)
        {
            _remaining = reading.After;
            _limit = Math.Max(_limit, reading.Before);
            _resetAt = timeProvider.GetUtcNow() + TimeSpan.FromSeconds(reading.ResetInSeconds) + ResetSafetyMargin;
            HasReading = true;
        }
    }

    /// <summary>monday said the budget is gone (a 429 before we had a reading, or a wrong estimate).</summary>
    public void RecordExhausted(TimeSpan retryIn)
    {
        lock (_gate)
        {
            if (!HasReading)
            {
                return;
            }

            _remaining = 0;
            _resetAt = timeProvider.GetUtcNow() + retryIn;
        }
    }

    /// <summary>How long to wait before a request costing <paramref name="cost"/> fits; zero when it fits now or nothing is known yet.</summary>
    public TimeSpan DelayBefore(long cost)
    {
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            if (!HasReading || now >= _resetAt || _remaining >= cost)
            {
                return TimeSpan.Zero;
            }

            return _resetAt - now;
        }
    }
}
