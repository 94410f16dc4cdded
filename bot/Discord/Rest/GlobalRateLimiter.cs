namespace DiscordLedgerBot.Discord.Rest;

/// <summary>
/// Discord's per-token global limit (50 requests per second): a token bucket refilled continuously, plus a pause the
/// server can impose with a global 429.
/// </summary>
internal sealed class GlobalRateLimiter(int requestsPerSecond, TimeProvider timeProvider)
{
    private readonly object _gate = new();
    private double _tokens = requestsPerSecond;
    private DateTimeOffset _lastRefill = timeProvider.GetUtcNow();
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = TryTake();
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(wait, timeProvider, cancellationToken);
        }
    }

    public void PauseFor(TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var until = timeProvider.GetUtcNow() + retryAfter;
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }

    private TimeSpan TryTake()
    {
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            if (now < _pausedUntil)
            {
                return _pausedUntil - now;
            }

            var elapsed = (now - _lastRefill).TotalSeconds;
            if (elapsed > 0)
            {
                _tokens = Math.Min(requestsPerSecond, _tokens + (elapsed * requestsPerSecond));
                _lastRefill = now;
            }

            if (_tokens >= 1)
            {
                _tokens -= 1;
                return TimeSpan.Zero;
            }

            return TimeSpan.FromSeconds((1 - _tokens) / requestsPerSecond);
        }
    }
}
