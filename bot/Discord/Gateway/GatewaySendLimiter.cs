namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>
/// Discord allows 120 sent events per connection per 60 s and closes with 4008 beyond. A refilling token bucket would
/// allow up to 240 in some 60-second window, so each token instead comes back exactly 60 s after it was spent
/// (a sliding log). Heartbeats may use the whole budget; everything else leaves <see cref="ReservedForHeartbeats"/>
/// tokens so a burst of voice-state updates can never starve the heartbeat.
/// </summary>
internal sealed class GatewaySendLimiter(TimeProvider timeProvider, int limit = 120, TimeSpan? window = null)
{
    private readonly object _gate = new();
    private readonly Queue<DateTimeOffset> _sentAt = new();
    private readonly TimeSpan _window = window ?? TimeSpan.FromSeconds(60);

    public int ReservedForHeartbeats { get; private set; } = 3;

    /// <summary>Reserves enough for one window of heartbeats at <paramref name="heartbeatInterval"/> plus one server-requested beat.</summary>
    public void ReserveFor(TimeSpan heartbeatInterval)
    {
        var perWindow = (int)Math.Ceiling(_window / heartbeatInterval) + 1;
        lock (_gate)
        {
            ReservedForHeartbeats = Math.Clamp(perWindow, 1, limit / 2);
        }
    }

    public async ValueTask WaitAsync(bool isHeartbeat, CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = TryTake(isHeartbeat);
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(wait, timeProvider, cancellationToken);
        }
    }

    private TimeSpan TryTake(bool isHeartbeat)
    {
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            while (_sentAt.Count > 0 && now - _sentAt.Peek() >= _window)
            {
                _sentAt.Dequeue();
            }

            var allowed = isHeartbeat ? limit : limit - ReservedForHeartbeats;
            if (_sentAt.Count < allowed)
            {
                _sentAt.Enqueue(now);
                return TimeSpan.Zero;
            }

            // The oldest entries that must expire before one more fits.
            var mustExpire = _sentAt.Count - allowed;
            return _sentAt.ElementAt(mustExpire) + _window - now;
        }
    }
}
