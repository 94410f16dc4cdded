using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DiscordLedgerBot.Emulators.Discord;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Emulators.Github;

/// <summary>
/// An in-process GitHub on 127.0.0.1: the REST subset the readouts use (pulls, a pull, check runs for a ref, an
/// Actions job) with <c>per_page</c>/<c>page</c> and RFC 8288 <c>Link</c> pagination and <c>x-ratelimit-*</c> headers
/// on every answer, plus GraphQL <c>reviewThreads</c>. Tests inject rate-limited answers (<see cref="LimitNext"/>);
/// a request that arrives before such an answer allowed is recorded as <see cref="GitHubRequestRecord.Early"/>.
/// </summary>
public sealed partial class GitHubEmulator : IAsyncDisposable
{
    private const int DefaultPageSize = 30;
    private const int MaxPageSize = 100;

    private readonly WebApplication _app;
    private readonly GitHubEmulatorOptions _options;
    private readonly ConcurrentDictionary<string, EmulatedRepository> _repositories = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<(GitHubLimitKind Kind, TimeSpan Wait)> _limits = new();
    private readonly ConcurrentDictionary<int, (GitHubLimitKind Kind, TimeSpan Wait)> _scheduled = new();
    private readonly Lock _budgetLock = new();
    private int _seen;
    private DateTimeOffset _allowedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _windowReset;
    private int _used;

    private GitHubEmulator(GitHubEmulatorOptions options)
    {
        _options = options;
        _windowReset = NextWindow(options.TimeProvider.GetUtcNow());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:port/ — set GitHub:ApiUrl to this (like https://api.github.com/).</summary>
    public Uri ApiUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>http://127.0.0.1:port/graphql — derived from ApiUrl by the client, as for github.com.</summary>
    public Uri GraphQLUrl => new(ApiUrl, "graphql");

    public string Token => _options.Token;

    public ObservableLog<GitHubRequestRecord> Requests { get; } = new();

    public int EarlyRequests => Requests.Snapshot().Count(r => r.Early);

    public static async Task<GitHubEmulator> StartAsync(GitHubEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var emulator = new GitHubEmulator(options ?? new GitHubEmulatorOptions());
        await emulator._app.StartAsync(cancellationToken);
        emulator.Port = LoopbackServer.BoundPort(emulator._app.Services);
        return emulator;
    }

    /// <summary>For <c>bot emulate github</c>: serves until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        await LoopbackServer.ServeUntilCancelledAsync(_options.TimeProvider, cancellationToken);
    }

    public EmulatedRepository Repository(string owner, string name) =>
        _repositories.GetOrAdd($"{owner}/{name}", _ => new EmulatedRepository(owner, name));

    /// <summary>The next request is answered with a rate-limited answer of <paramref name="kind"/> that asks for <paramref name="wait"/>.</summary>
    public void LimitNext(GitHubLimitKind kind, TimeSpan wait) => _limits.Enqueue((kind, wait));

    /// <summary>The <paramref name="requestNumber"/>th request (1-based, counting every request) is answered rate-limited.</summary>
    public void LimitRequest(int requestNumber, GitHubLimitKind kind, TimeSpan wait) => _scheduled[requestNumber] = (kind, wait);

    /// <summary>A small world for the sandbox: a repository with open PRs, a failing check and unresolved review threads.</summary>
    public void SeedSandbox(DateTimeOffset now)
    {
        var repository = Repository("ledger-hq", "discord-ledger-bot");
        if (repository.PullRequests.Count > 0)
        {
            return;
        }

        var pull = repository.AddPullRequest("Escalate overdue items to the team lead", "octo-dev", now.AddHours(-2));
        repository.AddPullRequest("Docs: sandbox walkthrough", "docs-writer", now.AddHours(-5));
        repository.AddPullRequest("Draft: voice intents for readouts", "octo-dev", now.AddDays(-1));
        repository.AddCheckRun(pull, "build", "success", [("Set up job", "success"), ("Build", "success")]);
        repository.AddCheckRun(pull, "test", "failure", [("Set up job", "success"), ("Restore", "success"), ("Run tests", "failure"), ("Upload results", "skipped")], "2 tests failed", "EscalationTests.Overdue_item_escalates failed\nAssert.Equal() Failure");
        pull.AddReviewThread("reviewer-a", "This loop never ends when the board is empty.", "core/Escalation/EscalationEngine.cs", 42);
        pull.AddReviewThread("reviewer-b", "Please log the policy name here.", "core/Escalation/EscalationPolicy.cs", 17);
        pull.AddReviewThread("reviewer-a", "Nit: typo.", "README.md", 3, resolved: true);
    }

    private async Task HandleAsync(HttpContext http)
    {
        var time = _options.TimeProvider;
        var now = time.GetUtcNow();
        var request = http.Request;
        bool early;
        lock (_budgetLock)
        {
            early = now < _allowedAt;
        }

        var (status, body, headers) = await AnswerAsync(http, now, early);
        Requests.Add(new GitHubRequestRecord(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, now, status, early));
        http.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            http.Response.Headers[name] = value;
        }

        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(body.ToJsonString());
    }

