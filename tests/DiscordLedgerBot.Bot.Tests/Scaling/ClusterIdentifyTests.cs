using DiscordLedgerBot.Discord;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Scaling;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace DiscordLedgerBot.Bot.Tests.Scaling;

/// <summary>
/// Two "processes" (separate service providers, each with its own identify gate and Redis connection) own shards of the
/// same identify buckets (0-1/4 and 2-3/4 with max_concurrency 2: shards 0 and 2 share bucket 0, 1 and 3 bucket 1)
/// against a Discord emulator that enforces identify concurrency. Real time: the windows are Discord's 5 s.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ClusterIdentifyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Processes_owning_shards_of_one_bucket_identify_five_seconds_apart_through_the_redis_lease()
    {
        await using var redis = await RedisServer.StartAsync();
        var identifies = await RunTwoProcessesAsync(redis);

        Assert.Equal(4, identifies.Count);
        Assert.All(identifies, i => Assert.True(i.Accepted, $"shard {i.ShardId} was refused (INVALID_SESSION): {Timeline(identifies)}"));
        foreach (var bucket in identifies.GroupBy(i => i.ShardId % 2))
        {
            var times = bucket.Select(i => i.ReceivedTimestamp).Order().ToList();
            var gap = TimeProvider.System.GetElapsedTime(times[0], times[1]);
            Assert.True(gap >= TimeSpan.FromSeconds(5), $"bucket {bucket.Key}: {Timeline(identifies)}");

            // The turn is held 30 s while connecting and cut to 5.5 s once the Identify is out: the next shard must not
            // wait out the connect hold.
            Assert.True(gap < IdentifyGate.ConnectHold - TimeSpan.FromSeconds(10), $"bucket {bucket.Key} waited out the connect hold: {Timeline(identifies)}");
        }
    }

    [Fact]
    public async Task Without_the_lease_the_same_processes_collide()
    {
        // The control: what the lease prevents is real, so the test above proves something.
        var identifies = await RunTwoProcessesAsync(redis: null);

        Assert.Contains(identifies, i => !i.Accepted);
    }

    private async Task<IReadOnlyList<GatewayIdentifyRecord>> RunTwoProcessesAsync(RedisServer? redis)
    {
        var emulatorOptions = new DiscordEmulatorOptions { RecommendedShards = 4, MaxConcurrency = 2, EnforceIdentifyConcurrency = true };
        await using var emulator = await DiscordEmulator.StartAsync(emulatorOptions);
        await using var first = await Process.StartAsync(emulator, emulatorOptions, "0-1/4", redis);
        await using var second = await Process.StartAsync(emulator, emulatorOptions, "2-3/4", redis);

        await Eventually.TrueAsync(
            () => first.Gateway.Status == GatewayStatus.Ready && second.Gateway.Status == GatewayStatus.Ready,
            "both processes' shards ready",
            TimeSpan.FromSeconds(60));
        var identifies = emulator.GatewayIdentifies.Snapshot();
        output.WriteLine(Timeline(identifies));
        return identifies;
    }

    private static string Timeline(IReadOnlyList<GatewayIdentifyRecord> identifies) =>
        string.Join(", ", identifies.Select(i => $"{i.ShardId}@{TimeProvider.System.GetElapsedTime(identifies[0].ReceivedTimestamp, i.ReceivedTimestamp).TotalMilliseconds:F0}ms{(i.Accepted ? string.Empty : " refused")}"));

    private sealed class Process : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly ConnectionMultiplexer? _redis;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        private Process(ServiceProvider services, ConnectionMultiplexer? redis)
        {
            _services = services;
            _redis = redis;
            Gateway = services.GetRequiredService<DiscordShardManager>();
            _running = Gateway.RunAsync(_stop.Token);
        }

        public DiscordShardManager Gateway { get; }

        public static async Task<Process> StartAsync(DiscordEmulator emulator, DiscordEmulatorOptions emulatorOptions, string shards, RedisServer? redisServer)
        {
            var settings = new Dictionary<string, string?>
            {
                ["Discord:Token"] = emulatorOptions.BotToken,
                ["Discord:ApplicationId"] = emulatorOptions.ApplicationId,
                ["Discord:ApiBaseUrl"] = emulator.RestBaseUrl.ToString(),
                ["Discord:Shards"] = shards,
                ["Discord:GatewayReconnectDelay"] = "00:00:00.050",
                ["Discord:GatewayMaxReconnectDelay"] = "00:00:00.200",
            };
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            var redis = redisServer is null ? null : await ConnectionMultiplexer.ConnectAsync(redisServer.ConnectionString);
            services.AddSingleton(sp => new IdentifyGate(
                TimeProvider.System,
                redis is null ? null : new RedisIdentifyLease(redis, "dlb:", emulatorOptions.ApplicationId, TimeProvider.System, sp.GetRequiredService<ILogger<RedisIdentifyLease>>())));
            services.AddDiscordClient(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
            return new Process(services.BuildServiceProvider(), redis);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _running.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            await _services.DisposeAsync();
            if (_redis is not null)
            {
                await _redis.DisposeAsync();
            }

            _stop.Dispose();
        }
    }
}
