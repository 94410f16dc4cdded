using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Octokit;
using Octokit.Internal;

namespace DiscordLedgerBot.Core.GitHub;

/// <summary>
/// Read-only GitHub readouts for every surface (MCP tools, slash commands, later voice intents): pull requests,
/// check runs with failures condensed, and review threads. REST goes through Octokit (it follows <c>Link</c>
/// pagination); review threads come from GraphQL because REST has no resolution state. Both ride the
/// <see cref="HttpClientName"/> handler chain, whose <see cref="GitHubRateLimitHandler"/> waits out rate limits.
/// </summary>
public sealed class GitHubReadouts(IHttpClientFactory clients, IHttpMessageHandlerFactory handlers, IOptionsMonitor<GitHubOptions> options)
{
    public const string HttpClientName = "github";

    /// <summary>GitHub's largest page: fewest requests for a long list.</summary>
    public const int MaxPageSize = 100;

    private const string ThreadsQuery = """
        query($owner: String!, $name: String!, $number: Int!, $cursor: String) {
          repository(owner: $owner, name: $name) {
            pullRequest(number: $number) {
              title url author { login }
              reviewThreads(first: 100, after: $cursor) {
                pageInfo { hasNextPage endCursor }
                nodes { id isResolved path line comments(first: 1) { nodes { author { login } body url } } }
              }
            }
          }
        }
        """;

    private static readonly Octokit.ProductHeaderValue Product = new("DiscordLedgerBot", "1");

    public bool Enabled => options.CurrentValue.Enabled;

    /// <summary>Up to <paramref name="limit"/> pull requests in <paramref name="state"/> (open, closed, all), newest first, paging 100 at a time.</summary>
    public async Task<PullRequestList> ListPullRequestsAsync(GitHubRepository repository, string state, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var filter = state switch
        {
            "open" => ItemStateFilter.Open,
            "closed" => ItemStateFilter.Closed,
            "all" => ItemStateFilter.All,
            _ => throw new ArgumentException($"state must be open, closed or all; got '{state}'.", nameof(state)),
        };
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var pageSize = Math.Min(limit, MaxPageSize);
        // One page beyond the limit is not read: asking for 1 more item than wanted tells whether the list was cut.
        var wanted = limit + 1;
        var pages = (wanted + pageSize - 1) / pageSize;
        var pulls = await CallAsync(
            client => client.PullRequest.GetAllForRepository(repository.Owner, repository.Name, new PullRequestRequest { State = filter, SortProperty = PullRequestSort.Updated, SortDirection = SortDirection.Descending }, new ApiOptions { PageSize = pageSize, PageCount = pages }),
            $"the pull requests of {repository}",
            cancellationToken).ConfigureAwait(false);
        return new PullRequestList(repository, state, [.. pulls.Take(limit).Select(Summary)], pulls.Count > limit);
    }

    /// <summary>The check runs on pull request <paramref name="number"/>'s head commit; each failed one condensed (first failing step, log link).</summary>
    public async Task<CheckRunReport> GetCheckRunsAsync(GitHubRepository repository, int number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var pull = await CallAsync(client => client.PullRequest.Get(repository.Owner, repository.Name, number), $"pull request #{number} of {repository}", cancellationToken).ConfigureAwait(false);
        var runs = await CallAsync(
            client => client.Check.Run.GetAllForReference(repository.Owner, repository.Name, pull.Head.Sha, new CheckRunRequest(), new ApiOptions { PageSize = MaxPageSize }),
            $"the check runs of {repository}#{number}",
            cancellationToken).ConfigureAwait(false);
        var summaries = new List<CheckRunSummary>(runs.CheckRuns.Count);
        foreach (var run in runs.CheckRuns.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var conclusion = run.Conclusion?.StringValue;
            var failure = conclusion is "failure" or "timed_out" or "action_required" or "startup_failure"
                ? await CondenseAsync(repository, run, cancellationToken).ConfigureAwait(false)
                : null;
            summaries.Add(new CheckRunSummary(run.Id, run.Name, run.Status.StringValue, conclusion, run.HtmlUrl, run.CompletedAt, failure));
        }

        return new CheckRunReport(repository, number, pull.Head.Sha, pull.HtmlUrl, summaries);
    }

    /// <summary>Every review thread of pull request <paramref name="number"/>, resolved or not (GraphQL, 100 per page).</summary>
    public async Task<ReviewThreadReport> GetReviewThreadsAsync(GitHubRepository repository, int number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var settings = Settings();
        var http = clients.CreateClient(HttpClientName);
        var threads = new List<ReviewThread>();
        string? cursor = null;
        JsonNode? pull;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, settings.ResolvedGraphQLUrl())
            {
                Content = JsonContent.Create(new JsonObject
                {
                    ["query"] = ThreadsQuery,
                    ["variables"] = new JsonObject { ["owner"] = repository.Owner, ["name"] = repository.Name, ["number"] = number, ["cursor"] = cursor },
                }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("bearer", settings.Token);
            request.Headers.UserAgent.Add(new System.Net.Http.Headers.ProductInfoHeaderValue(Product.Name, Product.Version));
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new GitHubReadoutException($"GitHub refused the review threads of {repository}#{number}: {(int)response.StatusCode} {Shorten(body)}");
            }

            var document = JsonNode.Parse(body);
            if (document?["errors"] is JsonArray { Count: > 0 } errors)
            {
                throw new GitHubReadoutException($"GitHub could not list the review threads of {repository}#{number}: {errors[0]?["message"]}");
            }

            pull = document?["data"]?["repository"]?["pullRequest"]
                ?? throw new GitHubReadoutException($"{repository} has no pull request #{number}, or the token cannot see it.");
            var page = pull["reviewThreads"];
            foreach (var node in page?["nodes"]?.AsArray() ?? [])
            {
                var first = node?["comments"]?["nodes"]?.AsArray().FirstOrDefault();
                threads.Add(new ReviewThread(
                    node!["id"]!.GetValue<string>(),
                    node["isResolved"]?.GetValue<bool>() ?? false,
                    node["path"]?.GetValue<string>(),
                    node["line"]?.GetValue<int?>(),
                    first?["author"]?["login"]?.GetValue<string>(),
                    first?["body"]?.GetValue<string>(),
                    first?["url"]?.GetValue<string>()));
            }

            cursor = page?["pageInfo"]?["hasNextPage"]?.GetValue<bool>() == true ? page["pageInfo"]!["endCursor"]?.GetValue<string>() : null;
        }
        while (cursor is not null);

