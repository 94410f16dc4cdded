using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.Runtime.Internal.Auth;
using DiscordLedgerBot.Emulators.Discord;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Emulators.CloudWatch;

/// <summary>The emulated CloudWatch's port, the one key pair it knows, its clock and how many points it returns per page.</summary>
public sealed class CloudWatchEmulatorOptions
{
    public int Port { get; set; }

    public string AccessKeyId { get; set; } = "AKIAEMULATEDCLOUDWATCH";

    public string SecretAccessKey { get; set; } = "emulated/cloudwatch/secret/key/0123456789";

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Points per GetMetricData answer before it hands out a NextToken (the real service allows 100 800).</summary>
    public int PageSize { get; set; } = 500;
}

/// <summary>One GetMetricData request: accepted, or the error type it was refused with.</summary>
public sealed record CloudWatchRequestRecord(DateTimeOffset At, string? Region, bool Accepted, string? ErrorType, string? Namespace, string? MetricName);

/// <summary>
/// An in-process CloudWatch GetMetricData on 127.0.0.1 in the AWS JSON 1.0 protocol. Every request's SigV4 signature
/// is checked: the canonical request is rebuilt from what arrived and signed with AWSSDK.Core's own
/// <c>AWS4Signer.ComputeSignature</c>; a mismatch, an unknown key, an unsigned host or date, or a clock skew over
/// 15 minutes is refused as the service does. Series are deterministic: a baseline per metric with a spike a test or the
/// sandbox places (<see cref="AddSpike"/>).
/// </summary>
public sealed partial class CloudWatchEmulator : IAsyncDisposable
{
    private static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(15);

    private readonly WebApplication _app;
    private readonly CloudWatchEmulatorOptions _options;
    private readonly List<(string MetricName, DateTimeOffset From, DateTimeOffset To, double Value)> _spikes = [];

    private CloudWatchEmulator(CloudWatchEmulatorOptions options)
    {
        _options = options;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:port/ — set Aws:MonitoringUrl to this.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public CloudWatchEmulatorOptions Options => _options;

    public ObservableLog<CloudWatchRequestRecord> Requests { get; } = new();

    public static async Task<CloudWatchEmulator> StartAsync(CloudWatchEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var emulator = new CloudWatchEmulator(options ?? new CloudWatchEmulatorOptions());
        await emulator._app.StartAsync(cancellationToken);
        emulator.Port = LoopbackServer.BoundPort(emulator._app.Services);
        return emulator;
    }

    /// <summary>For <c>bot emulate cloudwatch</c>: serves until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        await LoopbackServer.ServeUntilCancelledAsync(_options.TimeProvider, cancellationToken);
    }

    /// <summary>Between <paramref name="from"/> and <paramref name="to"/> the metric reads <paramref name="value"/> instead of its baseline.</summary>
    public void AddSpike(string metricName, DateTimeOffset from, DateTimeOffset to, double value)
    {
        lock (_spikes)
        {
            _spikes.Add((metricName, from, to, value));
        }
    }

    /// <summary>The baseline: a slow deterministic ripple around 0.120 (seconds, like TargetResponseTime), by period index.</summary>
    public static double Baseline(DateTimeOffset timestamp, int periodSeconds) =>
        Math.Round(0.120 + (0.010 * ((timestamp.ToUnixTimeSeconds() / Math.Max(1, periodSeconds)) % 5)), 6);

    private async Task HandleAsync(HttpContext http)
    {
        var now = _options.TimeProvider.GetUtcNow();
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var payload = buffer.ToArray();
        var (status, body, region, metric) = Answer(http.Request, payload, now);
        var error = body["__type"]?.GetValue<string>();
        Requests.Add(new CloudWatchRequestRecord(now, region, error is null, error, metric.Namespace, metric.Name));
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/x-amz-json-1.0";
        http.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await http.Response.WriteAsync(body.ToJsonString());
    }

