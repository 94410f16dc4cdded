namespace DiscordLedgerBot.Emulators.Monday.Limits;

/// <summary>A finished response kept for replay.</summary>
internal sealed record CachedResponse(int StatusCode, byte[] Body, string ApiVersion);

internal enum IdempotencyOutcome
{
    Started,
    Replay,
    Conflict,
}

/// <summary>
/// monday's <c>Idempotency-Key</c> semantics for mutations: the first call runs and its response is kept for the
/// window; later calls with the key get that response; a duplicate while the first runs gets 409.
/// Keys are scoped by token (monday scopes per user+app).
/// </summary>
internal sealed class IdempotencyCache(TimeProvider time, TimeSpan window)
{
    /// <summary>monday does not cache responses larger than 1 MB.</summary>
    public const int MaxCachedBodyBytes = 1024 * 1024;

    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public IdempotencyOutcome Begin(string scope, string key, out CachedResponse? cached)
    {
        cached = null;
        var id = scope + "\n" + key;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            Purge(now);
            if (_entries.TryGetValue(id, out var entry))
            {
                if (entry.Response is null)
                {
                    return IdempotencyOutcome.Conflict;
                }

                cached = entry.Response;
                return IdempotencyOutcome.Replay;
            }

            _entries[id] = new Entry(null, now);
            return IdempotencyOutcome.Started;
        }
    }

    /// <summary>Stores the first execution's response, or forgets the key when the response is not cacheable.</summary>
    public void Complete(string scope, string key, CachedResponse? response)
    {
        var id = scope + "\n" + key;
        lock (_gate)
        {
            if (response is null || response.Body.Length > MaxCachedBodyBytes)
            {
                _entries.Remove(id);
                return;
            }

            _entries[id] = new Entry(response, time.GetUtcNow());
        }
    }

    private void Purge(DateTimeOffset now)
    {
        foreach (var expired in _entries.Where(e => e.Value.Response is not null && now - e.Value.StoredAt >= window).Select(e => e.Key).ToList())
        {
            _entries.Remove(expired);
        }
    }

    private sealed record Entry(CachedResponse? Response, DateTimeOffset StoredAt);
}