    private async Task<(int Status, JsonNode Body, List<(string, string)> Headers)> AnswerAsync(HttpContext http, DateTimeOffset now, bool early)
    {
        var headers = new List<(string, string)>();
        var arrival = Interlocked.Increment(ref _seen);
        if (!Authorized(http.Request))
        {
            return (401, Message("Bad credentials"), headers);
        }

        if (early)
        {
            // GitHub answers a request that ignored its hint with the limit again (and may ban the integration).
            return (403, Message("You have exceeded a secondary rate limit. Please wait a few minutes before you try again."), headers);
        }

        if (_scheduled.TryRemove(arrival, out var scheduled))
        {
            return Limited(scheduled.Kind, scheduled.Wait, now, headers);
        }

        if (_limits.TryDequeue(out var limit))
        {
            return Limited(limit.Kind, limit.Wait, now, headers);
        }

        int remaining;
        lock (_budgetLock)
        {
            if (now >= _windowReset)
            {
                _windowReset = NextWindow(now);
                _used = 0;
            }

            _used++;
            remaining = Math.Max(0, _options.HourlyLimit - _used);
        }

        AddBudgetHeaders(headers, remaining, _windowReset, http.Request.Path.StartsWithSegments("/graphql") ? "graphql" : "core");
        if (remaining == 0 && _used > _options.HourlyLimit)
        {
            lock (_budgetLock)
            {
                _allowedAt = _windowReset;
            }

            return (403, Message("API rate limit exceeded for installation."), headers);
        }

        var path = http.Request.Path.Value ?? "/";
        if (HttpMethods.IsPost(http.Request.Method) && path == "/graphql")
        {
            return (200, await GraphQLAsync(http.Request), headers);
        }

        if (!HttpMethods.IsGet(http.Request.Method))
        {
            return (404, Message("Not Found"), headers);
        }

        var match = RepoRoute().Match(path);
        if (!match.Success || !_repositories.TryGetValue($"{match.Groups["owner"].Value}/{match.Groups["repo"].Value}", out var repository))
        {
            return (404, Message("Not Found"), headers);
        }

        var rest = match.Groups["rest"].Value;
        var query = http.Request.Query;
        if (rest == "/pulls")
        {
            var state = query["state"].FirstOrDefault() ?? "open";
            List<EmulatedPullRequest> pulls;
            lock (repository.Sync)
            {
                pulls = [.. repository.PullRequests.Where(p => state == "all" || p.State == state).OrderByDescending(p => p.UpdatedAt).ThenByDescending(p => p.Number)];
            }

            return Page(http.Request, pulls, p => PullJson(repository, p), headers);
        }

        if (PullRoute().Match(rest) is { Success: true } pullMatch)
        {
            var number = int.Parse(pullMatch.Groups["n"].Value, CultureInfo.InvariantCulture);
            EmulatedPullRequest? pull;
            lock (repository.Sync)
            {
                pull = repository.PullRequests.FirstOrDefault(p => p.Number == number);
            }

            return pull is null ? (404, Message("Not Found"), headers) : (200, PullJson(repository, pull), headers);
        }

        if (CheckRunsRoute().Match(rest) is { Success: true } checkMatch)
        {
            var sha = checkMatch.Groups["ref"].Value;
            List<EmulatedCheckRun> runs;
            lock (repository.Sync)
            {
                runs = [.. repository.CheckRuns.Where(r => r.HeadSha == sha)];
            }

            var (status, page, pageHeaders) = Page(http.Request, runs, r => CheckRunJson(repository, r), headers);
            return (status, new JsonObject { ["total_count"] = runs.Count, ["check_runs"] = page }, pageHeaders);
        }

        if (JobRoute().Match(rest) is { Success: true } jobMatch)
        {
            var id = long.Parse(jobMatch.Groups["id"].Value, CultureInfo.InvariantCulture);
            EmulatedCheckRun? run;
            lock (repository.Sync)
            {
                run = repository.CheckRuns.FirstOrDefault(r => r.Id == id);
            }

            return run is null ? (404, Message("Not Found"), headers) : (200, JobJson(repository, run), headers);
        }

        return (404, Message("Not Found"), headers);
    }