        return new ReviewThreadReport(repository, number, pull["title"]?.GetValue<string>() ?? string.Empty, pull["author"]?["login"]?.GetValue<string>() ?? "ghost", pull["url"]?.GetValue<string>() ?? string.Empty, threads);
    }

    private async Task<CheckFailure> CondenseAsync(GitHubRepository repository, CheckRun run, CancellationToken cancellationToken)
    {
        var outputSummary = FirstLine(run.Output?.Title) ?? FirstLine(run.Output?.Summary);
        // An Actions check run's id is its job's id; the job lists its steps. Another app's run has only its output.
        if (run.App?.Slug is not (null or "github-actions"))
        {
            return new CheckFailure(null, null, outputSummary, run.DetailsUrl ?? run.HtmlUrl);
        }

        try
        {
            var job = await CallAsync(client => client.Actions.Workflows.Jobs.Get(repository.Owner, repository.Name, run.Id), $"job {run.Id}", cancellationToken).ConfigureAwait(false);
            var step = job.Steps?.OrderBy(s => s.Number).FirstOrDefault(s => s.Conclusion?.StringValue is "failure" or "timed_out");
            var logUrl = step is null ? job.HtmlUrl : $"{job.HtmlUrl}#step:{step.Number}:1";
            return new CheckFailure(step?.Name, step?.Number, outputSummary, logUrl);
        }
        catch (GitHubReadoutException missing) when (missing.InnerException is NotFoundException)
        {
            return new CheckFailure(null, null, outputSummary, run.DetailsUrl ?? run.HtmlUrl);
        }
    }

    private async Task<T> CallAsync<T>(Func<GitHubClient, Task<T>> call, string what, CancellationToken cancellationToken)
    {
        var settings = Settings();
        using var adapter = new HttpClientAdapter(() => handlers.CreateHandler(HttpClientName));
        var connection = new Connection(Product, settings.ApiUrl, new InMemoryCredentialStore(new Credentials(settings.Token, AuthenticationType.Bearer)), adapter, new SimpleJsonSerializer());
        // Octokit cancels a request after 100 s by default; a rate-limit wait below it may be longer than that.
        connection.SetRequestTimeout(TimeSpan.FromSeconds(100) + (settings.MaxRateLimitWait * (settings.MaxRetries + 1)));
        var client = new GitHubClient(connection);
        try
        {
            return await call(client).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SecondaryRateLimitExceededException limited)
        {
            throw new GitHubReadoutException($"GitHub's secondary rate limit stopped reading {what}; try again in a few minutes.", limited);
        }
        catch (RateLimitExceededException limited)
        {
            throw new GitHubReadoutException($"GitHub's rate limit ({limited.Limit}/hour) is used up until {limited.Reset:u}; reading {what} waits no longer than {settings.MaxRateLimitWait}.", limited);
        }
        catch (AuthorizationException denied)
        {
            throw new GitHubReadoutException($"GitHub refused the token for {what} (401); check GitHub:Token.", denied);
        }
        catch (ForbiddenException forbidden)
        {
            throw new GitHubReadoutException($"The token may not read {what} (403): {forbidden.Message}; see docs/operations/github-aws.md for the permissions it needs.", forbidden);
        }
        catch (NotFoundException missing)
        {
            throw new GitHubReadoutException($"GitHub has no {what}, or the token cannot see it (404).", missing);
        }
        catch (ApiException failed)
        {
            throw new GitHubReadoutException($"GitHub failed reading {what}: {(int)failed.StatusCode} {failed.Message}", failed);
        }
    }

    private GitHubOptions Settings()
    {
        var settings = options.CurrentValue;
        return settings.Enabled ? settings : throw new GitHubReadoutException("GitHub is not configured: set GitHub:Token (env GitHub__Token); see docs/operations/github-aws.md.");
    }

    private static PullRequestSummary Summary(PullRequest pull) => new(
        pull.Number,
        pull.Title,
        pull.User?.Login ?? "ghost",
        pull.Merged ? "merged" : pull.State.StringValue,
        pull.Draft,
        pull.Head?.Sha ?? string.Empty,
        pull.Head?.Ref ?? string.Empty,
        pull.Base?.Ref ?? string.Empty,
        pull.HtmlUrl,
        pull.UpdatedAt);

    private static string? FirstLine(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Trim().Split('\n', 2)[0].Trim() is { Length: > 200 } line ? line[..199] + "…" : text.Trim().Split('\n', 2)[0].Trim();

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
