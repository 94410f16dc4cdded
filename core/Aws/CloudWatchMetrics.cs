using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Aws;

/// <summary>A metric to read: namespace, name, dimensions, statistic, period and window; <see cref="ThresholdValue"/> marks breaching points.</summary>
public sealed record MetricQuery(string Namespace, string MetricName, IReadOnlyList<KeyValuePair<string, string>> Dimensions, string Statistic, int PeriodSeconds, DateTimeOffset Start, DateTimeOffset End)
{
    public string? Region { get; init; }

    public double? ThresholdValue { get; init; }
}

/// <summary>One timestamped value of a series.</summary>
public sealed record MetricPoint(DateTimeOffset Timestamp, double Value);

/// <summary>
/// A latency snapshot: the series (oldest first) and its figures; <see cref="Incident"/> is set when points breached
/// the threshold, as the structured payload an incident triage starts from.
/// </summary>
public sealed record MetricSnapshot(string Region, MetricQuery Query, string Label, string StatusCode, IReadOnlyList<MetricPoint> Points, MetricIncident? Incident)
{
    public double? Latest => Points.Count == 0 ? null : Points[^1].Value;

    public double? Maximum => Points.Count == 0 ? null : Points.Max(p => p.Value);

    public double? Average => Points.Count == 0 ? null : Points.Average(p => p.Value);
}

/// <summary>What breached: how many points over the threshold, when the first did, the peak, and a one-line summary.</summary>
public sealed record MetricIncident(string Severity, string Summary, int BreachingPoints, DateTimeOffset FirstBreach, DateTimeOffset PeakAt, double Peak, double Threshold);

/// <summary>CloudWatch answered with an error or could not be reached; the message names the cause.</summary>
public sealed class CloudWatchException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// CloudWatch GetMetricData over its HTTP API in the AWS JSON 1.0 protocol (POST /, <c>X-Amz-Target:
/// GraniteServiceVersion20100801.GetMetricData</c>, <c>application/x-amz-json-1.0</c>; the protocol the current AWS
/// SDKs use for CloudWatch), each request SigV4-signed for service <c>monitoring</c> and paced by a client-side limit.
/// </summary>
public sealed partial class CloudWatchMetrics(IHttpClientFactory clients, AwsCredentialSource credentials, TimeProvider time, IOptionsMonitor<AwsOptions> options)
{
    public const string HttpClientName = "cloudwatch";
    public const string Target = "GraniteServiceVersion20100801.GetMetricData";
    public const string ContentType = "application/x-amz-json-1.0";
    public const string Service = "monitoring";

    private readonly SemaphoreSlim _pace = new(1, 1);
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;

    public bool Enabled => options.CurrentValue.Enabled;

    public static bool IsRegion(string text) => RegionShape().IsMatch(text);

