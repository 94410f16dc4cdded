namespace DiscordLedgerBot.Core.Registry;

/// <summary>The outcome of one probe.</summary>
public sealed record HealthCheckResult(bool Succeeded, TimeSpan Latency, string Detail)
{
    public static HealthCheckResult Success(TimeSpan latency, string detail) => new(true, latency, detail);

    public static HealthCheckResult Failure(TimeSpan latency, string detail) => new(false, latency, detail);
}

/// <summary>An immutable view of one tool's health that ranking reads without locking.</summary>
public sealed record ToolHealthSnapshot(
    HealthStatus Status,
    int ConsecutiveSuccesses,
    int ConsecutiveFailures,
    double EwmaLatencyMs,
    double P95LatencyMs,
    int Samples,
    string LastDetail,
    DateTimeOffset? LastResultAt,
    DateTimeOffset? LastHeartbeatAt,
    DateTimeOffset? StatusSince,
    bool Stale)
{
    public static ToolHealthSnapshot Initial { get; } = new(HealthStatus.Unknown, 0, 0, double.NaN, double.NaN, 0, "no check result yet", null, null, null, false);
}

/// <summary>
/// Per-check latency: an exponentially weighted moving average (reacts quickly, smooth) and the 95th percentile
/// over a sliding window of the last <see cref="WindowSize"/> samples (catches tails the average hides).
/// </summary>
internal sealed class LatencyStatistics
{
    public const int WindowSize = 64;
    private const double Alpha = 0.3;
    private readonly double[] _window = new double[WindowSize];
    private readonly double[] _sortBuffer = new double[WindowSize];
    private int _count;
    private int _next;

    public double Ewma { get; private set; } = double.NaN;

    public double P95 { get; private set; } = double.NaN;

    public int Count => _count;

    /// <summary>The window's samples, oldest first.</summary>
    public double[] Samples()
    {
        var samples = new double[_count];
        var oldest = _count < WindowSize ? 0 : _next;
        for (var i = 0; i < _count; i++)
        {
            samples[i] = _window[(oldest + i) % WindowSize];
        }

        return samples;
    }

    /// <summary>Replaces the window with another process's (oldest first) and its average.</summary>
    public void Restore(IReadOnlyList<double> samples, double ewma, double p95)
    {
        var kept = samples.Skip(Math.Max(0, samples.Count - WindowSize)).ToArray();
        Array.Copy(kept, _window, kept.Length);
        _count = kept.Length;
        _next = kept.Length % WindowSize;
        Ewma = ewma;
        P95 = p95;
    }

    public void Add(double milliseconds)
    {
        Ewma = double.IsNaN(Ewma) ? milliseconds : (Alpha * milliseconds) + ((1 - Alpha) * Ewma);
        _window[_next] = milliseconds;
        _next = (_next + 1) % WindowSize;
        _count = Math.Min(_count + 1, WindowSize);
        Array.Copy(_window, _sortBuffer, _count);
        Array.Sort(_sortBuffer, 0, _count);
        // Nearest-rank percentile: the smallest sample at or above 95 % of the window.
        var rank = (int)Math.Ceiling(0.95 * _count) - 1;
        P95 = _sortBuffer[Math.Clamp(rank, 0, _count - 1)];
    }
}

/// <summary>
/// The damped health state machine of one tool. Thread-safe: results arrive from scheduler threads while the
/// ranking reads <see cref="Current"/>.
/// </summary>
internal sealed class ToolHealthTracker
{
    private readonly Lock _gate = new();
    private readonly LatencyStatistics _latency = new();
    private ToolHealthSnapshot _current = ToolHealthSnapshot.Initial;
    private long _generation;
    private DateTimeOffset _observedAt = DateTimeOffset.MinValue;

    public ToolHealthSnapshot Current => Volatile.Read(ref _current);

    /// <summary>The verdict and what the next result builds on, for the other processes of a cluster.</summary>
    public SharedHealth Export()
    {
        lock (_gate)
        {
            return new SharedHealth(_current, _latency.Samples(), _generation, _observedAt);
        }
    }

    /// <summary>
    /// Takes another process's observation when it is newer than this tracker's (time, then generation); an older one
    /// changes nothing. The heartbeat is kept if this process saw a later one. True when adopted.
    /// </summary>
    public bool Adopt(SharedHealth shared)
    {
        lock (_gate)
        {
            if (shared.ObservedAt < _observedAt || (shared.ObservedAt == _observedAt && shared.Generation <= _generation))
            {
                return false;
            }

            var heartbeat = Max(_current.LastHeartbeatAt, shared.Snapshot.LastHeartbeatAt);
            _current = shared.Snapshot with { LastHeartbeatAt = heartbeat };
            _latency.Restore(shared.LatencyWindow, shared.Snapshot.EwmaLatencyMs, shared.Snapshot.P95LatencyMs);
            _generation = shared.Generation;
            _observedAt = shared.ObservedAt;
            return true;
        }
    }

    /// <summary>A heartbeat another process received.</summary>
    public void AdoptHeartbeat(DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_current.LastHeartbeatAt is not { } known || at > known)
            {
                _current = _current with { LastHeartbeatAt = at, Stale = false };
            }
        }
    }

    /// <summary>Applies one probe result; returns the status change, if any.</summary>
    public (HealthStatus Previous, HealthStatus Current)? Record(HealthCheckResult result, DampingPolicy damping, DateTimeOffset now)
    {
        lock (_gate)
        {
            var before = _current;
            _generation++;
            _observedAt = now;
            _latency.Add(result.Latency.TotalMilliseconds);
            var successes = result.Succeeded ? before.ConsecutiveSuccesses + 1 : 0;
            var failures = result.Succeeded ? 0 : before.ConsecutiveFailures + 1;
            var slow = _latency.Ewma > damping.WarningLatency.TotalMilliseconds;
            var status = before.Status switch
            {
                // Healthy tools keep serving through isolated failures; only a run of them makes the tool critical.
                HealthStatus.Passing or HealthStatus.Warning when !result.Succeeded =>
                    failures >= damping.FailuresToCritical ? HealthStatus.Critical : before.Status,
                HealthStatus.Passing or HealthStatus.Warning => slow ? HealthStatus.Warning : HealthStatus.Passing,
                // Critical and unknown tools must prove themselves with a run of successes.
                _ when result.Succeeded => successes >= damping.SuccessesToPass ? (slow ? HealthStatus.Warning : HealthStatus.Passing) : before.Status,
                _ => failures >= damping.FailuresToCritical ? HealthStatus.Critical : before.Status,
            };
            _current = before with
            {
                Status = status,
                ConsecutiveSuccesses = successes,
                ConsecutiveFailures = failures,
                EwmaLatencyMs = _latency.Ewma,
                P95LatencyMs = _latency.P95,
                Samples = _latency.Count,
                LastDetail = result.Detail,
                LastResultAt = now,
                StatusSince = status != before.Status ? now : before.StatusSince ?? now,
                Stale = false,
            };
            return status != before.Status ? (before.Status, status) : null;
        }
    }

    public void RecordHeartbeat(DateTimeOffset now)
    {
        lock (_gate)
        {
            _current = _current with { LastHeartbeatAt = now, Stale = false };
        }
    }

    /// <summary>Marks the tool stale once; true when this call made it stale.</summary>
    public bool MarkStale(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_current.Stale)
            {
                return false;
            }

            _current = _current with { Stale = true };
            _generation++;
            _observedAt = now;
            return true;
        }
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