    private (int, JsonObject, string?, (string? Namespace, string? Name)) Answer(HttpRequest request, byte[] payload, DateTimeOffset now)
    {
        var none = ((string?)null, (string?)null);
        if (!HttpMethods.IsPost(request.Method) || request.Path.Value is not ("/" or ""))
        {
            return (404, Error("UnknownOperationException", "Only POST / is served."), null, none);
        }

        var (verified, region, problem) = Verify(request, payload, now);
        if (!verified)
        {
            return (problem.Type == "MissingAuthenticationTokenException" ? 400 : 403, Error(problem.Type, problem.Message), region, none);
        }

        if (!string.Equals(request.Headers["X-Amz-Target"].ToString(), "GraniteServiceVersion20100801.GetMetricData", StringComparison.Ordinal))
        {
            return (400, Error("UnknownOperationException", $"Operation '{request.Headers["X-Amz-Target"]}' is not served by the emulator."), region, none);
        }

        if (!request.ContentType?.StartsWith("application/x-amz-json-1.0", StringComparison.Ordinal) ?? true)
        {
            return (400, Error("SerializationException", "Content-Type must be application/x-amz-json-1.0."), region, none);
        }

        JsonNode? document;
        try
        {
            document = JsonNode.Parse(payload);
        }
        catch (System.Text.Json.JsonException)
        {
            return (400, Error("SerializationException", "The body is not JSON."), region, none);
        }

        return GetMetricData(document as JsonObject ?? [], region);
    }

    private (int, JsonObject, string?, (string?, string?)) GetMetricData(JsonObject document, string? region)
    {
        var queries = document["MetricDataQueries"] as JsonArray;
        if (queries is not { Count: > 0 } || document["StartTime"] is null || document["EndTime"] is null)
        {
            return (400, Error("InvalidParameterValueException", "MetricDataQueries, StartTime and EndTime are required."), region, (null, null));
        }

        var start = DateTimeOffset.FromUnixTimeSeconds((long)document["StartTime"]!.GetValue<double>());
        var end = DateTimeOffset.FromUnixTimeSeconds((long)document["EndTime"]!.GetValue<double>());
        if (end <= start)
        {
            return (400, Error("InvalidParameterValueException", "The parameter EndTime must be greater than StartTime."), region, (null, null));
        }

        var offset = document["NextToken"]?.GetValue<string>() is { } token ? int.Parse(token, CultureInfo.InvariantCulture) : 0;
        var results = new JsonArray();
        string? nextToken = null;
        (string?, string?) first = (null, null);
        foreach (var query in queries.OfType<JsonObject>())
        {
            var stat = query["MetricStat"];
            var metric = stat?["Metric"];
            var name = metric?["MetricName"]?.GetValue<string>();
            var ns = metric?["Namespace"]?.GetValue<string>();
            var period = stat?["Period"]?.GetValue<int>() ?? 0;
            if (name is null || ns is null || period < 1 || (period >= 60 && period % 60 != 0))
            {
                return (400, Error("InvalidParameterValueException", "Each query needs MetricStat.Metric.Namespace, MetricName and a Period of 1, 5, 10, 30 or a multiple of 60."), region, (ns, name));
            }

            first = first.Item1 is null ? (ns, name) : first;
            var timestamps = new List<long>();
            var alignedStart = start.ToUnixTimeSeconds() / period * period;
            for (var t = alignedStart; t < end.ToUnixTimeSeconds(); t += period)
            {
                timestamps.Add(t);
            }

            var page = timestamps.Skip(offset).Take(_options.PageSize).ToList();
            if (offset + page.Count < timestamps.Count)
            {
                nextToken = (offset + page.Count).ToString(CultureInfo.InvariantCulture);
            }

            results.Add(new JsonObject
            {
                ["Id"] = query["Id"]?.GetValue<string>() ?? "m1",
                ["Label"] = name,
                ["Timestamps"] = new JsonArray([.. page.Select(t => (JsonNode)JsonValue.Create(t))]),
                ["Values"] = new JsonArray([.. page.Select(t => (JsonNode)JsonValue.Create(ValueAt(name, DateTimeOffset.FromUnixTimeSeconds(t), period)))]),
                ["StatusCode"] = nextToken is null ? "Complete" : "PartialData",
            });
        }

        var answer = new JsonObject { ["MetricDataResults"] = results, ["Messages"] = new JsonArray() };
        if (nextToken is not null)
        {
            answer["NextToken"] = nextToken;
        }

        return (200, answer, region, first);
    }

