using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Discord.Tests.Gateway;

/// <summary>
/// Discord:Shards against an emulator that requires 8 shards and enforces identify concurrency (max_concurrency 4,
/// 5 s per bucket, as Discord): every shard reaches READY without a single refused identify, each bucket's identifies
/// are 5 s apart, and the guild arrives once, on its shard. Real time: the identify windows are Discord's 5 s.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ShardedGatewayTests
{
    [Fact]
    public async Task Eight_shards_connect_in_identify_buckets_without_a_refused_identify()
    {
        await using var harness = await DiscordClientHarness.StartAsync(
            emulator =>
            {
                emulator.RecommendedShards = 8;
                emulator.MaxConcurrency = 4;
                emulator.EnforceIdentifyConcurrency = true;
            },
            client => client["Discord:Shards"] = "auto");
        var gateway = Assert.IsType<DiscordShardManager>(harness.Services.GetRequiredService<IDiscordGateway>());
        using var stop = new CancellationTokenSource();
        var running = gateway.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => gateway.Shards.Count == 8 && gateway.Status == GatewayStatus.Ready, "all 8 shards ready", TimeSpan.FromSeconds(60));

        var identifies = harness.Emulator.GatewayIdentifies.Snapshot();
        var start = identifies[0].ReceivedTimestamp;
        var timeline = string.Join(", ", identifies.Select(i => $"{i.ShardId}@{TimeProvider.System.GetElapsedTime(start, i.ReceivedTimestamp).TotalMilliseconds:F0}ms{(i.Accepted ? string.Empty : " refused")}"));
        Assert.All(identifies, identify => Assert.True(identify.Accepted, $"shard {identify.ShardId} was refused: {timeline}"));
        Assert.Equal(Enumerable.Range(0, 8), identifies.Select(i => i.ShardId).Order());
        Assert.All(identifies, identify => Assert.Equal(8, identify.ShardCount));
        foreach (var bucket in identifies.GroupBy(i => i.ShardId % 4))
        {
            var times = bucket.Select(i => i.ReceivedTimestamp).Order().ToList();
            Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(TimeProvider.System.GetElapsedTime(pair.First, pair.Second) >= TimeSpan.FromSeconds(5)));
        }

        var guild = Assert.Single(harness.Events.Log.Snapshot().OfType<GuildCreated>());
        var carrier = GatewayShard.ForGuild(harness.GuildId, 8);
        Assert.Equal(harness.GuildId, guild.GuildId);
        Assert.Equal(GatewayStatus.Ready, gateway.Shards.Single(s => s.Shard.Id == carrier).Status);

        await stop.CancelAsync();
        await running;
    }

    [Theory]
    [InlineData("0-3/8", 0, 3, 8)]
    [InlineData("5/8", 5, 5, 8)]
    [InlineData(" 4 - 7 / 8 ", 4, 7, 8)]
    public void Shard_ranges_parse(string text, int first, int last, int count)
    {
        Assert.True(ShardRange.TryParse(text, out var range));
        Assert.Equal(new ShardRange(first, last, count), range);
        Assert.Equal(Enumerable.Range(first, last - first + 1), range!.Resolve(99).Select(s => s.Id));
    }

    [Theory]
    [InlineData("4-3/8")]
    [InlineData("0-8/8")]
    [InlineData("0/0")]
    [InlineData("zero")]
    public void Bad_shard_ranges_are_refused(string text) => Assert.False(ShardRange.TryParse(text, out _));

    [Fact]
    public void Auto_takes_every_recommended_shard() =>
        Assert.Equal([new GatewayShard(0, 3), new GatewayShard(1, 3), new GatewayShard(2, 3)], ShardRange.TryParse("auto", out var range) ? range!.Resolve(3) : []);
}
