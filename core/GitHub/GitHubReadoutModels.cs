namespace DiscordLedgerBot.Core.GitHub;

/// <summary>One pull request as a readout shows it.</summary>
public sealed record PullRequestSummary(int Number, string Title, string Author, string State, bool Draft, string HeadSha, string HeadRef, string BaseRef, string Url, DateTimeOffset UpdatedAt);

/// <summary>A page of a repository's pull requests: <see cref="Truncated"/> when more exist than were asked for.</summary>
public sealed record PullRequestList(GitHubRepository Repository, string State, IReadOnlyList<PullRequestSummary> PullRequests, bool Truncated);

/// <summary>A check run; <see cref="Failure"/> is set for a failed one.</summary>
public sealed record CheckRunSummary(long Id, string Name, string Status, string? Conclusion, string? Url, DateTimeOffset? CompletedAt, CheckFailure? Failure);

/// <summary>
/// A failed check run condensed for a card: the first failing step (when the run is a GitHub Actions job, whose
/// steps the jobs API lists) and a link to that step's log; otherwise the run's own output title and summary.
/// </summary>
public sealed record CheckFailure(string? FailedStep, int? StepNumber, string? Summary, string? LogUrl);

/// <summary>The check runs on a pull request's head commit.</summary>
public sealed record CheckRunReport(GitHubRepository Repository, int PullRequest, string HeadSha, string PullRequestUrl, IReadOnlyList<CheckRunSummary> CheckRuns)
{
    public int Failed => CheckRuns.Count(c => c.Failure is not null);

    public int Pending => CheckRuns.Count(c => c.Status != "completed");
}

/// <summary>A review thread on a pull request (GraphQL <c>reviewThreads</c>), with its first comment.</summary>
public sealed record ReviewThread(string Id, bool IsResolved, string? Path, int? Line, string? Author, string? Body, string? Url);

/// <summary>A pull request's review threads and what a ledger item for them needs.</summary>
public sealed record ReviewThreadReport(GitHubRepository Repository, int PullRequest, string Title, string Author, string Url, IReadOnlyList<ReviewThread> Threads);

/// <summary>A GitHub readout could not be given; the message says why in words a person can act on.</summary>
public sealed class GitHubReadoutException(string message, Exception? inner = null) : Exception(message, inner);
