using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Sync;

/// <summary>monday → bot sync, bound from the <c>Sync</c> configuration section.</summary>
public sealed class SyncOptions
{
    public const string SectionName = "Sync";

    /// <summary>Runs the poller in the bot process. Off: only webhooks (when a path token is set) bring monday's edits in.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the board is asked for items changed since the last poll.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Items whose <c>updated_at</c> is at most this much older than the last poll's newest one are read again: monday
    /// reports whole seconds and two edits can share one, so an edit in the same second as the watermark is not missed.
    /// </summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Items per page of the "newest changes first" listing (monday's maximum is 500).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Most pages one poll reads; the rest waits for the next poll (its watermark is not advanced past them).</summary>
    public int MaxPagesPerPoll { get; set; } = 20;

    /// <summary>
    /// The secret last segment of <c>POST /webhooks/monday/{token}</c>. monday's board webhooks are unsigned, so this
    /// token is what keeps strangers out. Empty: the webhook route is not mapped (answers 404).
    /// </summary>
    public string WebhookPathToken { get; set; } = string.Empty;

    /// <summary>The monday app's Signing Secret. When set, every delivery must carry an HS256 JWT signed with it.</summary>
    public string WebhookSigningSecret { get; set; } = string.Empty;

    /// <summary>How long a delivery's <c>triggerUuid</c> is remembered (monday retries failed deliveries for 30 minutes).</summary>
    public TimeSpan WebhookDedupeWindow { get; set; } = TimeSpan.FromHours(1);

    public override string ToString() =>
        $"Sync {{ Enabled = {Enabled}, PollInterval = {PollInterval}, WebhookPathToken = {(WebhookPathToken.Length == 0 ? "(none)" : "(redacted)")}, WebhookSigningSecret = {(WebhookSigningSecret.Length == 0 ? "(none)" : "(redacted)")} }}";
}

public sealed class SyncOptionsValidator : IValidateOptions<SyncOptions>
{
    public ValidateOptionsResult Validate(string? name, SyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.PollInterval < TimeSpan.FromMilliseconds(100) || options.PollInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"Sync:PollInterval must be between 00:00:00.1 and 1.00:00:00, got {options.PollInterval} (env Sync__PollInterval).");
        }

        if (options.Overlap < TimeSpan.FromSeconds(1) || options.Overlap > TimeSpan.FromHours(1))
        {
            failures.Add($"Sync:Overlap must be between 1 second and 1 hour (monday's updated_at has whole seconds), got {options.Overlap} (env Sync__Overlap).");
        }

        if (options.PageSize is < 1 or > 500)
        {
            failures.Add($"Sync:PageSize must be 1..500 (monday's items_page maximum), got {options.PageSize} (env Sync__PageSize).");
        }

        if (options.MaxPagesPerPoll is < 1 or > 1000)
        {
            failures.Add($"Sync:MaxPagesPerPoll must be 1..1000, got {options.MaxPagesPerPoll} (env Sync__MaxPagesPerPoll).");
        }

        if (options.WebhookPathToken.Length is > 0 and < 24)
        {
            failures.Add("Sync:WebhookPathToken must be at least 24 characters (it is the webhook's only protection) (env Sync__WebhookPathToken).");
        }

        if (options.WebhookPathToken.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_')))
        {
            failures.Add("Sync:WebhookPathToken may hold only letters, digits, '-' and '_' (it is a URL path segment) (env Sync__WebhookPathToken).");
        }

        if (options.WebhookDedupeWindow < TimeSpan.FromMinutes(31))
        {
            failures.Add("Sync:WebhookDedupeWindow must be at least 31 minutes (monday retries a delivery for 30) (env Sync__WebhookDedupeWindow).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
