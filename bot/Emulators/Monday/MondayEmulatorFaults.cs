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

    /// <summary>
    /// Answer with monday's rate-limit body for <see cref="MondayFault.RateLimitCode"/> (HTTP status as configured,
    /// 429 by default) and its hint; nothing executes. COMPLEXITY_BUDGET_EXHAUSTED carries the wait in the body only,
    /// MINUTE_RATE_LIMIT_EXCEEDED and DAILY_LIMIT_EXCEEDED also in <c>Retry-After</c>.
    /// </summary>
    RateLimited,
}

/// <summary>A fault the emulator will apply to an upcoming <c>/v2</c> request.</summary>
/// <param name="RetryInSeconds">For rate limits: the hint; null for DAILY_LIMIT_EXCEEDED means "until 00:00 UTC".</param>
public sealed record MondayFault(MondayFaultKind Kind, int StatusCode = 500, string? RateLimitCode = null, int? RetryInSeconds = null);

/// <summary>monday's rate-limit codes the fault API can answer with.</summary>
public static class MondayRateLimitCodes
{
    public const string ComplexityBudgetExhausted = "COMPLEXITY_BUDGET_EXHAUSTED";
    public const string MinuteRateLimitExceeded = "MINUTE_RATE_LIMIT_EXCEEDED";
    public const string DailyLimitExceeded = "DAILY_LIMIT_EXCEEDED";

    internal static string Message(string code) => code switch
    {
        ComplexityBudgetExhausted => "Complexity budget exhausted",
        MinuteRateLimitExceeded => "Minute rate limit exceeded",
        DailyLimitExceeded => "Daily limit exceeded",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, $"Supported: {ComplexityBudgetExhausted}, {MinuteRateLimitExceeded}, {DailyLimitExceeded}."),
    };
}

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
    private Random? _rateLimitRandom;
    private double _rateLimitRatio;
    private int _rateLimitSeconds;

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

    /// <summary>The next <paramref name="count"/> requests get COMPLEXITY_BUDGET_EXHAUSTED with <c>retry_in_seconds</c> in the body.</summary>
    public void ComplexityExhaustedNext(int count = 1, int retryInSeconds = 22) =>
        Enqueue(RateLimit(MondayRateLimitCodes.ComplexityBudgetExhausted, retryInSeconds), count);

    /// <summary>The next <paramref name="count"/> requests get MINUTE_RATE_LIMIT_EXCEEDED with <c>Retry-After</c>.</summary>
    public void MinuteLimitNext(int count = 1, int retryAfterSeconds = 41) =>
        Enqueue(RateLimit(MondayRateLimitCodes.MinuteRateLimitExceeded, retryAfterSeconds), count);

    /// <summary>The next <paramref name="count"/> requests get DAILY_LIMIT_EXCEEDED; the hint runs to 00:00 UTC unless given.</summary>
    public void DailyLimitNext(int count = 1, int? retryInSeconds = null) =>
        Enqueue(new MondayFault(MondayFaultKind.RateLimited, 429, MondayRateLimitCodes.DailyLimitExceeded, retryInSeconds is { } s ? Positive(s) : null), count);

    /// <summary>
    /// A 429 storm: a share of requests (0..1) answered alternately with COMPLEXITY_BUDGET_EXHAUSTED and
    /// MINUTE_RATE_LIMIT_EXCEEDED, each hinting <paramref name="retryInSeconds"/>; reproducible for a seed.
    /// </summary>
    public void SetRateLimitStorm(double ratio, int seed, int retryInSeconds = 5)
    {
        if (ratio is < 0 or > 1 || double.IsNaN(ratio))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "Ratio must be within 0..1.");
        }

        lock (_gate)
        {
            _rateLimitRatio = ratio;
            _rateLimitRandom = ratio > 0 ? new Random(seed) : null;
            _rateLimitSeconds = Positive(retryInSeconds);
        }
    }

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
            _rateLimitRandom = null;
            _rateLimitRatio = 0;
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

            if (_rateLimitRandom is not null && _rateLimitRandom.NextDouble() < _rateLimitRatio)
            {
                var code = _rateLimitRandom.Next(2) == 0 ? MondayRateLimitCodes.ComplexityBudgetExhausted : MondayRateLimitCodes.MinuteRateLimitExceeded;
                return RateLimit(code, _rateLimitSeconds);
            }

            return _random is not null && _random.NextDouble() < _ratio ? new MondayFault(MondayFaultKind.ServerError, _randomStatus) : null;
        }
    }

    private static MondayFault RateLimit(string code, int seconds) => new(MondayFaultKind.RateLimited, 429, code, Positive(seconds));

    private static int Positive(int seconds) =>
        seconds is >= 1 and <= 86_400 ? seconds : throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "A hint must be 1..86400 seconds.");

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
