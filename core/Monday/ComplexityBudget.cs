namespace DiscordLedgerBot.Core.Monday;

/// <summary>
/// What we know about monday's per-minute complexity budget, learned from the <c>complexity</c> field of every
/// answer. Once a reading exists, a request is only sent when the remaining points cover its estimated cost;
/// otherwise the caller waits until the window resets — so monday never has to answer 429.
/// </summary>
public sealed class ComplexityBudget(TimeProvider timeProvider)
{
    // How long the cost of the last background read is kept aside for the next one: a poll every window or two.
    private static readonly TimeSpan BackgroundReserveLifetime = TimeSpan.FromMinutes(2);

    private readonly object _gate = new();
    private long _remaining;
    private long _limit;
    private DateTimeOffset _resetAt;
    private long _claimedByWrites;
    private long _backgroundCost;
    private DateTimeOffset _backgroundAt;
    private DateTimeOffset _blockedUntil;

    public bool HasReading { get; private set; }

    /// <summary>Budget windows seen start (a reading whose <c>before</c> is above the previous <c>after</c>): for benches.</summary>
    public long WindowsSeen { get; private set; }

    /// <summary>
    /// Points writes should leave unplanned for background reads: the cost of the last background read (or the estimate
    /// of the last deferred one) while reads run; 0 when none was wanted lately, so a write-only burst uses the whole window.
    /// </summary>
    public long BackgroundReserve
    {
        get
        {
            lock (_gate)
            {
                return _backgroundCost > 0 && timeProvider.GetUtcNow() - _backgroundAt < BackgroundReserveLifetime ? _backgroundCost : 0;
            }
        }
    }

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
            if (!HasReading || reading.Before > _remaining)
            {
                WindowsSeen++;
            }

            _remaining = reading.After;
            _limit = Math.Max(_limit, reading.Before);
            // reset_in_x_seconds is rounded up to whole seconds and our clock starts after monday computed it (transit),
            // so waiting exactly the hint never arrives early; any extra pad would leave budget unused in every window.
            _resetAt = timeProvider.GetUtcNow() + TimeSpan.FromSeconds(reading.ResetInSeconds);
            HasReading = true;
        }
    }

    /// <summary>A write of <paramref name="cost"/> points is planned or on its way: background reads must leave it its points.</summary>
    public void ClaimForWrite(long cost)
    {
        lock (_gate)
        {
            _claimedByWrites += cost;
        }
    }

    public void ReleaseWriteClaim(long cost)
    {
        lock (_gate)
        {
            _claimedByWrites = Math.Max(0, _claimedByWrites - cost);
        }
    }

    /// <summary>
    /// True when a background read of <paramref name="cost"/> fits now beside the writes that claimed budget: it never
    /// waits for a reset and never takes points a planned write counts on. True while nothing is known yet.
    /// </summary>
    public bool FitsInBackground(long cost)
    {
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            if (now < _blockedUntil)
            {
                return false;
            }

            if (!HasReading)
            {
                return true;
            }

            var available = now >= _resetAt ? _limit : _remaining;
            // Claims that do not fit in what is left wait for the reset anyway (their plan counted on a fresh window
            // minus the reserve): they do not compete for the points left in this one.
            var competing = _claimedByWrites <= available ? _claimedByWrites : 0;
            return available - competing >= cost;
        }
    }

    /// <summary>Remembers what a background read cost (or, deferred, was estimated to cost), so writes plan around the next one.</summary>
    public void RecordBackground(long cost)
    {
        lock (_gate)
        {
            _backgroundCost = cost;
            _backgroundAt = timeProvider.GetUtcNow();
        }
    }

    /// <summary>
    /// monday answered a rate limit with a wait hint (complexity, minute, daily …): no request of any kind may go before
    /// it has passed, whether or not a budget reading exists yet.
    /// </summary>
    public void RecordExhausted(TimeSpan retryIn)
    {
        lock (_gate)
        {
            var until = timeProvider.GetUtcNow() + retryIn;
            if (until > _blockedUntil)
            {
                _blockedUntil = until;
            }

            // The reading stays as monday last reported it: the hint (a storm's few seconds) says nothing about when the
            // window resets, so treating its end as a reset would plan a full window that is not there. A hint beyond
            // the known reset (a genuine exhaustion, or a daily limit) empties the budget until then.
            if (HasReading && until >= _resetAt)
            {
                _remaining = 0;
                _resetAt = until;
            }
        }
    }

    /// <summary>How long to wait before a request costing <paramref name="cost"/> fits; zero when it fits now or nothing is known yet.</summary>
    public TimeSpan DelayBefore(long cost)
    {
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            var blocked = _blockedUntil > now ? _blockedUntil - now : TimeSpan.Zero;
            if (!HasReading || now >= _resetAt || _remaining >= cost)
            {
                return blocked;
            }

            return _resetAt - now > blocked ? _resetAt - now : blocked;
        }
    }
}
