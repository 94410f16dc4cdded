using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;

namespace DiscordLedgerBot.Discord.Rest;

/// <summary>
/// Learns buckets from <c>X-RateLimit-*</c> headers. Before a route's bucket id is known it has a provisional bucket
/// of its own; once learned, every route with the same bucket id and major parameter shares one state.
/// </summary>
internal sealed class RateLimitRegistry(TimeProvider timeProvider)
{
    /// <summary>
    /// Every this many reservations, buckets whose window has passed are dropped. Most keys are used once — each
    /// interaction's callback and webhook routes carry its own id and token — and would otherwise stay for the life of
    /// the process; a dropped bucket is exactly what a new one would be.
    /// </summary>
    internal const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<string, string> _bucketIdByRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RateLimitBucket> _buckets = new(StringComparer.Ordinal);
    private int _reservations;

    /// <summary>Buckets currently kept.</summary>
    public int Count => _buckets.Count;

    public RateLimitBucket BucketFor(DiscordRoute route)
    {
        var key = _bucketIdByRoute.TryGetValue(route.RouteKey, out var bucketId)
            ? $"{bucketId}|{route.MajorParameter}"
            : $"route:{route.QueueKey}";
        return _buckets.GetOrAdd(key, static _ => new RateLimitBucket());
    }

    /// <summary>Waits for a slot and returns the bucket it was taken from (call <see cref="RateLimitBucket.AttemptFinished"/> on it).</summary>
    public async ValueTask<RateLimitBucket> WaitForSlotAsync(DiscordRoute route, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Looked up on every pass: the route may have moved from its provisional bucket to a learned one meanwhile.
            var bucket = BucketFor(route);
            var now = timeProvider.GetUtcNow();
            var decision = bucket.TryReserve(now);
            if (decision.IsGranted)
            {
                if (Interlocked.Increment(ref _reservations) % SweepEvery == 0)
                {
                    Sweep(now);
                }

                return bucket;
            }

            await (decision.WaitFor?.WaitAsync(cancellationToken) ?? Task.Delay(decision.Wait, timeProvider, cancellationToken));
        }
    }

    /// <summary>Applies the headers of any response (success or not) to the route's bucket.</summary>
    public void Learn(DiscordRoute route, HttpResponseHeaders headers)
    {
        if (TryGetHeader(headers, "X-RateLimit-Bucket") is { Length: > 0 } bucketId)
        {
            _bucketIdByRoute[route.RouteKey] = bucketId;
        }

        if (TryGetInt(headers, "X-RateLimit-Remaining") is { } remaining && TryGetSeconds(headers, "X-RateLimit-Reset-After") is { } resetAfter)
        {
            BucketFor(route).Update(remaining, resetAfter, timeProvider.GetUtcNow());
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var pair in _buckets)
        {
            if (pair.Value.HoldsNothing(now))
            {
                _buckets.TryRemove(pair);
            }
        }
    }

    public void Exhaust(DiscordRoute route, TimeSpan retryAfter) =>
        BucketFor(route).Exhaust(retryAfter, timeProvider.GetUtcNow());

    internal static string? TryGetHeader(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    internal static TimeSpan? TryGetSeconds(HttpResponseHeaders headers, string name) =>
        double.TryParse(TryGetHeader(headers, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static int? TryGetInt(HttpResponseHeaders headers, string name) =>
        int.TryParse(TryGetHeader(headers, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
