using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using DiscordLedgerBot.Discord;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Benchmarks.Discord;

/// <summary>
/// Interaction acknowledgement latency: from the moment an INTERACTION_CREATE payload is received (before parsing) to
/// the initial callback handed to the REST layer, for a fast handler that replies with an embed and a button row.
/// "InMemory" serializes the callback as a client would but sends nothing; "RestClient" goes through our real REST
/// client (route, limiter, Polly, HttpClient) against an in-memory handler answering 204.
/// Besides BenchmarkDotNet's per-operation statistics, the measured ack latencies' p50/p99 are printed at cleanup.
/// Run: dotnet run -c Release --project tests/DiscordLedgerBot.Benchmarks -- --filter '*InteractionAckBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class InteractionAckBenchmarks
{
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("""
        {"id":"1300000000000000010","application_id":"1100000000000000001","type":2,"token":"aW50ZXJhY3Rpb24","version":1,
         "guild_id":"1200000000000000002","channel_id":"1200000000000000003",
         "member":{"user":{"id":"1200000000000000004","username":"ada","global_name":"Ada"},"roles":[],"permissions":"2147483648"},
         "app_permissions":"1126881438187584","locale":"en-US",
         "data":{"id":"1400000000000000001","name":"ledger","type":1,"options":[{"name":"add","type":1,"options":[{"name":"title","type":3,"value":"Ship v2"}]}]}}
        """);

    private readonly List<double> _ackMilliseconds = [];
    private InteractionDispatcher _inMemory = null!;
    private InteractionDispatcher _overRestClient = null!;
    private ServiceProvider _provider = null!;

    [GlobalSetup]
    public void Setup()
    {
        var router = new InteractionRouter().MapCommand("ledger add", (context, _) => Task.FromResult(InteractionResponse.Message(new MessageBuilder()
            .WithContent($"Added {context.Interaction.Command!.GetString("title")}")
            .AddEmbed(e => e.WithTitle("Ship v2").AddField("Status", "Open", inline: true).AddField("Owner", "Ada", inline: true))
            .AddActionRow(r => r.AddButton("approve:2", "Approve", ButtonStyle.Success).AddButton("reject:2", "Reject", ButtonStyle.Danger))
            .Build())));
        var options = Options.Create(new DiscordInteractionsOptions());
        _inMemory = new InteractionDispatcher(router, new SerializingRest(), TimeProvider.System, options, NullLogger<InteractionDispatcher>.Instance);

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDiscordClient(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Discord:Token"] = "benchmark-token",
            ["Discord:ApplicationId"] = "1100000000000000001",
            ["Discord:ApiBaseUrl"] = "http://discord.invalid/api/v10",
        }).Build());
        services.AddHttpClient(DiscordRestClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new NoContentHandler());
        _provider = services.BuildServiceProvider();
        _overRestClient = new InteractionDispatcher(router, _provider.GetRequiredService<IDiscordRest>(), TimeProvider.System, options, NullLogger<InteractionDispatcher>.Instance);
    }

    [Benchmark(Baseline = true)]
    public Task<InteractionDispatchResult> InMemory() => ReceiveAndAnswerAsync(_inMemory);

    [Benchmark]
    public Task<InteractionDispatchResult> RestClient() => ReceiveAndAnswerAsync(_overRestClient);

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_ackMilliseconds.Count > 0)
        {
            _ackMilliseconds.Sort();
            double Percentile(double p) => _ackMilliseconds[Math.Min(_ackMilliseconds.Count - 1, (int)Math.Ceiling(p * _ackMilliseconds.Count) - 1)];
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"// InteractionAck latency over {_ackMilliseconds.Count} dispatches: p50 = {Percentile(0.50):0.000} ms, p99 = {Percentile(0.99):0.000} ms, max = {_ackMilliseconds[^1]:0.000} ms"));
        }

        _provider.Dispose();
    }

    private async Task<InteractionDispatchResult> ReceiveAndAnswerAsync(InteractionDispatcher dispatcher)
    {
        var receivedAt = TimeProvider.System.GetTimestamp();
        using var document = JsonDocument.Parse(Payload);
        var interaction = InteractionParser.Parse(document.RootElement);
        var result = await dispatcher.DispatchAsync(interaction, receivedAt, CancellationToken.None);
        if (result.AckLatency is { } latency)
        {
            _ackMilliseconds.Add(latency.TotalMilliseconds);
        }

        return result;
    }

    /// <summary>Pays the serialization a real client pays, then answers 204.</summary>
    private sealed class SerializingRest : IDiscordRest
    {
        public Task<JsonElement?> SendAsync(DiscordRestRequest request, CancellationToken cancellationToken)
        {
            _ = JsonSerializer.SerializeToUtf8Bytes(request.Body, request.Body?.GetType() ?? typeof(object));
            return Task.FromResult<JsonElement?>(null);
        }
    }

    private sealed class NoContentHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                await request.Content.ReadAsByteArrayAsync(cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }
    }
}
