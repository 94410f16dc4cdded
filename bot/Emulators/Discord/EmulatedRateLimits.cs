using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// Fixed-window buckets per (bucket id, major parameter) plus the global per-second window. Answers every request with
/// X-RateLimit-* headers and decides 429s: when a window is spent, when the global limit is spent, or when a test
/// forced one. Requests arriving before a 429's retry_after elapsed are counted as <see cref="Violations"/>.
/// </summary>
internal sealed class EmulatedRateLimits(DiscordEmulatorOptions options)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly Queue<ForcedLimit> _forced = new();
    private Window _global = new(DateTimeOffset.MinValue, 0);
    private DateTimeOffset _globalBlockedUntil = DateTimeOffset.MinValue;

    private int _rateLimitedCount;
    private int _violations;

    public int RateLimitedCount
    {
        get
        {
            lock (_gate)
            {
                return _rateLimitedCount;
            }
        }
    }

    /// <summary>Requests that arrived while the client had been told to wait (the client ignored a wait hint).</summary>
    public int Violations
    {
        get
        {
            lock (_gate)
            {
                return _violations;
            }
        }
    }

    public void Force(EmulatedRateLimitScope scope, TimeSpan retryAfter, string? routeTemplate)
    {
        lock (_gate)
        {
            _forced.Enqueue(new ForcedLimit(scope, retryAfter, routeTemplate));
        }
    }

    /// <summary>Returns a 429 reply to send instead of handling the request, or null to proceed; sets headers either way.</summary>
    public Reply? Apply(HttpContext context, string method, string? template, string major)
    {
        var now = options.TimeProvider.GetUtcNow();
        var limit = FindLimit(method, template);
        var bucketId = limit.BucketId ?? BucketIdFor(method, template ?? context.Request.Path.Value ?? string.Empty);
        var countsGlobally = template is null || !template.StartsWith("/interactions/", StringComparison.Ordinal);
        var headers = context.Response.Headers;
        lock (_gate)
        {
            var key = bucketId + "|" + major;
            if (!_windows.TryGetValue(key, out var window) || now >= window.ResetAt)
            {
                window = new Window(now + limit.Window, 0);
            }

            var blockedByGlobal = countsGlobally && now < _globalBlockedUntil;
            if (blockedByGlobal || (window.Used >= limit.Limit && window.ForcedOrExceeded))
            {
                _violations++;
            }

            if (_forced.Count > 0 && (_forced.Peek().RouteTemplate is null || _forced.Peek().RouteTemplate == template))
            {
                var forced = _forced.Dequeue();
                if (forced.Scope == EmulatedRateLimitScope.Global)
                {
                    _globalBlockedUntil = now + forced.RetryAfter;
                }
                else
                {
                    _windows[key] = window with { ResetAt = now + forced.RetryAfter, Used = limit.Limit, ForcedOrExceeded = true };
                }

                return TooManyRequests(headers, forced.Scope, forced.RetryAfter, limit, bucketId, forced.Scope == EmulatedRateLimitScope.Global);
            }

            if (countsGlobally)
            {
                if (now >= _global.ResetAt)
                {
                    _global = new Window(now + TimeSpan.FromSeconds(1), 0);
                }

                if (blockedByGlobal || _global.Used >= options.GlobalRequestsPerSecond)
                {
                    var retry = blockedByGlobal ? _globalBlockedUntil - now : _global.ResetAt - now;
                    return TooManyRequests(headers, EmulatedRateLimitScope.Global, retry, limit, bucketId, global: true);
                }

                _global = _global with { Used = _global.Used + 1 };
            }

            if (window.Used >= limit.Limit)
            {
                _windows[key] = window with { ForcedOrExceeded = true };
                SetBucketHeaders(headers, limit.Limit, 0, window.ResetAt - now, now, bucketId);
                return TooManyRequests(headers, EmulatedRateLimitScope.User, window.ResetAt - now, limit, bucketId, global: false);
            }

            window = window with { Used = window.Used + 1 };
            _windows[key] = window;
            SetBucketHeaders(headers, limit.Limit, limit.Limit - window.Used, window.ResetAt - now, now, bucketId);
            return null;
        }
    }

    private static string BucketIdFor(string method, string template) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(method + " " + template)))[..16];

    private static void SetBucketHeaders(IHeaderDictionary headers, int limit, int remaining, TimeSpan resetAfter, DateTimeOffset now, string bucketId)
    {
        headers["X-RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = ((now + resetAfter).ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset-After"] = Math.Max(0, resetAfter.TotalSeconds).ToString("F3", CultureInfo.InvariantCulture);
        headers["X-RateLimit-Bucket"] = bucketId;
    }

    private EmulatedRouteLimit FindLimit(string method, string? template) =>
        options.RouteLimits.FirstOrDefault(limit =>
            (limit.Method == "*" || string.Equals(limit.Method, method, StringComparison.OrdinalIgnoreCase))
            && (limit.RouteTemplate == "*" || limit.RouteTemplate == template))
        ?? options.DefaultRouteLimit;

    // Called under _gate.
    private Reply TooManyRequests(IHeaderDictionary headers, EmulatedRateLimitScope scope, TimeSpan retryAfter, EmulatedRouteLimit limit, string bucketId, bool global)
    {
        _rateLimitedCount++;
        if (!global)
        {
            SetBucketHeaders(headers, limit.Limit, 0, retryAfter, options.TimeProvider.GetUtcNow(), bucketId);
        }
        else
        {
            headers["X-RateLimit-Global"] = "true";
        }

        headers["X-RateLimit-Scope"] = scope.ToString().ToLowerInvariant();
        headers["Retry-After"] = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        // The spec's RatelimitedResponse extends Error, whose code is required; Discord sends 0 on plain rate limits.
        return new Reply(StatusCodes.Status429TooManyRequests, new JsonObject
        {
            ["message"] = "You are being rate limited.",
            ["retry_after"] = Math.Round(retryAfter.TotalSeconds, 3),
            ["global"] = global,
            ["code"] = 0,
        });
    }

    private sealed record Window(DateTimeOffset ResetAt, int Used, bool ForcedOrExceeded = false);

    private sealed record ForcedLimit(EmulatedRateLimitScope Scope, TimeSpan RetryAfter, string? RouteTemplate);
}
