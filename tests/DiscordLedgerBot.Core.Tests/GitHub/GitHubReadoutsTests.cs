using DiscordLedgerBot.Core.GitHub;
using DiscordLedgerBot.Emulators.Github;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Core.Tests.GitHub;

/// <summary>The GitHub readouts (Octokit + the rate-limit handler) against the GitHub emulator over loopback sockets, on one fake clock.</summary>
public sealed class GitHubReadoutsTests : IAsyncLifetime
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    private static readonly GitHubRepository Repo = new("acme", "rocket");

    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private GitHubEmulator _github = null!;
    private ServiceProvider _services = null!;

    private GitHubReadouts Readouts => _services.GetRequiredService<GitHubReadouts>();

    public async Task InitializeAsync()
    {
        _github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { TimeProvider = _time, Token = "ghp_test_token_0123456789" });
        _services = Compose(_github, _time);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _github.DisposeAsync();
    }

    internal static ServiceProvider Compose(GitHubEmulator github, TimeProvider time, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["GitHub:ApiUrl"] = github.ApiUrl.ToString(), ["GitHub:Token"] = github.Token };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddLogging();
        services.AddGitHubReadouts(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_250_pr_repository_pages_by_its_link_headers_100_at_a_time_with_nothing_lost_or_repeated()
    {
        var repository = _github.Repository(Repo.Owner, Repo.Name);
        for (var i = 0; i < 250; i++)
        {
            repository.AddPullRequest($"Change {i + 1}", $"dev{i % 7}", TestTime.Start.AddMinutes(-i));
        }

        var all = await Readouts.ListPullRequestsAsync(Repo, "open", 1000, CancellationToken.None);
        var pulls = _github.Requests.Snapshot();

        Assert.Equal(250, all.PullRequests.Count);
        Assert.False(all.Truncated);
        Assert.Equal(Enumerable.Range(1, 250), all.PullRequests.Select(p => p.Number));
        Assert.Equal(["1", "2", "3"], pulls.Select(r => System.Text.RegularExpressions.Regex.Match(r.Query, "[?&]page=([0-9]+)") is { Success: true } page ? page.Groups[1].Value : "1"));
        Assert.All(pulls, r => Assert.Contains("per_page=100", r.Query, StringComparison.Ordinal));
        Assert.Equal("dev0", all.PullRequests[0].Author);
    }

    [Fact]
    public async Task A_limit_reads_only_the_pages_it_needs_and_says_the_list_was_cut()
    {
        var repository = _github.Repository(Repo.Owner, Repo.Name);
        for (var i = 0; i < 250; i++)
        {
            repository.AddPullRequest($"Change {i + 1}", "dev", TestTime.Start.AddMinutes(-i));
        }

        var some = await Readouts.ListPullRequestsAsync(Repo, "open", 120, CancellationToken.None);

        Assert.Equal(120, some.PullRequests.Count);
        Assert.True(some.Truncated);
        Assert.Equal(2, _github.Requests.Count);
    }

    [Theory]
    [InlineData(GitHubLimitKind.TooManyRequestsRetryAfter, 30)]
    [InlineData(GitHubLimitKind.SecondaryForbiddenRetryAfter, 45)]
    [InlineData(GitHubLimitKind.PrimaryExhausted, 90)]
    [InlineData(GitHubLimitKind.SecondaryForbiddenBare, 0)]
    public async Task A_rate_limited_answer_is_waited_out_as_told_with_no_extra_request(GitHubLimitKind kind, int seconds)
    {
        _github.Repository(Repo.Owner, Repo.Name).AddPullRequest("Only one", "dev", TestTime.Start);
        _github.LimitNext(kind, TimeSpan.FromSeconds(seconds));

        var list = await Eventually.CompletesAsync(_time, Readouts.ListPullRequestsAsync(Repo, "open", 10, CancellationToken.None), Step);
        var requests = _github.Requests.Snapshot();

        Assert.Single(list.PullRequests);
        Assert.Equal(2, requests.Count);
        Assert.Equal(0, _github.EarlyRequests);
        Assert.NotEqual(200, requests[0].Status);
        Assert.Equal(200, requests[1].Status);
        // A bare secondary limit names no time: GitHub asks for at least a minute.
        var asked = kind == GitHubLimitKind.SecondaryForbiddenBare ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(seconds);
        // The fake clock keeps moving (a step at a time) while a request is on the wire, so the gap may run a few steps over.
        Assert.InRange(requests[1].At - requests[0].At, asked - TimeSpan.FromSeconds(1), asked + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_limit_in_the_middle_of_paging_retries_that_page_only()
    {
        var repository = _github.Repository(Repo.Owner, Repo.Name);
        for (var i = 0; i < 250; i++)
        {
            repository.AddPullRequest($"Change {i + 1}", "dev", TestTime.Start.AddMinutes(-i));
        }

        _github.LimitRequest(2, GitHubLimitKind.TooManyRequestsRetryAfter, TimeSpan.FromSeconds(20));

        var all = await Eventually.CompletesAsync(_time, Readouts.ListPullRequestsAsync(Repo, "open", 1000, CancellationToken.None), Step);
        var requests = _github.Requests.Snapshot();

        Assert.Equal(250, all.PullRequests.Select(p => p.Number).Distinct().Count());
        Assert.Equal(4, requests.Count);
        Assert.Equal([200, 429, 200, 200], requests.Select(r => r.Status));
        Assert.Equal(requests[1].Query, requests[2].Query);
        Assert.Equal(0, _github.EarlyRequests);
    }

    [Fact]
    public async Task A_wait_longer_than_allowed_is_reported_with_the_reset_and_nothing_more_is_sent()
    {
        _github.Repository(Repo.Owner, Repo.Name).AddPullRequest("Only one", "dev", TestTime.Start);
        _github.LimitNext(GitHubLimitKind.PrimaryExhausted, TimeSpan.FromMinutes(40));

        var failure = await Assert.ThrowsAsync<GitHubReadoutException>(() => Readouts.ListPullRequestsAsync(Repo, "open", 10, CancellationToken.None));

        Assert.Contains("rate limit", failure.Message, StringComparison.Ordinal);
        Assert.Contains((TestTime.Start + TimeSpan.FromMinutes(40)).ToString("u", System.Globalization.CultureInfo.InvariantCulture)[..16], failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, _github.Requests.Count);
    }

    [Fact]
    public async Task A_failing_check_run_is_condensed_to_its_first_failing_step_with_a_link_to_that_steps_log()
    {
        var repository = _github.Repository(Repo.Owner, Repo.Name);
        var pull = repository.AddPullRequest("Fix the launch", "dev", TestTime.Start);
        repository.AddCheckRun(pull, "build", "success", [("Build", "success")]);
        repository.AddCheckRun(pull, "test", "failure", [("Set up job", "success"), ("Run tests", "failure"), ("Lint", "failure")], "2 tests failed", "LaunchTests failed\nmore");

        var report = await Readouts.GetCheckRunsAsync(Repo, pull.Number, CancellationToken.None);

        Assert.Equal(pull.HeadSha, report.HeadSha);
        Assert.Equal(["build", "test"], report.CheckRuns.Select(r => r.Name));
        Assert.Equal(1, report.Failed);
        var failure = report.CheckRuns[1].Failure!;
        Assert.Equal("Run tests", failure.FailedStep);
        Assert.Equal(2, failure.StepNumber);
        Assert.Equal("2 tests failed", failure.Summary);
        Assert.EndsWith("#step:2:1", failure.LogUrl, StringComparison.Ordinal);
        Assert.Null(report.CheckRuns[0].Failure);
    }

    [Fact]
    public async Task Review_threads_come_from_graphql_with_their_resolution_state_across_pages()
    {
        var pull = _github.Repository(Repo.Owner, Repo.Name).AddPullRequest("Fix the launch", "dev", TestTime.Start);
        for (var i = 0; i < 130; i++)
        {
            pull.AddReviewThread("reviewer", $"Comment {i}", "src/a.cs", i + 1, resolved: i % 2 == 0);
        }

        var report = await Readouts.GetReviewThreadsAsync(Repo, pull.Number, CancellationToken.None);

        Assert.Equal(130, report.Threads.Count);
        Assert.Equal(65, report.Threads.Count(t => !t.IsResolved));
        Assert.Equal("dev", report.Author);
        Assert.Equal(2, _github.Requests.Count);
    }

    [Fact]
    public async Task A_bad_token_or_a_missing_repository_is_a_specific_error()
    {
        await using var wrongToken = Compose(_github, _time, ("GitHub:Token", "ghp_wrong"));

        var denied = await Assert.ThrowsAsync<GitHubReadoutException>(() => wrongToken.GetRequiredService<GitHubReadouts>().ListPullRequestsAsync(Repo, "open", 10, CancellationToken.None));
        var missing = await Assert.ThrowsAsync<GitHubReadoutException>(() => Readouts.ListPullRequestsAsync(new GitHubRepository("acme", "nothing"), "open", 10, CancellationToken.None));

        Assert.Contains("GitHub:Token", denied.Message, StringComparison.Ordinal);
        Assert.Contains("404", missing.Message, StringComparison.Ordinal);
    }
}