    public async Task<MetricSnapshot> GetMetricAsync(MetricQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var settings = options.CurrentValue;
        var region = query.Region ?? (settings.Enabled ? settings.Region : throw new CloudWatchException("AWS is not configured: set Aws:Region (env Aws__Region); see docs/operations/github-aws.md."));
        if (!IsRegion(region))
        {
            throw new ArgumentException($"region must be a region name such as eu-west-1, got '{region}'.", nameof(query));
        }

        var signingCredentials = await credentials.ResolveAsync(cancellationToken).ConfigureAwait(false);
        var http = clients.CreateClient(HttpClientName);
        var points = new List<MetricPoint>();
        string? nextToken = null;
        string label = query.MetricName;
        string status = "Complete";
        var pages = 0;
        do
        {
            var body = Encoding.UTF8.GetBytes(RequestBody(query, nextToken).ToJsonString());
            using var request = new HttpRequestMessage(HttpMethod.Post, settings.EndpointFor(region)) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
            request.Headers.TryAddWithoutValidation("X-Amz-Target", Target);
            await PaceAsync(settings, cancellationToken).ConfigureAwait(false);
            SigV4Signer.Sign(request, body, signingCredentials, region, Service, time.GetUtcNow());
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var document = ParseOrNull(text);
            if (!response.IsSuccessStatusCode)
            {
                var type = document?["__type"]?.GetValue<string>()?.Split('#')[^1] ?? response.StatusCode.ToString();
                var message = document?["message"]?.GetValue<string>() ?? document?["Message"]?.GetValue<string>() ?? text;
                throw new CloudWatchException($"CloudWatch refused GetMetricData ({(int)response.StatusCode} {type}): {message}");
            }

            var result = document?["MetricDataResults"]?.AsArray().FirstOrDefault(r => r?["Id"]?.GetValue<string>() == "m1");
            if (result is not null)
            {
                label = result["Label"]?.GetValue<string>() ?? label;
                status = result["StatusCode"]?.GetValue<string>() ?? status;
                var timestamps = result["Timestamps"]?.AsArray() ?? [];
                var values = result["Values"]?.AsArray() ?? [];
                for (var i = 0; i < Math.Min(timestamps.Count, values.Count); i++)
                {
                    points.Add(new MetricPoint(DateTimeOffset.FromUnixTimeMilliseconds((long)(timestamps[i]!.GetValue<double>() * 1000)), values[i]!.GetValue<double>()));
                }
            }

            nextToken = document?["NextToken"]?.GetValue<string>();
            pages++;
        }
        while (nextToken is not null && pages < settings.MaxPages);

        var ordered = points.OrderBy(p => p.Timestamp).ToList();
        return new MetricSnapshot(region, query, label, nextToken is null ? status : "PartialData", ordered, IncidentOf(query, ordered));
    }

    private static MetricIncident? IncidentOf(MetricQuery query, IReadOnlyList<MetricPoint> points)
    {
        if (query.ThresholdValue is not { } threshold)
        {
            return null;
        }

        var breaching = points.Where(p => p.Value > threshold).ToList();
        if (breaching.Count == 0)
        {
            return null;
        }

        var peak = breaching.MaxBy(p => p.Value)!;
        // Most of the window over the threshold, or twice the threshold at peak, is a page-worthy incident.
        var severity = breaching.Count * 2 > points.Count || peak.Value >= threshold * 2 ? "high" : "medium";
        var summary = string.Create(CultureInfo.InvariantCulture, $"{query.Namespace} {query.MetricName} {query.Statistic} above {threshold} in {breaching.Count} of {points.Count} periods; peak {peak.Value:0.###} at {peak.Timestamp:u}");
        return new MetricIncident(severity, summary, breaching.Count, breaching[0].Timestamp, peak.Timestamp, peak.Value, threshold);
    }

    private static JsonObject RequestBody(MetricQuery query, string? nextToken)
    {
        var statistic = new JsonObject
        {
            ["Metric"] = new JsonObject
            {
                ["Namespace"] = query.Namespace,
                ["MetricName"] = query.MetricName,
                ["Dimensions"] = new JsonArray([.. query.Dimensions.Select(d => (JsonNode)new JsonObject { ["Name"] = d.Key, ["Value"] = d.Value })]),
            },
            ["Period"] = query.PeriodSeconds,
            ["Stat"] = query.Statistic,
        };
        var body = new JsonObject
        {
            ["MetricDataQueries"] = new JsonArray(new JsonObject { ["Id"] = "m1", ["MetricStat"] = statistic, ["ReturnData"] = true }),
            // awsJson1_0 carries timestamps as epoch seconds.
            ["StartTime"] = query.Start.ToUnixTimeSeconds(),
            ["EndTime"] = query.End.ToUnixTimeSeconds(),
            ["ScanBy"] = "TimestampAscending",
        };
        if (nextToken is not null)
        {
            body["NextToken"] = nextToken;
        }

        return body;
    }

    // Requests leave at most MaxRequestsPerSecond apart; a caller over the rate waits for its slot (on the injected clock).
    private async Task PaceAsync(AwsOptions settings, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        await _pace.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var slot = _nextSlot > now ? _nextSlot : now;
            _nextSlot = slot + TimeSpan.FromSeconds(1 / settings.MaxRequestsPerSecond);
            wait = slot - now;
        }
        finally
        {
            _pace.Release();
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static JsonNode? ParseOrNull(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionShape();
}
