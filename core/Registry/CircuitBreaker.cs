namespace DiscordLedgerBot.Core.Registry;

public enum CircuitState
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>
/// Polly-style advanced circuit breaker settings, plus slow-call detection (which Polly's breaker lacks and is
/// why the registry has its own): within <see cref="SamplingDuration"/>, once <see cref="MinimumThroughput"/>
/// calls were seen, the circuit opens when the failure ratio or the slow-call ratio reaches its threshold.
/// </summary>
public sealed record CircuitBreakerOptions
{
    public double FailureRatio { get; init; } = 0.5;

    public double SlowCallRatio { get; init; } = 0.5;

    public TimeSpan SlowCallDuration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(60);

    public int MinimumThroughput { get; init; } = 5;

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (FailureRatio is <= 0 or > 1)
        {
            errors.Add($"Registry:Breaker:FailureRatio must be in (0, 1], got {FailureRatio}.");
        }

        if (SlowCallRatio is <= 0 or > 1)
        {
            errors.Add($"Registry:Breaker:SlowCallRatio must be in (0, 1], got {SlowCallRatio}.");
        }

        if (SlowCallDuration <= TimeSpan.Zero || SamplingDuration <= TimeSpan.Zero || BreakDuration <= TimeSpan.Zero)
        {
            errors.Add("Registry:Breaker:SlowCallDuration, SamplingDuration and BreakDuration must be positive.");
        }

        if (MinimumThroughput < 2)
        {
            errors.Add($"Registry:Breaker:MinimumThroughput must be at least 2, got {MinimumThroughput}.");
        }

        return errors;
    }
}

/// <summary>
/// One tool's circuit: closed → open (on failure or slow-call ratio) → half-open after the break (one probe
/// call allowed) → closed on a fast success, open again otherwise. The samples are this process's calls; the
/// transitions are shared with the other processes of a cluster (<see cref="Export"/>, <see cref="Adopt"/>).
/// </summary>
internal sealed class ToolCircuitBreaker(CircuitBreakerOptions options)
{
    private readonly Lock _gate = new();
    private readonly Queue<(long Ticks, bool Failed, bool Slow)> _samples = new();
    private int _failures;
    private int _slow;
    private int _state = (int)CircuitState.Closed;
    private long _openUntilTicks;
    private long _probeDeadlineTicks;
    private long _generation;
    private DateTimeOffset _changedAt = DateTimeOffset.MinValue;

    /// <summary>Lock-free read for ranking; an expired open circuit reads as half-open.</summary>
    public CircuitState StateAt(DateTimeOffset now)
    {
        var state = (CircuitState)Volatile.Read(ref _state);
        return state == CircuitState.Open && now.UtcTicks >= Volatile.Read(ref _openUntilTicks) ? CircuitState.HalfOpen : state;
    }

    /// <summary>True while the single half-open probe call is out and has not reported back.</summary>
    public bool ProbeInFlight(DateTimeOffset now) => Volatile.Read(ref _probeDeadlineTicks) > now.UtcTicks;

    public DateTimeOffset OpenUntil => new(Volatile.Read(ref _openUntilTicks), TimeSpan.Zero);

    /// <summary>The last transition, for the other processes of a cluster.</summary>
    public SharedCircuit Export()
    {
        lock (_gate)
        {
            return new SharedCircuit((CircuitState)_state, OpenUntil, _generation, _changedAt);
        }
    }

    /// <summary>Takes another process's transition when it is newer than this circuit's last one; true when adopted.</summary>
    public bool Adopt(SharedCircuit shared)
    {
        lock (_gate)
        {
            if (shared.ObservedAt < _changedAt || (shared.ObservedAt == _changedAt && shared.Generation <= _generation))
            {
                return false;
            }

            if (shared.State == CircuitState.Open)
            {
                Open(shared.ObservedAt);
                Volatile.Write(ref _openUntilTicks, shared.OpenUntil.UtcTicks);
            }
            else
            {
                Reset(shared.ObservedAt);
            }

            _generation = shared.Generation;
            return true;
        }
    }

    /// <summary>Claims the single half-open probe; false when the circuit is not half-open or a probe is in flight.</summary>
    public bool TryBeginProbe(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (StateAt(now) != CircuitState.HalfOpen || ProbeInFlight(now))
            {
                return false;
            }

            // A probe whose outcome is never reported must not keep the circuit shut forever.
            _probeDeadlineTicks = (now + options.BreakDuration).UtcTicks;
            return true;
        }
    }

    /// <summary>Applies one call outcome; returns the transition and why, if the state changed.</summary>
    public (CircuitState Previous, CircuitState Current, string Reason)? Record(bool succeeded, TimeSpan duration, DateTimeOffset now)
    {
        lock (_gate)
        {
            var previous = StateAt(now);
            var slow = duration >= options.SlowCallDuration;
            switch (previous)
            {
                case CircuitState.Open:
                    // A late result of a call started before the circuit opened says nothing new.
                    return null;
                case CircuitState.HalfOpen:
                    if (succeeded && !slow)
                    {
                        Reset(now);
                        return (previous, CircuitState.Closed, $"half-open probe succeeded in {duration.TotalMilliseconds:F0} ms");
                    }

                    Open(now);
                    return (previous, CircuitState.Open, succeeded
                        ? $"half-open probe was slow ({duration.TotalMilliseconds:F0} ms >= {options.SlowCallDuration.TotalMilliseconds:F0} ms)"
                        : "half-open probe failed");
            }

            _samples.Enqueue((now.UtcTicks, !succeeded, slow));
            _failures += succeeded ? 0 : 1;
            _slow += slow ? 1 : 0;
            var horizon = (now - options.SamplingDuration).UtcTicks;
            while (_samples.TryPeek(out var oldest) && oldest.Ticks <= horizon)
            {
                _samples.Dequeue();
                _failures -= oldest.Failed ? 1 : 0;
                _slow -= oldest.Slow ? 1 : 0;
            }

            var total = _samples.Count;
            if (total < options.MinimumThroughput)
            {
                return null;
            }

            var failureRatio = (double)_failures / total;
            var slowRatio = (double)_slow / total;
            string? reason = null;
            if (failureRatio >= options.FailureRatio)
            {
                reason = $"failure ratio {failureRatio:P0} >= {options.FailureRatio:P0} over {total} calls in {options.SamplingDuration.TotalSeconds:F0} s";
            }
            else if (slowRatio >= options.SlowCallRatio)
            {
                reason = $"slow-call ratio {slowRatio:P0} >= {options.SlowCallRatio:P0} (>= {options.SlowCallDuration.TotalMilliseconds:F0} ms) over {total} calls";
            }

            if (reason is null)
            {
                return null;
            }

            Open(now);
            return (previous, CircuitState.Open, reason);
        }
    }

    private void Open(DateTimeOffset now)
    {
        _generation++;
        _changedAt = now;
        _samples.Clear();
        _failures = 0;
        _slow = 0;
        _probeDeadlineTicks = 0;
        Volatile.Write(ref _openUntilTicks, (now + options.BreakDuration).UtcTicks);
        Volatile.Write(ref _state, (int)CircuitState.Open);
    }

    private void Reset(DateTimeOffset now)
    {
        _generation++;
        _changedAt = now;
        _samples.Clear();
        _failures = 0;
        _slow = 0;
        _probeDeadlineTicks = 0;
        Volatile.Write(ref _state, (int)CircuitState.Closed);
    }
}
