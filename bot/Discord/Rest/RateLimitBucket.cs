namespace DiscordLedgerBot.Discord.Rest;

/// <summary>
/// What the server told us about one bucket. Requests reserve a slot before sending, so concurrent lanes sharing a
/// bucket never overrun it. While the numbers are unknown (first use, or the window has passed) exactly one request
/// goes out as a probe and the others wait for its headers instead of guessing.
/// </summary>
internal sealed class RateLimitBucket
{
    private readonly object _gate = new();
    private int _remaining;
    private bool _known;
    private bool _probing;
    private DateTimeOffset _resetAt = DateTimeOffset.MinValue;
    private TaskCompletionSource _probeEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Takes a slot (returns <see cref="SlotDecision.Granted"/>), or says how long to wait, or hands back the task that
    /// completes when the in-flight probe has taught us the numbers.
    /// </summary>
    public SlotDecision TryReserve(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_known && now >= _resetAt)
            {
                _known = false;
            }

            if (_known)
            {
                if (_remaining > 0)
                {
                    _remaining--;
                    return SlotDecision.Granted;
                }

                return new SlotDecision(_resetAt - now, null);
            }

            if (_probing)
            {
                return new SlotDecision(TimeSpan.Zero, _probeEnded.Task);
            }

            _probing = true;
            return SlotDecision.Granted;
        }
    }

    public void Update(int remaining, TimeSpan resetAfter, DateTimeOffset now)
    {
        lock (_gate)
        {
            _known = true;
            _remaining = Math.Max(0, remaining);
            _resetAt = now + resetAfter;
            EndProbe();
        }
    }

    /// <summary>A 429 for this bucket: nothing may be sent before <paramref name="retryAfter"/>.</summary>
    public void Exhaust(TimeSpan retryAfter, DateTimeOffset now)
    {
        lock (_gate)
        {
            _known = true;
            _remaining = 0;
            var until = now + retryAfter;
            if (until > _resetAt)
            {
                _resetAt = until;
            }

            EndProbe();
        }
    }

    /// <summary>
    /// True when the bucket knows nothing a fresh one would not: no probe in flight and no window still running
    /// (<see cref="TryReserve"/> forgets a passed window anyway), so it can be dropped.
    /// </summary>
    public bool HoldsNothing(DateTimeOffset now)
    {
        lock (_gate)
        {
            return !_probing && (!_known || now >= _resetAt);
        }
    }

    /// <summary>Called after every attempt: a response without headers, or a failure, must not leave waiters stuck.</summary>
    public void AttemptFinished()
    {
        lock (_gate)
        {
            EndProbe();
        }
    }

    // Called under _gate.
    private void EndProbe()
    {
        if (!_probing)
        {
            return;
        }

        _probing = false;
        var ended = _probeEnded;
        _probeEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ended.TrySetResult();
    }
}

/// <summary>Granted when <see cref="Wait"/> is zero and <see cref="WaitFor"/> is null.</summary>
internal readonly record struct SlotDecision(TimeSpan Wait, Task? WaitFor)
{
    public static SlotDecision Granted => default;

    public bool IsGranted => Wait <= TimeSpan.Zero && WaitFor is null;
}