    private double ValueAt(string metricName, DateTimeOffset timestamp, int period)
    {
        lock (_spikes)
        {
            foreach (var spike in _spikes)
            {
                if (spike.MetricName == metricName && timestamp >= spike.From && timestamp < spike.To)
                {
                    return spike.Value;
                }
            }
        }

        return Baseline(timestamp, period);
    }

    private (bool Verified, string? Region, (string Type, string Message) Problem) Verify(HttpRequest request, byte[] payload, DateTimeOffset now)
    {
        var authorization = request.Headers.Authorization.ToString();
        var match = AuthorizationShape().Match(authorization);
        if (!match.Success)
        {
            return (false, null, ("MissingAuthenticationTokenException", "Request is missing Authentication Token"));
        }

        var accessKey = match.Groups["key"].Value;
        var date = match.Groups["date"].Value;
        var region = match.Groups["region"].Value;
        var service = match.Groups["service"].Value;
        var signedHeaders = match.Groups["headers"].Value;
        var signature = match.Groups["signature"].Value;
        if (accessKey != _options.AccessKeyId)
        {
            return (false, region, ("UnrecognizedClientException", "The security token included in the request is invalid."));
        }

        var names = signedHeaders.Split(';');
        if (!names.Contains("host") || !names.Contains("x-amz-date") || service != "monitoring")
        {
            return (false, region, ("IncompleteSignatureException", "The request must sign host and x-amz-date for service 'monitoring'."));
        }

        if (!DateTime.TryParseExact(request.Headers["x-amz-date"].ToString(), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt)
            || signedAt.ToString("yyyyMMdd", CultureInfo.InvariantCulture) != date)
        {
            return (false, region, ("IncompleteSignatureException", "x-amz-date is missing or does not match the credential scope's date."));
        }

        if ((now - new DateTimeOffset(signedAt, TimeSpan.Zero)).Duration() > MaxSkew)
        {
            return (false, region, ("InvalidSignatureException", $"Signature expired: {request.Headers["x-amz-date"]} is now earlier than {now - MaxSkew:yyyyMMdd'T'HHmmss'Z'}."));
        }

        var canonicalHeaders = new StringBuilder();
        foreach (var name in names)
        {
            var value = name == "host" ? request.Host.Value : string.Join(",", request.Headers[name].Select(v => Collapse(v ?? string.Empty)));
            canonicalHeaders.Append(name).Append(':').Append(value).Append('\n');
        }

        var canonicalRequest = string.Join(
            "\n",
            request.Method,
            request.Path.Value is { Length: > 0 } path ? path : "/",
            string.Empty,
            canonicalHeaders.ToString(),
            signedHeaders,
            Convert.ToHexString(SHA256.HashData(payload)).ToLowerInvariant());
        var expected = AWS4Signer.ComputeSignature(_options.AccessKeyId, _options.SecretAccessKey, region, signedAt, service, signedHeaders, canonicalRequest);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected.Signature), Encoding.ASCII.GetBytes(signature)))
        {
            return (false, region, ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."));
        }

        return (true, region, (string.Empty, string.Empty));
    }

    private static string Collapse(string value) => string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static JsonObject Error(string type, string message) => new() { ["__type"] = type, ["message"] = message };

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>[0-9]{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request, ?SignedHeaders=(?<headers>[a-z0-9;-]+), ?Signature=(?<signature>[0-9a-f]{64})$", RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationShape();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