    private (int, JsonNode, List<(string, string)>) Limited(GitHubLimitKind kind, TimeSpan wait, DateTimeOffset now, List<(string, string)> headers)
    {
        var seconds = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var secondary = Message("You have exceeded a secondary rate limit. Please wait a few minutes before you try again.");
        var allowedAt = kind == GitHubLimitKind.PrimaryExhausted
            ? DateTimeOffset.FromUnixTimeSeconds((now + wait).ToUnixTimeSeconds())
            : kind == GitHubLimitKind.SecondaryForbiddenBare ? now + TimeSpan.FromMinutes(1) : now + TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds));
        lock (_budgetLock)
        {
            _allowedAt = allowedAt;
        }

        switch (kind)
        {
            case GitHubLimitKind.TooManyRequestsRetryAfter:
                headers.Add(("retry-after", seconds));
                return (429, secondary, headers);
            case GitHubLimitKind.SecondaryForbiddenRetryAfter:
                headers.Add(("retry-after", seconds));
                return (403, secondary, headers);
            case GitHubLimitKind.SecondaryForbiddenBare:
                return (403, secondary, headers);
            default:
                AddBudgetHeaders(headers, 0, allowedAt, "core");
                return (403, Message("API rate limit exceeded for installation."), headers);
        }
    }

    private void AddBudgetHeaders(List<(string, string)> headers, int remaining, DateTimeOffset reset, string resource)
    {
        headers.Add(("x-ratelimit-limit", _options.HourlyLimit.ToString(CultureInfo.InvariantCulture)));
        headers.Add(("x-ratelimit-remaining", remaining.ToString(CultureInfo.InvariantCulture)));
        headers.Add(("x-ratelimit-used", (_options.HourlyLimit - remaining).ToString(CultureInfo.InvariantCulture)));
        headers.Add(("x-ratelimit-reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        headers.Add(("x-ratelimit-resource", resource));
    }

    private static (int, JsonNode, List<(string, string)>) Page<T>(HttpRequest request, List<T> items, Func<T, JsonNode> render, List<(string, string)> headers)
    {
        var perPage = Math.Clamp(int.TryParse(request.Query["per_page"], CultureInfo.InvariantCulture, out var size) ? size : DefaultPageSize, 1, MaxPageSize);
        var page = Math.Max(1, int.TryParse(request.Query["page"], CultureInfo.InvariantCulture, out var number) ? number : 1);
        var last = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var links = new List<string>();
        if (page < last)
        {
            links.Add($"<{PageUrl(request, page + 1, perPage)}>; rel=\"next\"");
            links.Add($"<{PageUrl(request, last, perPage)}>; rel=\"last\"");
        }

        if (page > 1)
        {
            links.Add($"<{PageUrl(request, 1, perPage)}>; rel=\"first\"");
            links.Add($"<{PageUrl(request, page - 1, perPage)}>; rel=\"prev\"");
        }

        if (links.Count > 0)
        {
            headers.Add(("Link", string.Join(", ", links)));
        }

        return (200, new JsonArray([.. items.Skip((page - 1) * perPage).Take(perPage).Select(render)]), headers);
    }

    private static string PageUrl(HttpRequest request, int page, int perPage)
    {
        var query = request.Query.Where(q => q.Key is not ("page" or "per_page")).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append($"per_page={perPage}").Append($"page={page}");
        return $"{request.Scheme}://{request.Host}{request.Path}?{string.Join("&", query)}";
    }

    private async Task<JsonNode> GraphQLAsync(HttpRequest request)
    {
        var document = await JsonNode.ParseAsync(request.Body);
        var query = document?["query"]?.GetValue<string>() ?? string.Empty;
        var variables = document?["variables"] as JsonObject ?? [];
        if (!query.Contains("reviewThreads", StringComparison.Ordinal))
        {
            return new JsonObject { ["errors"] = new JsonArray(Message("The emulator answers only pullRequest.reviewThreads queries.")) };
        }

        var owner = variables["owner"]?.GetValue<string>() ?? string.Empty;
        var name = variables["name"]?.GetValue<string>() ?? string.Empty;
        var number = variables["number"]?.GetValue<int>() ?? 0;
        var first = FirstArgument().Match(query) is { Success: true } firstMatch ? int.Parse(firstMatch.Groups[1].Value, CultureInfo.InvariantCulture) : 100;
        var offset = variables["cursor"]?.GetValue<string>() is { } cursor ? int.Parse(cursor.AsSpan("cursor:".Length), CultureInfo.InvariantCulture) : 0;
        if (!_repositories.TryGetValue($"{owner}/{name}", out var repository))
        {
            return new JsonObject { ["data"] = new JsonObject { ["repository"] = null }, ["errors"] = new JsonArray(Message($"Could not resolve to a Repository with the name '{owner}/{name}'.")) };
        }

        EmulatedPullRequest? pull;
        lock (repository.Sync)
        {
            pull = repository.PullRequests.FirstOrDefault(p => p.Number == number);
        }

        if (pull is null)
        {
            return new JsonObject { ["data"] = new JsonObject { ["repository"] = new JsonObject { ["pullRequest"] = null } }, ["errors"] = new JsonArray(Message($"Could not resolve to a PullRequest with the number of {number}.")) };
        }

        var threads = pull.Threads;
        var page = threads.Skip(offset).Take(first).ToList();
        var hasNext = offset + page.Count < threads.Count;
        return new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["repository"] = new JsonObject
                {
                    ["pullRequest"] = new JsonObject
                    {
                        ["title"] = pull.Title,
                        ["url"] = HtmlUrl(repository, $"pull/{pull.Number}"),
                        ["author"] = new JsonObject { ["login"] = pull.Author },
                        ["reviewThreads"] = new JsonObject
                        {
                            ["pageInfo"] = new JsonObject { ["hasNextPage"] = hasNext, ["endCursor"] = $"cursor:{offset + page.Count}" },
                            ["nodes"] = new JsonArray([.. page.Select(t => (JsonNode)new JsonObject
                            {
                                ["id"] = t.Id,
                                ["isResolved"] = t.IsResolved,
                                ["path"] = t.Path,
                                ["line"] = t.Line,
                                ["comments"] = new JsonObject
                                {
                                    ["nodes"] = new JsonArray(new JsonObject
                                    {
                                        ["author"] = new JsonObject { ["login"] = t.Author },
                                        ["body"] = t.Body,
                                        ["url"] = HtmlUrl(repository, $"pull/{pull.Number}#discussion_{t.Id}"),
                                    }),
                                },
                            })]),
                        },
                    },
                },
            },
        };
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        return space > 0
            && header[..space].ToLowerInvariant() is "token" or "bearer"
            && string.Equals(header[(space + 1)..].Trim(), _options.Token, StringComparison.Ordinal);
    }

    private static JsonObject PullJson(EmulatedRepository repository, EmulatedPullRequest pull) => new()
    {
        ["id"] = 1_000_000 + pull.Number,
        ["node_id"] = $"PR_kwDOemu{pull.Number:D6}",
        ["number"] = pull.Number,
        ["state"] = pull.State,
        ["title"] = pull.Title,
        ["draft"] = pull.Title.StartsWith("Draft", StringComparison.Ordinal),
        ["user"] = new JsonObject { ["login"] = pull.Author, ["id"] = Math.Abs(pull.Author.GetHashCode(StringComparison.Ordinal)) },
        ["html_url"] = HtmlUrl(repository, $"pull/{pull.Number}"),
        ["url"] = $"https://api.github.com/repos/{repository.Owner}/{repository.Name}/pulls/{pull.Number}",
        ["head"] = new JsonObject { ["ref"] = pull.HeadRef, ["sha"] = pull.HeadSha, ["label"] = $"{repository.Owner}:{pull.HeadRef}" },
        ["base"] = new JsonObject { ["ref"] = "main", ["sha"] = new string('b', 40), ["label"] = $"{repository.Owner}:main" },
        ["created_at"] = pull.UpdatedAt.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["updated_at"] = pull.UpdatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["merged_at"] = null,
    };

    private static JsonObject CheckRunJson(EmulatedRepository repository, EmulatedCheckRun run) => new()
    {
        ["id"] = run.Id,
        ["name"] = run.Name,
        ["head_sha"] = run.HeadSha,
        ["status"] = "completed",
        ["conclusion"] = run.Conclusion,
        ["html_url"] = HtmlUrl(repository, $"actions/runs/{run.Id / 10}/job/{run.Id}"),
        ["details_url"] = HtmlUrl(repository, $"actions/runs/{run.Id / 10}/job/{run.Id}"),
        ["started_at"] = "2026-11-21T08:00:00Z",
        ["completed_at"] = "2026-11-21T08:05:00Z",
        ["output"] = new JsonObject { ["title"] = run.OutputTitle, ["summary"] = run.OutputSummary, ["text"] = null, ["annotations_count"] = 0 },
        ["app"] = new JsonObject { ["id"] = 15368, ["slug"] = "github-actions", ["name"] = "GitHub Actions" },
        ["pull_requests"] = new JsonArray(),
    };

    private static JsonObject JobJson(EmulatedRepository repository, EmulatedCheckRun run) => new()
    {
        ["id"] = run.Id,
        ["run_id"] = run.Id / 10,
        ["name"] = run.Name,
        ["head_sha"] = run.HeadSha,
        ["status"] = "completed",
        ["conclusion"] = run.Conclusion,
        ["html_url"] = HtmlUrl(repository, $"actions/runs/{run.Id / 10}/job/{run.Id}"),
        ["started_at"] = "2026-11-21T08:00:00Z",
        ["completed_at"] = "2026-11-21T08:05:00Z",
        ["steps"] = new JsonArray([.. run.Steps.Select((s, i) => (JsonNode)new JsonObject
        {
            ["name"] = s.Name,
            ["status"] = "completed",
            ["conclusion"] = s.Conclusion,
            ["number"] = i + 1,
        })]),
    };

    private static string HtmlUrl(EmulatedRepository repository, string rest) => $"https://github.com/{repository.Owner}/{repository.Name}/{rest}";

    private static JsonObject Message(string message) => new() { ["message"] = message, ["documentation_url"] = "https://docs.github.com/rest" };

    private static DateTimeOffset NextWindow(DateTimeOffset now) => DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() + 3600);

    [GeneratedRegex("^/repos/(?<owner>[^/]+)/(?<repo>[^/]+)(?<rest>/.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex RepoRoute();

    [GeneratedRegex("^/pulls/(?<n>[0-9]{1,9})$", RegexOptions.CultureInvariant)]
    private static partial Regex PullRoute();

    [GeneratedRegex("^/commits/(?<ref>[^/]+)/check-runs$", RegexOptions.CultureInvariant)]
    private static partial Regex CheckRunsRoute();

    [GeneratedRegex("^/actions/jobs/(?<id>[0-9]{1,18})$", RegexOptions.CultureInvariant)]
    private static partial Regex JobRoute();

    [GeneratedRegex(@"reviewThreads\(first:\s*([0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex FirstArgument();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
