namespace DiscordLedgerBot.Core.Outbox;

/// <summary>
/// When a temporarily failed command is tried again: exponential back-off from <see cref="OutboxOptions.RetryBaseDelay"/>
/// capped at <see cref="OutboxOptions.RetryMaxDelay"/>, never sooner than monday's own wait hint; after
/// <see cref="OutboxOptions.MaxAttempts"/> the command is dead-lettered instead. No jitter: one flusher sends each
/// due batch as a single request, so retries of many commands do not stampede.
/// </summary>
public sealed class OutboxRetryPolicy(OutboxOptions options)
{
    /// <summary>The retry time for the <paramref name="attempts"/>-th failed attempt, or null to dead-letter.</summary>
    public DateTimeOffset? NextAttempt(int attempts, TimeSpan? serverHint, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        if (attempts >= options.MaxAttempts)
        {
            return null;
        }

        var exponent = Math.Min(attempts - 1, 30);
        var backoff = TimeSpan.FromTicks((long)Math.Min(options.RetryBaseDelay.Ticks * Math.Pow(2, exponent), options.RetryMaxDelay.Ticks));
        var wait = serverHint is { } hint && hint > backoff ? (hint < options.RetryMaxDelay ? hint : options.RetryMaxDelay) : backoff;
        return now + wait;
    }
}
