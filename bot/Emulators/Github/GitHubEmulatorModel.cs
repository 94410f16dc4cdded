namespace DiscordLedgerBot.Emulators.Github;

/// <summary>How the emulated GitHub is set up: its port, the token it accepts, its clock and the hourly request budget.</summary>
public sealed class GitHubEmulatorOptions
{
    public int Port { get; set; }

    /// <summary>The token requests must carry (Authorization: token/bearer …); anything else is answered 401 Bad credentials.</summary>
    public string Token { get; set; } = "emulated-github-token";

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>x-ratelimit-limit of the primary (hourly) budget; a request past it is answered 403 with remaining 0.</summary>
    public int HourlyLimit { get; set; } = 5000;
}

/// <summary>The kinds of rate-limited answers GitHub gives, which a test injects ahead of the next request.</summary>
public enum GitHubLimitKind
{
    /// <summary>429 with retry-after (secondary limit as GitHub answers it today).</summary>
    TooManyRequestsRetryAfter,

    /// <summary>403 "You have exceeded a secondary rate limit" with retry-after.</summary>
    SecondaryForbiddenRetryAfter,

    /// <summary>403 "You have exceeded a secondary rate limit" with no header: the client waits at least a minute.</summary>
    SecondaryForbiddenBare,

    /// <summary>403 with x-ratelimit-remaining 0 and x-ratelimit-reset the given wait ahead (the primary budget used up).</summary>
    PrimaryExhausted,
}

/// <summary>One request as the emulator saw it: <see cref="Early"/> when it came before a rate-limit answer allowed.</summary>
public sealed record GitHubRequestRecord(string Method, string Path, string Query, DateTimeOffset At, int Status, bool Early);

/// <summary>An emulated repository: its pull requests, check runs (by commit), Actions jobs and review threads.</summary>
public sealed class EmulatedRepository(string owner, string name)
{
    private readonly Lock _lock = new();

    public string Owner { get; } = owner;

    public string Name { get; } = name;

    internal List<EmulatedPullRequest> PullRequests { get; } = [];

    internal List<EmulatedCheckRun> CheckRuns { get; } = [];

    internal Lock Sync => _lock;

    /// <summary>Adds an open pull request (numbers count up from 1); its head commit is derived from the number.</summary>
    public EmulatedPullRequest AddPullRequest(string title, string author, DateTimeOffset updatedAt, string state = "open")
    {
        lock (_lock)
        {
            var number = PullRequests.Count + 1;
            var pull = new EmulatedPullRequest(number, title, author, state, $"{number:x8}{new string('a', 32)}", $"feature/{number}", updatedAt);
            PullRequests.Add(pull);
            return pull;
        }
    }

    /// <summary>Adds a check run on <paramref name="pull"/>'s head commit; a GitHub Actions run also gets a job with <paramref name="steps"/>.</summary>
    public EmulatedCheckRun AddCheckRun(EmulatedPullRequest pull, string name, string conclusion, IReadOnlyList<(string Name, string Conclusion)>? steps = null, string? outputTitle = null, string? outputSummary = null)
    {
        ArgumentNullException.ThrowIfNull(pull);
        lock (_lock)
        {
            var run = new EmulatedCheckRun(9_000_000 + CheckRuns.Count + 1, pull.HeadSha, name, conclusion, steps ?? [], outputTitle, outputSummary);
            CheckRuns.Add(run);
            return run;
        }
    }

    public EmulatedPullRequest PullRequest(int number)
    {
        lock (_lock)
        {
            return PullRequests.Single(p => p.Number == number);
        }
    }
}

public sealed record EmulatedPullRequest(int Number, string Title, string Author, string State, string HeadSha, string HeadRef, DateTimeOffset UpdatedAt)
{
    private readonly List<EmulatedReviewThread> _threads = [];

    internal IReadOnlyList<EmulatedReviewThread> Threads
    {
        get
        {
            lock (_threads)
            {
                return [.. _threads];
            }
        }
    }

    /// <summary>Adds a review thread with its first comment; its id is a GraphQL-style global node id.</summary>
    public EmulatedReviewThread AddReviewThread(string author, string body, string path, int line, bool resolved = false)
    {
        lock (_threads)
        {
            var thread = new EmulatedReviewThread($"PRRT_kwDOemu{Number:D4}{_threads.Count + 1:D4}", path, line, author, body) { IsResolved = resolved };
            _threads.Add(thread);
            return thread;
        }
    }
}

public sealed record EmulatedReviewThread(string Id, string Path, int Line, string Author, string Body)
{
    public bool IsResolved { get; set; }
}

public sealed record EmulatedCheckRun(long Id, string HeadSha, string Name, string Conclusion, IReadOnlyList<(string Name, string Conclusion)> Steps, string? OutputTitle, string? OutputSummary);
