namespace DiscordLedgerBot.Emulators.Monday;

public enum MondayFaultKind
{
    /// <summary>Answer with a 5xx before doing anything (500 JSON, 502 HTML gateway page, 503 TIMEOUT_EXCEEDED, 504 HTML).</summary>
    ServerError,

    /// <summary>
    /// Never answer: the request is admitted (holds a concurrency slot and, for mutations, its Idempotency-Key) and
    /// then hangs until the client gives up or the emulator stops. Nothing executes.
    /// </summary>
    Hang,

    /// <summary>Abort the connection without executing anything.</summary>
    DropConnection,

    /// <summary>Execute the request (side effects happen, idempotency caches it) and then abort the connection.</summary>
    ExecuteThenDropResponse,
}

/// <summary>A fault the emulator will apply to an upcoming <c>/v2</c> request.</summary>
public sealed record MondayFault(MondayFaultKind Kind, int StatusCode = 500);

/// <summary>
/// Programmatic fault injection for resilience tests. Queued faults apply to the next requests in order; when the
/// queue is empty a seeded random ratio (if set) turns requests into server errors. Thread-safe.
/// </summary>
public sealed class MondayEmulatorFaults
{
    private static readonly int[] SupportedStatusCodes = [500, 502, 503, 504];

    private readonly object _gate = new();
    private readonly Queue<MondayFault> _queue = new();
    private Random? _random;
    private double _ratio;
    private int _randomStatus = 500;
    private int _hanging;

    /// <summary>The next <paramref name="count"/> requests fail with <paramref name="statusCode"/> (500, 502, 503 or 504).</summary>
    public void FailNext(int count = 1, int statusCode = 500)
    {
        if (!SupportedStatusCodes.Contains(statusCode))
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "Supported: 500, 502, 503, 504.");
        }

        Enqueue(new MondayFault(MondayFaultKind.ServerError, statusCode), count);
    }

    public void HangNext(int count = 1) => Enqueue(new MondayFault(MondayFaultKind.Hang), count);

    public void DropConnectionNext(int count = 1) => Enqueue(new MondayFault(MondayFaultKind.DropConnection), count);

    /// <summary>The next requests run normally but the client sees a dropped connection instead of the response.</summary>
    public void ExecuteThenDropResponseNext(int count = 1) => Enqueue(new MondayFault(MondayFaultKind.ExecuteThenDropResponse), count);

    /// <summary>Fails a share of requests (0..1) with <paramref name="statusCode"/>, reproducibly for a given seed.</summary>
    public void SetRandomFailureRatio(double ratio, int seed, int statusCode = 500)
    {
        if (ratio is < 0 or > 1 || double.IsNaN(ratio))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "Ratio must be within 0..1.");
        }

        if (!SupportedStatusCodes.Contains(statusCode))
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "Supported: 500, 502, 503, 504.");
        }

        lock (_gate)
        {
            _ratio = ratio;
            _random = ratio > 0 ? new Random(seed) : null;
            _randomStatus = statusCode;
        }
    }

    /// <summary>Removes queued faults and the random ratio.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _queue.Clear();
            _random = null;
            _ratio = 0;
        }
    }

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Requests currently held by a <see cref="MondayFaultKind.Hang"/> fault (lets tests wait until one is in place).</summary>
    public int HangingCount => Volatile.Read(ref _hanging);

    internal void HangStarted() => Interlocked.Increment(ref _hanging);

    internal void HangEnded() => Interlocked.Decrement(ref _hanging);

    internal MondayFault? Take()
    {
        lock (_gate)
        {
            if (_queue.Count > 0)
            {
                return _queue.Dequeue();
            }

            return _random is not null && _random.NextDouble() < _ratio ? new MondayFault(MondayFaultKind.ServerError, _randomStatus) : null;
        }
    }

    private void Enqueue(MondayFault fault, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _queue.Enqueue(fault);
            }
        }
    }
}
