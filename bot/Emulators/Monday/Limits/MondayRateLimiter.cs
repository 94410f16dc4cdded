using System.Globalization;

namespace DiscordLedgerBot.Emulators.Monday.Limits;

/// <summary>A rate-limit rejection: monday's code, message and wait hint.</summary>
internal sealed record RateLimitRejection(string Code, string Message, int RetryInSeconds, bool SendRetryAfterHeader);

/// <summary>Outcome of charging a query's complexity.</summary>
internal sealed record ComplexityCharge(int Before, int After, int Query, int ResetInSeconds);

/// <summary>
/// monday's account limits: requests per minute, concurrency (in flight), daily calls (00:00 UTC reset, rejected and
/// complexity-only calls weigh 0.1) and the complexity budget. Windows start with their first call and reset
/// <see cref="MondayRateLimitOptions.Window"/> after it. All time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class MondayRateLimiter(MondayRateLimitOptions options, TimeProvider time)
{
    private readonly object _gate = new();
    private static readonly TimeSpan IpWindow = TimeSpan.FromSeconds(10);

    private DateTimeOffset? _ipWindowStart;
    private int _requestsInIpWindow;
    private DateTimeOffset? _requestWindowStart;
    private int _requestsInWindow;
    private DateTimeOffset? _complexityWindowStart;
    private long _complexityUsed;
    private int _inFlight;
    private DateOnly _day;
    private long _dailyTenths;

    /// <summary>Counts the request against the minute and daily limits and takes a concurrency slot, unless a limit rejects it.</summary>
    public RateLimitRejection? Admit()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            RollWindows(now);
            _ipWindowStart ??= now;
            _requestsInIpWindow++;
            if (_requestsInIpWindow > options.IpRequestsPer10Seconds)
            {
                // Enforced at monday's edge, before the account limits; all emulator callers share 127.0.0.1.
                return new RateLimitRejection("IP_RATE_LIMIT_EXCEEDED", "IP rate limit exceeded", SecondsUntil(_ipWindowStart.Value + IpWindow, now), true);
            }

            _requestWindowStart ??= now;
            _requestsInWindow++;
            if (_requestsInWindow > options.RequestsPerMinute)
            {
                _dailyTenths += 1;
                return new RateLimitRejection("MINUTE_RATE_LIMIT_EXCEEDED", "Minute rate limit exceeded", SecondsUntil(_requestWindowStart.Value + options.Window, now), true);
            }

            if (_dailyTenths >= (long)options.DailyCallLimit * 10)
            {
                _dailyTenths += 1;
                var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
                return new RateLimitRejection("DAILY_LIMIT_EXCEEDED", "Daily limit exceeded", SecondsUntil(midnight, now), true);
            }

            if (_inFlight >= options.MaxConcurrentRequests)
            {
                _dailyTenths += 1;
                return new RateLimitRejection("MAX_CONCURRENCY_EXCEEDED", "Too many concurrent requests", options.ConcurrencyRetryInSeconds, true);
            }

            _inFlight++;
            return null;
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _inFlight--;
        }
    }

    /// <summary>Charges <paramref name="cost"/> against the budget, or returns the rejection. Never partially charges.</summary>
    public RateLimitRejection? ChargeComplexity(int cost, out ComplexityCharge charge)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            RollWindows(now);
            _complexityWindowStart ??= now;
            var before = (int)Math.Max(0, options.ComplexityPerMinute - _complexityUsed);
            var reset = SecondsUntil(_complexityWindowStart.Value + options.Window, now);
            if (cost > before)
            {
                charge = new ComplexityCharge(before, before, cost, reset);
                _dailyTenths += 1;
                return new RateLimitRejection("COMPLEXITY_BUDGET_EXHAUSTED", "Complexity budget exhausted", reset, false);
            }

            _complexityUsed += cost;
            charge = new ComplexityCharge(before, before - cost, cost, reset);
            return null;
        }
    }

    /// <summary>Counts a completed call against the daily limit (0.1 for a call that only asked for <c>complexity</c>).</summary>
    public void CountDailyCall(bool complexityOnly)
    {
        lock (_gate)
        {
            _dailyTenths += complexityOnly ? 1 : 10;
        }
    }

    /// <summary>Records a call that failed before execution (validation etc.) as a full call: monday counts every request.</summary>
    public void CountFailedCall() => CountDailyCall(complexityOnly: false);

    /// <summary>The <c>RateLimit-Policy</c> header: static per tier.</summary>
    public string PolicyHeader() => string.Create(CultureInfo.InvariantCulture,
        $"\"minuteRate\";q={options.RequestsPerMinute};w={(int)options.Window.TotalSeconds}, \"concurrency\";q={options.MaxConcurrentRequests};qu=\"concurrent-requests\", \"complexityMinute\";q={options.ComplexityPerMinute};w={(int)options.Window.TotalSeconds};qu=\"content-bytes\"");

    /// <summary>The live <c>RateLimit</c> header; <c>t</c> appears for complexity when a window is running and for the others when exhausted.</summary>
    public string StateHeader()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            RollWindows(now);
            var minuteRemaining = Math.Max(0, options.RequestsPerMinute - _requestsInWindow);
            var minute = minuteRemaining == 0 && _requestWindowStart is { } rs
                ? string.Create(CultureInfo.InvariantCulture, $"\"minuteRate\";r=0;t={SecondsUntil(rs + options.Window, now)}")
                : string.Create(CultureInfo.InvariantCulture, $"\"minuteRate\";r={minuteRemaining}");
            var concurrencyRemaining = Math.Max(0, options.MaxConcurrentRequests - _inFlight);
            var concurrency = concurrencyRemaining == 0
                ? string.Create(CultureInfo.InvariantCulture, $"\"concurrency\";r=0;t={options.ConcurrencyRetryInSeconds}")
                : string.Create(CultureInfo.InvariantCulture, $"\"concurrency\";r={concurrencyRemaining}");
            var complexityRemaining = Math.Max(0, options.ComplexityPerMinute - _complexityUsed);
            var complexity = _complexityWindowStart is { } cs
                ? string.Create(CultureInfo.InvariantCulture, $"\"complexityMinute\";r={complexityRemaining};t={SecondsUntil(cs + options.Window, now)}")
                : string.Create(CultureInfo.InvariantCulture, $"\"complexityMinute\";r={complexityRemaining}");
            return $"{minute}, {concurrency}, {complexity}";
        }
    }

    /// <summary>Budget numbers for the <c>complexity</c> field when no charge happened (e.g. replays).</summary>
    public ComplexityCharge Peek()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            RollWindows(now);
            var remaining = (int)Math.Max(0, options.ComplexityPerMinute - _complexityUsed);
            var reset = _complexityWindowStart is { } cs ? SecondsUntil(cs + options.Window, now) : (int)options.Window.TotalSeconds;
            return new ComplexityCharge(remaining, remaining, 0, reset);
        }
    }

    private void RollWindows(DateTimeOffset now)
    {
        if (_ipWindowStart is { } ips && now >= ips + IpWindow)
        {
            _ipWindowStart = null;
            _requestsInIpWindow = 0;
        }

        if (_requestWindowStart is { } rs && now >= rs + options.Window)
        {
            _requestWindowStart = null;
            _requestsInWindow = 0;
        }

        if (_complexityWindowStart is { } cs && now >= cs + options.Window)
        {
            _complexityWindowStart = null;
            _complexityUsed = 0;
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (today != _day)
        {
            _day = today;
            _dailyTenths = 0;
        }
    }

    private static int SecondsUntil(DateTimeOffset moment, DateTimeOffset now) =>
        Math.Max(1, (int)Math.Ceiling((moment - now).TotalSeconds));
}
