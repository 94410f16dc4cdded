using System.Security.Cryptography;
using System.Text;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.GitHub;

/// <summary>What tracking a pull request's review threads did: threads seen, unresolved, newly recorded, already on the ledger.</summary>
public sealed record ReviewThreadTracking(GitHubRepository Repository, int PullRequest, string PullRequestUrl, int Threads, int Unresolved, IReadOnlyList<string> Recorded, IReadOnlyList<string> AlreadyTracked);

/// <summary>
/// Makes each unresolved review thread of a pull request an owned ledger item linked to the PR, through the outbox.
/// One item per thread however often it runs: the ledger key and the idempotency key
/// (<c>github:thread:&lt;owner&gt;/&lt;repo&gt;/&lt;threadId&gt;</c>) derive from the thread's global id, an entry
/// already on the ledger is left alone, and the outbox refuses a second create under the same key.
/// The owner is the PR author, or what <see cref="GitHubOptions.Owners"/> maps that login to.
/// </summary>
public sealed partial class ReviewThreadLedger(GitHubReadouts github, LedgerIngestion ingestion, ILedger ledger, IOptionsMonitor<GitHubOptions> options, ILogger<ReviewThreadLedger> logger)
{
    public async Task<ReviewThreadTracking> TrackAsync(GitHubRepository repository, int number, string? discordChannelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var report = await github.GetReviewThreadsAsync(repository, number, cancellationToken).ConfigureAwait(false);
        var owner = options.CurrentValue.Owners.TryGetValue(report.Author, out var mapped) ? mapped : report.Author;
        var recorded = new List<string>();
        var existing = new List<string>();
        foreach (var thread in report.Threads.Where(t => !t.IsResolved))
        {
            var key = KeyOf(repository, thread.Id);
            if (await ledger.FindByKeyAsync(key, cancellationToken).ConfigureAwait(false) is not null)
            {
                existing.Add(key.Value);
                continue;
            }

            var idempotencyKey = $"github:thread:{repository}/{thread.Id}";
            var create = new CreateLedgerEntry(idempotencyKey, key, TitleOf(report, thread), LedgerSource.Github)
            {
                Owner = owner,
                DiscordChannelId = discordChannelId,
            };
            try
            {
                var result = await ingestion.RecordAsync(create, cancellationToken).ConfigureAwait(false);
                // The link travels as the entry's first update, recorded under its own key so a rerun adds none.
                await ingestion.RecordAsync(new CommentOnLedgerEntry($"{idempotencyKey}:link", key, LinkOf(report, thread)), cancellationToken).ConfigureAwait(false);
                (result.IsDuplicate ? existing : recorded).Add(key.Value);
            }
            catch (OutboxIdempotencyConflictException)
            {
                // Recorded earlier from an older text of the thread (its first comment was edited since): still one item.
                existing.Add(key.Value);
            }
        }

        LogTracked(logger, repository.ToString(), number, recorded.Count, existing.Count);
        return new ReviewThreadTracking(repository, number, report.Url, report.Threads.Count, report.Threads.Count(t => !t.IsResolved), recorded, existing);
    }

    /// <summary><c>github:&lt;owner&gt;.&lt;repo&gt;:&lt;threadId&gt;</c> when it fits the ledger key's 100 characters, else a hash of it.</summary>
    public static LedgerKey KeyOf(GitHubRepository repository, string threadId)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var readable = $"github:{repository.Owner}.{repository.Name}:{threadId}";
        if (LedgerKey.TryParse(readable, out var key, out _))
        {
            return key;
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{repository}/{threadId}")))[..32].ToLowerInvariant();
        return LedgerKey.Parse($"github:thread:{hash}");
    }

    private static string TitleOf(ReviewThreadReport report, ReviewThread thread)
    {
        var where = thread.Path is null ? string.Empty : thread.Line is { } line ? $" ({thread.Path}:{line})" : $" ({thread.Path})";
        var title = $"Resolve review thread on {report.Repository}#{report.PullRequest}{where}";
        return title.Length <= 255 ? title : title[..254] + "…";
    }

    private static string LinkOf(ReviewThreadReport report, ReviewThread thread)
    {
        var quote = thread.Body is { Length: > 0 } body ? (body.Length <= 500 ? body : body[..499] + "…") : "(no comment text)";
        return $"Pull request: {report.Url} ({report.Title})\nThread: {thread.Url ?? report.Url}\n{thread.Author ?? "someone"} wrote: {quote}";
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "Review threads of {Repository}#{Number}: {Recorded} recorded on the ledger, {Existing} already there")]
    private static partial void LogTracked(ILogger logger, string repository, int number, int recorded, int existing);
}
