using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using DiscordLedgerBot.Discord;
using DiscordLedgerBot.Discord.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Benchmarks.Discord;

/// <summary>
/// Our REST client's own cost per request (route resolution, FIFO lane, bucket + global limiter, Polly pipeline,
/// serialization, response parsing) over an in-memory handler, so the network is out of the picture.
/// Run: dotnet run -c Release --project tests/DiscordLedgerBot.Benchmarks -- --filter '*RestClientBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class RestClientBenchmarks
{
    private const int RequestsPerInvoke = 100;
    private ServiceProvider _provider = null!;
    private IDiscordRest _rest = null!;
    private DiscordRestRequest[] _sameChannel = [];
    private DiscordRestRequest[] _manyChannels = [];

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDiscordClient(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Discord:Token"] = "benchmark-token",
            ["Discord:ApplicationId"] = "1",
            ["Discord:ApiBaseUrl"] = "http://discord.invalid/api/v10",
            ["Discord:GlobalRequestsPerSecond"] = "100000000",
        }).Build());
        services.AddHttpClient(DiscordRestClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new CannedDiscord());
        _provider = services.BuildServiceProvider();
        _rest = _provider.GetRequiredService<IDiscordRest>();
        _sameChannel = [.. Enumerable.Range(0, RequestsPerInvoke).Select(n => Message("42", n))];
        _manyChannels = [.. Enumerable.Range(0, RequestsPerInvoke).Select(n => Message((1000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), n))];
    }

    [GlobalCleanup]
    public void Cleanup() => _provider.Dispose();

    /// <summary>A burst to one channel: serialized by the channel's FIFO lane.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task BurstToOneChannel() => Task.WhenAll(_sameChannel.Select(request => _rest.SendAsync(request, CancellationToken.None)));

    /// <summary>The same burst spread over channels: lanes run in parallel.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task BurstAcrossChannels() => Task.WhenAll(_manyChannels.Select(request => _rest.SendAsync(request, CancellationToken.None)));

    private static DiscordRestRequest Message(string channelId, int n) =>
        new(HttpMethod.Post, "/channels/{channel_id}/messages", new Dictionary<string, string> { ["channel_id"] = channelId }, new JsonObject { ["content"] = $"message {n}" });

    private sealed class CannedDiscord : HttpMessageHandler
    {
        private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"id\":\"1\",\"channel_id\":\"42\",\"content\":\"message\"}");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Body) };
            response.Content.Headers.ContentType = new("application/json");
            response.Headers.Add("X-RateLimit-Bucket", "bench");
            response.Headers.Add("X-RateLimit-Limit", "1000000");
            response.Headers.Add("X-RateLimit-Remaining", "999999");
            response.Headers.Add("X-RateLimit-Reset-After", "60");
            return Task.FromResult(response);
        }
    }
}
