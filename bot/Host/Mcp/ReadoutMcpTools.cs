using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Api;
using DiscordLedgerBot.Core.Aws;
using DiscordLedgerBot.Core.GitHub;
using DiscordLedgerBot.Core.Scoping;

namespace DiscordLedgerBot.Mcp;

/// <summary>
/// The GitHub and AWS readout tools. They call the same core services as the /github and /aws slash commands (and a
/// voice intent later); a request without a repository or region uses its channel's (<see cref="ChannelScopes"/>).
/// </summary>
public static class ReadoutMcpTools
{
    private static readonly JsonSerializerOptions Json = ApiJson.Options;

    public static IReadOnlyList<McpToolSpec> All { get; } =
    [
        new(
            "github.list_pull_requests",
            "Lists a repository's pull requests, most recently updated first, paging through GitHub (100 a page) up to 'limit'.",
            Properties(Repo(), Channel(), ("state", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("open", "closed", "all") }), ("limit", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 1000, ["description"] = "Default 30" }), Fields()),
            [],
            ReadOnly: true,
            Destructive: false,
            [ApiScopes.GitHubRead],
            ["repository", "count", "truncated", "pullRequests"],
            ListPullRequestsAsync),
        new(
            "github.get_check_runs",
            "Lists the check runs on a pull request's head commit; each failed run is condensed to its first failing step with a link to that step's log.",
            Properties(Repo(), Channel(), Pr(), Fields()),
            ["pr"],
            ReadOnly: true,
            Destructive: false,
            [ApiScopes.GitHubRead],
            ["repository", "pullRequest", "headSha", "failed", "pending", "checkRuns"],
            GetCheckRunsAsync),
        new(
            "github.track_review_threads",
            "Makes each unresolved review thread of a pull request a ledger item owned by the PR author (or their mapped owner), linked to the PR; one item per thread however often it runs.",
            Properties(Repo(), Channel(), Pr(), Fields()),
            ["pr"],
            ReadOnly: false,
            Destructive: false,
            [ApiScopes.GitHubRead, ApiScopes.LedgerWrite],
            ["repository", "pullRequest", "threads", "unresolved", "recorded", "alreadyTracked"],
            TrackReviewThreadsAsync),
        new(
            "aws.cloudwatch_get_metric",
            "Reads a CloudWatch metric series (GetMetricData) over the last 'minutes'; with 'threshold', breaching points make a structured incident payload.",
            Properties([.. MetricArguments(), Fields()]),
            ["namespace", "metricName"],
            ReadOnly: true,
            Destructive: false,
            [ApiScopes.AwsRead],
            ["region", "label", "statusCode", "count", "latest", "maximum", "average", "incident"],
            GetMetricAsync),
        new(
            "aws.triage_incident",
            "One step of an incident triage session on a metric: the first breaching snapshot opens an incident item on the ledger (due today, owned by 'owner'); each step adds a timeline update; the first step back under the threshold adds a 'validate the recovery' item due tomorrow, which the escalation engine reminds about.",
            Properties([.. MetricArguments(), ("owner", new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 255 }), ("note", new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 2000, ["description"] = "What the responder found or did, kept on the timeline" }), Fields()]),
            ["namespace", "metricName", "threshold"],
            ReadOnly: false,
            Destructive: false,
            [ApiScopes.AwsRead, ApiScopes.LedgerWrite],
            ["incidentKey", "state", "created", "validationKey", "validationDue", "incident"],
            TriageAsync),
    ];

    private static async Task<JsonObject> ListPullRequestsAsync(McpToolCall call)
    {
        var repository = Repository(call);
        var list = await call.Get<GitHubReadouts>().ListPullRequestsAsync(repository, call.Text("state") ?? "open", call.Integer("limit") ?? 30, call.CancellationToken);
        return new JsonObject
        {
            ["repository"] = repository.ToString(),
            ["state"] = list.State,
            ["count"] = list.PullRequests.Count,
            ["truncated"] = list.Truncated,
            ["pullRequests"] = JsonSerializer.SerializeToNode(list.PullRequests, Json),
        };
    }

    private static async Task<JsonObject> GetCheckRunsAsync(McpToolCall call)
    {
        var report = await call.Get<GitHubReadouts>().GetCheckRunsAsync(Repository(call), call.Integer("pr")!.Value, call.CancellationToken);
        return new JsonObject
        {
            ["repository"] = report.Repository.ToString(),
            ["pullRequest"] = report.PullRequest,
            ["pullRequestUrl"] = report.PullRequestUrl,
            ["headSha"] = report.HeadSha,
            ["failed"] = report.Failed,
            ["pending"] = report.Pending,
            ["checkRuns"] = JsonSerializer.SerializeToNode(report.CheckRuns, Json),
        };
    }

    private static async Task<JsonObject> TrackReviewThreadsAsync(McpToolCall call)
    {
        var tracking = await call.Get<ReviewThreadLedger>().TrackAsync(Repository(call), call.Integer("pr")!.Value, call.Text("channelId"), call.CancellationToken);
        return new JsonObject
        {
            ["repository"] = tracking.Repository.ToString(),
            ["pullRequest"] = tracking.PullRequest,
            ["pullRequestUrl"] = tracking.PullRequestUrl,
            ["threads"] = tracking.Threads,
            ["unresolved"] = tracking.Unresolved,
            ["recorded"] = JsonSerializer.SerializeToNode(tracking.Recorded, Json),
            ["alreadyTracked"] = JsonSerializer.SerializeToNode(tracking.AlreadyTracked, Json),
        };
    }

    private static async Task<JsonObject> GetMetricAsync(McpToolCall call)
    {
        var (query, snapshot) = await SnapshotAsync(call);
        return new JsonObject
        {
            ["region"] = snapshot.Region,
            ["awsAccountId"] = call.Get<ChannelScopes>().Of(call.Text("channelId"))?.AwsAccountId,
            ["label"] = snapshot.Label,
            ["statistic"] = query.Statistic,
            ["periodSeconds"] = query.PeriodSeconds,
            ["statusCode"] = snapshot.StatusCode,
            ["count"] = snapshot.Points.Count,
            ["latest"] = snapshot.Latest,
            ["maximum"] = snapshot.Maximum,
            ["average"] = snapshot.Average,
            ["incident"] = JsonSerializer.SerializeToNode(snapshot.Incident, Json),
            ["points"] = JsonSerializer.SerializeToNode(snapshot.Points, Json),
        };
    }

    private static async Task<JsonObject> TriageAsync(McpToolCall call)
    {
        var (_, snapshot) = await SnapshotAsync(call);
        var step = await call.Get<IncidentTriage>().StepAsync(snapshot, call.IdempotencyKey, call.Text("owner"), call.Text("channelId"), call.Text("note"), call.CancellationToken);
        return new JsonObject
        {
            ["incidentKey"] = step.IncidentKey,
            ["state"] = step.State,
            ["created"] = step.Created,
            ["timeline"] = step.TimelineUpdate,
            ["validationKey"] = step.ValidationKey,
            ["validationDue"] = step.ValidationDue?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["incident"] = JsonSerializer.SerializeToNode(snapshot.Incident, Json),
            ["latest"] = snapshot.Latest,
        };
    }

    private static async Task<(MetricQuery Query, MetricSnapshot Snapshot)> SnapshotAsync(McpToolCall call)
    {
        var now = call.Get<TimeProvider>().GetUtcNow();
        var channelId = call.Text("channelId");
        var dimensions = call.Arguments["dimensions"] is JsonObject given
            ? given.Select(d => KeyValuePair.Create(d.Key, d.Value!.GetValue<string>())).ToList()
            : [];
        var period = call.Integer("periodSeconds") ?? 60;
        if (period >= 60 ? period % 60 != 0 : period is not (1 or 5 or 10 or 30))
        {
            throw new McpToolArgumentException("periodSeconds", $"'periodSeconds' must be 1, 5, 10, 30 or a multiple of 60; got {period}.");
        }

        var query = new MetricQuery(call.RequiredText("namespace"), call.RequiredText("metricName"), dimensions, call.Text("statistic") ?? "Average", period, now.AddMinutes(-(call.Integer("minutes") ?? 60)), now)
        {
            Region = call.Get<ChannelScopes>().RegionFor(call.Text("region"), channelId),
            ThresholdValue = call.Arguments["threshold"]?.GetValue<double>(),
        };
        return (query, await call.Get<CloudWatchMetrics>().GetMetricAsync(query, call.CancellationToken));
    }

    private static (string, JsonObject)[] MetricArguments() =>
    [
        ("namespace", new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 255, ["description"] = "e.g. AWS/ApplicationELB" }),
        ("metricName", new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 255, ["description"] = "e.g. TargetResponseTime" }),
        ("dimensions", new JsonObject { ["type"] = "object", ["maxProperties"] = 30, ["additionalProperties"] = new JsonObject { ["type"] = "string", ["maxLength"] = 1024 } }),
        ("statistic", new JsonObject { ["type"] = "string", ["pattern"] = "^(Average|Sum|Minimum|Maximum|SampleCount|p[0-9]{1,2}(\\.[0-9]{1,2})?)$", ["description"] = "Default Average; p99 etc. for latency" }),
        ("periodSeconds", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 86400, ["description"] = "Default 60" }),
        ("minutes", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 20160, ["description"] = "Window ending now; default 60" }),
        ("threshold", new JsonObject { ["type"] = "number", ["description"] = "Points above it breach" }),
        ("region", new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$" }),
        Channel(),
    ];

    private static GitHubRepository Repository(McpToolCall call)
    {
        try
        {
            return call.Get<ChannelScopes>().RepositoryFor(call.Text("repo"), call.Text("channelId"));
        }
        catch (ArgumentException invalid)
        {
            throw new McpToolArgumentException("repo", invalid.Message);
        }
    }

    private static JsonObject Properties(params (string Name, JsonObject Schema)[] properties) =>
        new(properties.Select(p => KeyValuePair.Create<string, JsonNode?>(p.Name, p.Schema)));

    private static (string, JsonObject) Repo() => ("repo", new JsonObject { ["type"] = "string", ["pattern"] = "^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", ["description"] = "owner/name; default: the channel's repository" });

    private static (string, JsonObject) Channel() => ("channelId", new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]{15,20}$", ["description"] = "Discord channel whose scope (repository, AWS region) applies when none is named" });

    private static (string, JsonObject) Pr() => ("pr", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["description"] = "Pull request number" });

    private static (string, JsonObject) Fields() =>
        ("fields", new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" }, ["description"] = "Result fields to return (default: a compact set); [\"*\"] returns all" });
}
