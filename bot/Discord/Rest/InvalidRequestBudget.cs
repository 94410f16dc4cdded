namespace DiscordLedgerBot.Discord.Rest;

/// <summary>
/// Counts 401/403/429 answers over a rolling 10 minutes. Cloudflare bans an IP at 10,000; past our safety threshold
/// the client refuses to send until old entries age out.
/// </summary>
internal sealed class InvalidRequestBudget(int safetyThreshold, TimeProvider timeProvider)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly object _gate = new();
    private readonly Queue<DateTimeOffset> _invalidAt = new();

    public int CountInWindow
    {
        get
        {
            lock (_gate)
            {
                Prune(timeProvider.GetUtcNow());
                return _invalidAt.Count;
            }
        }
    }

    public void Record()
    {
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            Prune(now);
            _invalidAt.Enqueue(now);
        }
    }

    public void ThrowIfExhausted()
    {
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            Prune(now);
            if (_invalidAt.Count >= safetyThreshold)
            {
                var clearsIn = _invalidAt.Peek() + Window - now;
                throw new DiscordRestUnavailableException(
                    $"{_invalidAt.Count} requests were answered 401/403/429 in the last 10 minutes (safety threshold {safetyThreshold} of Discord's 10,000): refusing to send for {clearsIn.TotalSeconds:F0} s to avoid an IP ban.");
            }
        }
    }

    private void Prune(DateTimeOffset now)
    {
        while (_invalidAt.Count > 0 && now - _invalidAt.Peek() >= Window)
        {
            _invalidAt.Dequeue();
        }
    }
}
