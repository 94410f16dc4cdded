using DiscordLedgerBot.Core.Aws;
using DiscordLedgerBot.Emulators.CloudWatch;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Core.Tests.Aws;

/// <summary>The CloudWatch client (SigV4-signed AWS JSON 1.0) against the CloudWatch emulator over loopback sockets.</summary>
public sealed class CloudWatchMetricsTests : IAsyncLifetime
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private CloudWatchEmulator _cloudWatch = null!;

    public async Task InitializeAsync() =>
        _cloudWatch = await CloudWatchEmulator.StartAsync(new CloudWatchEmulatorOptions { TimeProvider = _time, PageSize = 50 });

    public async Task DisposeAsync() => await _cloudWatch.DisposeAsync();

    private ServiceProvider Compose(string? secret = null, TimeProvider? clock = null, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Aws:Region"] = "eu-west-1",
            ["Aws:MonitoringUrl"] = _cloudWatch.Url.ToString(),
            ["Aws:AccessKeyId"] = _cloudWatch.Options.AccessKeyId,
            ["Aws:SecretAccessKey"] = secret ?? _cloudWatch.Options.SecretAccessKey,
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton(clock ?? _time);
        services.AddLogging();
        services.AddAwsReadouts(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    private static MetricQuery Latency(DateTimeOffset end, double? threshold = null) =>
        new("AWS/ApplicationELB", "TargetResponseTime", [new("LoadBalancer", "app/web/123")], "p99", 60, end.AddHours(-1), end) { ThresholdValue = threshold };

    [Fact]
    public async Task A_correctly_signed_request_succeeds_and_reads_the_deterministic_series()
    {
        await using var services = Compose();

        // The second page waits for its slot under the client-side rate limit, on the fake clock.
        var snapshot = await Eventually.CompletesAsync(_time, services.GetRequiredService<CloudWatchMetrics>().GetMetricAsync(Latency(TestTime.Start), CancellationToken.None), Step);

        Assert.Equal(60, snapshot.Points.Count);
        Assert.Equal("Complete", snapshot.StatusCode);
        Assert.Equal(CloudWatchEmulator.Baseline(snapshot.Points[0].Timestamp, 60), snapshot.Points[0].Value);
        Assert.True(snapshot.Points.Zip(snapshot.Points.Skip(1)).All(p => p.First.Timestamp < p.Second.Timestamp));
        Assert.Null(snapshot.Incident);
        // 60 points at 50 a page: the NextToken is followed once.
        Assert.Equal(2, _cloudWatch.Requests.Count);
        Assert.All(_cloudWatch.Requests.Snapshot(), r => Assert.True(r.Accepted));
        Assert.All(_cloudWatch.Requests.Snapshot(), r => Assert.Equal("eu-west-1", r.Region));
    }

    [Fact]
    public async Task A_bad_signature_is_rejected_by_the_emulator_and_reported_by_its_type()
    {
        await using var services = Compose(secret: "not-the-secret-the-emulator-knows");

        var refused = await Assert.ThrowsAsync<CloudWatchException>(() => services.GetRequiredService<CloudWatchMetrics>().GetMetricAsync(Latency(TestTime.Start), CancellationToken.None));

        Assert.Contains("SignatureDoesNotMatch", refused.Message, StringComparison.Ordinal);
        Assert.Equal("SignatureDoesNotMatch", Assert.Single(_cloudWatch.Requests.Snapshot()).ErrorType);
    }

    [Fact]
    public async Task An_unsigned_request_or_a_stale_signature_is_refused()
    {
        // The bot signs on its own clock: one 20 minutes behind the emulator's signs a request CloudWatch calls expired.
        await using var behind = Compose(clock: new FakeTimeProvider(TestTime.Start.AddMinutes(-20)));
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, _cloudWatch.Url) { Content = new StringContent("{}") };

        using var answer = await behind.GetRequiredService<IHttpClientFactory>().CreateClient().SendAsync(unsigned);
        var stale = await Assert.ThrowsAsync<CloudWatchException>(() => behind.GetRequiredService<CloudWatchMetrics>().GetMetricAsync(Latency(TestTime.Start), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal(["MissingAuthenticationTokenException", "InvalidSignatureException"], _cloudWatch.Requests.Snapshot().Select(r => r.ErrorType));
        Assert.Contains("Signature expired", stale.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Breaching_points_make_a_structured_incident_payload()
    {
        await using var services = Compose();
        _cloudWatch.AddSpike("TargetResponseTime", TestTime.Start.AddMinutes(-20), TestTime.Start.AddMinutes(-10), 1.5);

        var snapshot = await Eventually.CompletesAsync(_time, services.GetRequiredService<CloudWatchMetrics>().GetMetricAsync(Latency(TestTime.Start, threshold: 0.5), CancellationToken.None), Step);

        var incident = snapshot.Incident!;
        Assert.Equal(10, incident.BreachingPoints);
        Assert.Equal(TestTime.Start.AddMinutes(-20), incident.FirstBreach);
        Assert.Equal(1.5, incident.Peak);
        Assert.Equal("high", incident.Severity);
        Assert.Contains("TargetResponseTime p99 above 0.5 in 10 of 60 periods", incident.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_are_paced_by_the_client_side_rate_limit()
    {
        await using var services = Compose(null, null, ("Aws:MaxRequestsPerSecond", "1"));
        var client = services.GetRequiredService<CloudWatchMetrics>();

        // 60 points at 50 a page: two requests per snapshot, three snapshots at once.
        var all = Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.GetMetricAsync(Latency(TestTime.Start), CancellationToken.None)));
        await Eventually.CompletesAsync(_time, all, Step);
        var times = _cloudWatch.Requests.Snapshot().Select(r => r.At).Order().ToList();

        Assert.Equal(6, times.Count);
        // At 1 request/s the n-th request gets the n-th one-second slot: it cannot arrive before it (the fake clock may move
        // on while a request is on the wire, so arrivals can be later, never earlier).
        Assert.All(times.Select((at, n) => (at, n)), t => Assert.True(t.at >= TestTime.Start + TimeSpan.FromSeconds(t.n), $"request {t.n} arrived at {t.at:O}"));
        Assert.True(times[^1] >= TestTime.Start + TimeSpan.FromSeconds(5));
    }
}
