using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.GitHub;

/// <summary>
/// The process-wide "not before" instant GitHub's rate-limit headers set: every GitHub request waits for it, so after
/// a limited answer no request (of any readout) reaches GitHub before the time GitHub named.
/// </summary>
public sealed class GitHubRateLimitGate(TimeProvider time)
{
    private readonly Lock _lock = new();
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;

    public DateTimeOffset NotBefore
    {
        get
        {
            lock (_lock)
            {
                return _notBefore;
            }
        }
    }

    public void Block(DateTimeOffset until)
    {
        lock (_lock)
        {
            if (until > _notBefore)
            {
                _notBefore = until;
            }
        }
    }

    public async Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        var wait = NotBefore - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Honours GitHub's rate limits below Octokit, so a limited answer in the middle of a paginated read is retried in
/// place (the pages already read are not fetched again): <c>retry-after</c> first, then <c>x-ratelimit-remaining: 0</c>
/// with <c>x-ratelimit-reset</c>, and for a secondary limit without either header a minute doubled per retry (GitHub's
/// guidance). A wait longer than <see cref="GitHubOptions.MaxRateLimitWait"/>, or retries exhausted, hands the limited
/// answer to Octokit, which raises RateLimitExceededException / SecondaryRateLimitExceededException.
/// </summary>
public sealed partial class GitHubRateLimitHandler(GitHubRateLimitGate gate, TimeProvider time, IOptionsMonitor<GitHubOptions> options, ILogger<GitHubRateLimitHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        for (var attempt = 0; ; attempt++)
        {
            await gate.WaitTurnAsync(cancellationToken).ConfigureAwait(false);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var limited = await IsRateLimitedAsync(response, cancellationToken).ConfigureAwait(false);
            if (!limited)
            {
                // The last request of the window succeeded: the next one would be refused, so wait for the reset first.
                if (Remaining(response) == 0 && Reset(response) is { } reset)
                {
                    gate.Block(reset);
                }

                return response;
            }

            var wait = RetryDelay(response, now, attempt);
            if (attempt >= settings.MaxRetries || wait > settings.MaxRateLimitWait)
            {
                LogGivingUp(logger, request.RequestUri?.AbsolutePath, (int)response.StatusCode, wait);
                return response;
            }

            LogWaiting(logger, request.RequestUri?.AbsolutePath, (int)response.StatusCode, wait);
            gate.Block(now + wait);
            response.Dispose();
        }
    }

    /// <summary>The wait GitHub asked for: retry-after seconds, else until x-ratelimit-reset when none remain, else a minute doubling per retry.</summary>
    public static TimeSpan RetryDelay(HttpResponseMessage response, DateTimeOffset now, int attempt)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta;
            }

            if (retryAfter.Date is { } date)
            {
                return date > now ? date - now : TimeSpan.Zero;
            }
        }

        if (Remaining(response) == 0 && Reset(response) is { } reset)
        {
            return reset > now ? reset - now : TimeSpan.Zero;
        }

        return TimeSpan.FromMinutes(Math.Pow(2, Math.Min(attempt, 6)));
    }

    private static async Task<bool> IsRateLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return true;
        }

        if (response.StatusCode != HttpStatusCode.Forbidden)
        {
            return false;
        }

        if (Remaining(response) == 0 || response.Headers.RetryAfter is not null)
        {
            return true;
        }

        // A secondary limit may come as a bare 403; only its message tells it from a permission problem. Buffered, so Octokit reads it again.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return body.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase);
    }

    private static int? Remaining(HttpResponseMessage response) =>
        Header(response, "x-ratelimit-remaining") is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static DateTimeOffset? Reset(HttpResponseMessage response) =>
        Header(response, "x-ratelimit-reset") is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "GitHub rate-limited {Path} ({Status}); waiting {Wait} as its headers ask")]
    private static partial void LogWaiting(ILogger logger, string? path, int status, TimeSpan wait);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "GitHub rate-limited {Path} ({Status}) for {Wait}, longer than allowed or retries exhausted; reporting it")]
    private static partial void LogGivingUp(ILogger logger, string? path, int status, TimeSpan wait);
}
