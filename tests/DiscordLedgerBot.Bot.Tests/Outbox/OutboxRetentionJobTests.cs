using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Hosting;
using DiscordLedgerBot.Outbox;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quartz;

namespace DiscordLedgerBot.Bot.Tests.Outbox;

public sealed class OutboxRetentionJobTests
{
    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private readonly EmbeddedStorage _store;
    private readonly OutboxRetentionJob _retention;

    public OutboxRetentionJobTests()
    {
        _store = EmbeddedStorage.CreateInMemory(_time);
        _retention = new OutboxRetentionJob(
            _store,
            Options.Create(new StorageOptions { ConfirmedRetention = TimeSpan.FromDays(7) }),
            NullLogger<OutboxRetentionJob>.Instance);
    }

    [Fact]
    public async Task Only_confirmed_records_past_the_retention_are_purged()
    {
        await _store.AppendAsync(new OutboxAppend("confirmed-1", "slash:1", "create", "{}"));
        await _store.AppendAsync(new OutboxAppend("pending-2", "slash:2", "create", "{}"));
        var claimed = await _store.ClaimBatchAsync(1, TimeSpan.FromMinutes(5));
        Assert.Equal("confirmed-1", Assert.Single(claimed).IdempotencyKey);
        await _store.MarkConfirmedAsync("confirmed-1", "1800000001");

        _time.Advance(TimeSpan.FromDays(6));
        Assert.Equal(0, await _retention.PurgeOnceAsync(CancellationToken.None));

        _time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await _retention.PurgeOnceAsync(CancellationToken.None));

        Assert.Null(await _store.GetAsync("confirmed-1"));
        Assert.Equal(OutboxState.Pending, (await _store.GetAsync("pending-2"))!.State);
    }

    [Fact]
    public async Task The_bot_runs_retention_hourly_on_its_one_scheduler_never_concurrently()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Backend"] = "memory" }).Build();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLedgerBot(configuration, LedgerBotRole.Bot);
        await using var provider = services.BuildServiceProvider();

        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var job = await scheduler.GetJobDetail(OutboxRetentionJob.Key);
        var trigger = Assert.IsAssignableFrom<ISimpleTrigger>(Assert.Single(await scheduler.GetTriggersOfJob(OutboxRetentionJob.Key)));

        Assert.NotNull(job);
        Assert.True(job.ConcurrentExecutionDisallowed);
        Assert.Equal(OutboxRetentionJob.Interval, trigger.RepeatInterval);
        Assert.Single(await provider.GetRequiredService<ISchedulerFactory>().GetAllSchedulers());
    }
}
