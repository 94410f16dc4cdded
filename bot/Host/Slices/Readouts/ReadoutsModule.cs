using System.Globalization;
using DiscordLedgerBot.Core.Aws;
using DiscordLedgerBot.Core.GitHub;
using DiscordLedgerBot.Core.Scoping;
using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Slices.Readouts;

/// <summary>
/// /github prs|checks and /aws metric: thin translations of an interaction into a call of the core readouts (the same
/// ones the MCP tools call) and of the result into a card. A missing repository or region falls back to the
/// channel's scope; the answers are ephemeral, since a readout is for whoever asked.
/// </summary>
public sealed class ReadoutsModule(GitHubReadouts github, CloudWatchMetrics cloudWatch, ChannelScopes scopes, TimeProvider time)
{
    public static ApplicationCommand GitHubDeclaration() => ApplicationCommandBuilder.ChatInput("github", "GitHub readouts for this channel's repository")
        .InContexts(InteractionContextType.Guild)
        .AddSubcommand("prs", "Open pull requests, most recently updated first", o => o
            .AddString("repo", "owner/name (default: the channel's repository)", maxLength: 140))
        .AddSubcommand("checks", "A pull request's check runs, failures condensed", o => o
            .AddInteger("pr", "Pull request number", required: true, minValue: 1)
            .AddString("repo", "owner/name (default: the channel's repository)", maxLength: 140))
        .Build();

    public static ApplicationCommand AwsDeclaration() => ApplicationCommandBuilder.ChatInput("aws", "AWS readouts for this channel's account and region")
        .InContexts(InteractionContextType.Guild)
        .AddSubcommand("metric", "A CloudWatch metric over the last minutes (latency snapshot)", o => o
            .AddString("namespace", "e.g. AWS/ApplicationELB", required: true, maxLength: 255)
            .AddString("metric", "e.g. TargetResponseTime", required: true, maxLength: 255)
            .AddString("dimension", "Name=Value, e.g. LoadBalancer=app/web/123", maxLength: 1024)
            .AddString("statistic", "Average (default), Maximum, p99 …", maxLength: 10)
            .AddInteger("minutes", "Window ending now (default 60)", minValue: 1, maxValue: 20160)
            .AddNumber("threshold", "Points above it breach and make an incident")
            .AddString("region", "e.g. eu-west-1 (default: the channel's)", maxLength: 30))
        .Build();

    public void Map(InteractionRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        var options = new InteractionRouteOptions(DeferEphemeral: true);
        router.MapCommand("github prs", PullRequestsAsync, options)
            .MapCommand("github checks", ChecksAsync, options)
            .MapCommand("aws metric", MetricAsync, options);
    }

    private async Task<InteractionResponse> PullRequestsAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var repository = RepositoryOf(context.Interaction);
        var list = await Readout(() => github.ListPullRequestsAsync(repository, "open", ReadoutCards.MaxListedPullRequests, cancellationToken));
        return InteractionResponse.Message(ReadoutCards.PullRequests(list));
    }

    private async Task<InteractionResponse> ChecksAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        var number = interaction.Command!.GetInteger("pr") is { } pr and > 0 and <= int.MaxValue ? (int)pr : throw new InteractionInputException("Give the pull request's number (pr).");
        var report = await Readout(() => github.GetCheckRunsAsync(RepositoryOf(interaction), number, cancellationToken));
        return InteractionResponse.Message(ReadoutCards.CheckRuns(report));
    }

    private async Task<InteractionResponse> MetricAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        var command = interaction.Command!;
        var channel = interaction.ChannelId is { } id ? Snowflake.ToWire(id) : null;
        var dimensions = new List<KeyValuePair<string, string>>();
        if (command.GetString("dimension") is { Length: > 0 } dimension)
        {
            var parts = dimension.Split('=', 2, StringSplitOptions.TrimEntries);
            dimensions.Add(parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0
                ? KeyValuePair.Create(parts[0], parts[1])
                : throw new InteractionInputException($"A dimension is Name=Value, got '{dimension}'."));
        }

        var statistic = command.GetString("statistic") ?? "Average";
        if (statistic is not ("Average" or "Sum" or "Minimum" or "Maximum" or "SampleCount") && !(statistic.StartsWith('p') && double.TryParse(statistic[1..], NumberStyles.Float, CultureInfo.InvariantCulture, out var percentile) && percentile is > 0 and < 100))
        {
            throw new InteractionInputException($"'{statistic}' is not a statistic: use Average, Sum, Minimum, Maximum, SampleCount or a percentile like p99.");
        }

        var region = scopes.RegionFor(command.GetString("region"), channel);
        if (region is not null && !CloudWatchMetrics.IsRegion(region))
        {
            throw new InteractionInputException($"'{region}' is not a region name such as eu-west-1.");
        }

        var now = time.GetUtcNow();
        var query = new MetricQuery(command.GetString("namespace")!, command.GetString("metric")!, dimensions, statistic, 60, now.AddMinutes(-(command.GetInteger("minutes") ?? 60)), now)
        {
            Region = region,
            ThresholdValue = command.GetNumber("threshold"),
        };
        try
        {
            return InteractionResponse.Message(ReadoutCards.Metric(await cloudWatch.GetMetricAsync(query, cancellationToken), scopes.Of(channel)?.AwsAccountId));
        }
        catch (CloudWatchException failed)
        {
            throw new InteractionInputException(failed.Message);
        }
    }

    private GitHubRepository RepositoryOf(Interaction interaction)
    {
        try
        {
            return scopes.RepositoryFor(interaction.Command!.GetString("repo"), interaction.ChannelId is { } id ? Snowflake.ToWire(id) : null);
        }
        catch (ArgumentException invalid)
        {
            throw new InteractionInputException(invalid.Message);
        }
    }

    private static async Task<T> Readout<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (GitHubReadoutException failed)
        {
            throw new InteractionInputException(failed.Message);
        }
    }
}
