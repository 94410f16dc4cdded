using System.Globalization;
using System.Text;
using DiscordLedgerBot.Core.Aws;
using DiscordLedgerBot.Core.GitHub;
using DiscordLedgerBot.Discord.Messages;

namespace DiscordLedgerBot.Slices.Readouts;

/// <summary>
/// The readout cards. Each holds a bounded number of lines, each line shortened, so a 250-PR repository or a long
/// failure text still fits Discord's embed limits (the message builder enforces them last).
/// </summary>
public static class ReadoutCards
{
    public const int MaxListedPullRequests = 15;
    public const int MaxListedCheckRuns = 20;
    private const int LineLength = 180;

    public static MessagePayload PullRequests(PullRequestList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var text = new StringBuilder();
        foreach (var pull in list.PullRequests)
        {
            text.AppendLine(Line($"[#{pull.Number}]({pull.Url}) {(pull.Draft ? "(draft) " : string.Empty)}{pull.Title} · {pull.Author} · updated {pull.UpdatedAt:yyyy-MM-dd}"));
        }

        var more = list.Truncated ? $" (the {list.PullRequests.Count} most recently updated; more are open)" : string.Empty;
        return new MessageBuilder().AsEphemeral().AddEmbed(e => e
            .WithTitle($"Open pull requests in {list.Repository}")
            .WithDescription(list.PullRequests.Count == 0 ? "No open pull requests." : text.ToString())
            .WithFooter($"{list.PullRequests.Count} shown{more}")).Build();
    }

    public static MessagePayload CheckRuns(CheckRunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        foreach (var run in report.CheckRuns.OrderBy(r => r.Failure is null).Take(MaxListedCheckRuns))
        {
            text.AppendLine(Line($"{Icon(run)} **{run.Name}** {run.Conclusion ?? run.Status}"));
        }

        return new MessageBuilder().AsEphemeral().AddEmbed(e =>
        {
            e.WithTitle($"Checks on {report.Repository}#{report.PullRequest}")
                .WithUrl(report.PullRequestUrl)
                .WithColor(report.Failed > 0 ? 0xE74C3C : report.Pending > 0 ? 0xF1C40F : 0x2ECC71)
                .WithDescription(report.CheckRuns.Count == 0 ? "No check runs on the head commit." : text.ToString());
            foreach (var failed in report.CheckRuns.Where(r => r.Failure is not null).Take(5))
            {
                var failure = failed.Failure!;
                var step = failure.FailedStep is null ? string.Empty : $"First failing step: **{failure.FailedStep}**\n";
                var summary = failure.Summary is null ? string.Empty : Line(failure.Summary) + "\n";
                var log = failure.LogUrl is null ? string.Empty : $"[Log]({failure.LogUrl})";
                e.AddField($"❌ {failed.Name}", $"{step}{summary}{log}".Trim() is { Length: > 0 } value ? value : "failed");
            }

            e.WithFooter($"{report.CheckRuns.Count} check run(s) · {report.Failed} failed · {report.Pending} pending · head {report.HeadSha[..Math.Min(7, report.HeadSha.Length)]}");
        }).Build();
    }

    public static MessagePayload Metric(MetricSnapshot snapshot, string? accountId)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var query = snapshot.Query;
        return new MessageBuilder().AsEphemeral().AddEmbed(e =>
        {
            e.WithTitle(Line($"{query.Namespace} · {snapshot.Label} ({query.Statistic})"))
                .WithColor(snapshot.Incident is null ? 0x2ECC71 : snapshot.Incident.Severity == "high" ? 0xE74C3C : 0xF1C40F)
                .WithDescription(snapshot.Points.Count == 0 ? "No data points in the window." : Sparkline(snapshot.Points))
                .AddField("Latest", Number(snapshot.Latest), inline: true)
                .AddField("Maximum", Number(snapshot.Maximum), inline: true)
                .AddField("Average", Number(snapshot.Average), inline: true);
            if (snapshot.Incident is { } incident)
            {
                e.AddField($"Incident ({incident.Severity})", Line(incident.Summary));
            }

            var dimensions = string.Join(", ", query.Dimensions.Select(d => $"{d.Key}={d.Value}"));
            e.WithFooter(Line($"{snapshot.Region}{(accountId is null ? string.Empty : " · account " + accountId)} · {snapshot.Points.Count} points · {(dimensions.Length == 0 ? "no dimensions" : dimensions)} · {snapshot.StatusCode}"));
        }).Build();
    }

    private static string Icon(CheckRunSummary run) => run.Failure is not null ? "❌" : run.Status != "completed" ? "⏳" : run.Conclusion is "success" ? "✅" : "⚪";

    private static string Number(double? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "–";

    // Eight levels of block characters over at most 60 buckets: the shape of the window at a glance.
    private static string Sparkline(IReadOnlyList<MetricPoint> points)
    {
        const string Blocks = "▁▂▃▄▅▆▇█";
        var buckets = Math.Min(60, points.Count);
        var values = Enumerable.Range(0, buckets).Select(b => points.Skip(b * points.Count / buckets).Take(Math.Max(1, points.Count / buckets)).Max(p => p.Value)).ToList();
        var (low, high) = (values.Min(), values.Max());
        var line = string.Concat(values.Select(v => Blocks[high > low ? (int)Math.Round((v - low) / (high - low) * 7) : 0]));
        return $"`{line}`\n{points[0].Timestamp:HH:mm} → {points[^1].Timestamp:HH:mm} UTC";
    }

    private static string Line(string text)
    {
        var single = text.ReplaceLineEndings(" ");
        return single.Length <= LineLength ? single : single[..(LineLength - 1)] + "…";
    }
}
