using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>Section "Outbox": how the flusher and the reconciler pace themselves.</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>Pause between flushes when the last one found nothing to send (a full batch is followed at once).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most records claimed per flush (one per ledger key); they go to monday as one batched call.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How long a claimed (Sent) record belongs to its flusher. After that a crashed flusher's records are
    /// reconciled and claimed again, so it must exceed the longest monday call including the client's own retries.
    /// </summary>
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Renew the leases of a batch every third of <see cref="ClaimDuration"/> while it is being sent, and check them
    /// before each send. On by default: with several processes on one store it is what keeps a slow batch from being
    /// claimed and sent a second time. Off only to measure what it prevents (docs/operations/scaling.md).
    /// </summary>
    public bool RenewLeases { get; set; } = true;

    /// <summary>How often lapsed claims are re-checked against monday (also done once at start).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>First wait after a temporary failure; doubles per attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Attempts after which a command that still fails temporarily is dead-lettered for an operator.</summary>
    public int MaxAttempts { get; set; } = 25;
}

public sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.FlushInterval <= TimeSpan.Zero || options.FlushInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add("Outbox:FlushInterval must be between 0 and 10 minutes (env Outbox__FlushInterval).");
        }

        if (options.BatchSize is < 1 or > 1000)
        {
            failures.Add("Outbox:BatchSize must be 1..1000 (env Outbox__BatchSize).");
        }

        if (options.ClaimDuration < TimeSpan.FromSeconds(1))
        {
            failures.Add("Outbox:ClaimDuration must be at least 1 second (env Outbox__ClaimDuration).");
        }

        if (options.ReconcileInterval <= TimeSpan.Zero)
        {
            failures.Add("Outbox:ReconcileInterval must be positive (env Outbox__ReconcileInterval).");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add("Outbox:RetryBaseDelay must be positive and not above Outbox:RetryMaxDelay (env Outbox__RetryBaseDelay, Outbox__RetryMaxDelay).");
        }

        if (options.MaxAttempts is < 1 or > 1000)
        {
            failures.Add("Outbox:MaxAttempts must be 1..1000 (env Outbox__MaxAttempts).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
