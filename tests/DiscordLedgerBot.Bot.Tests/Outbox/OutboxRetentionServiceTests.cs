using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Outbox;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Bot.Tests.Outbox;

public sealed class OutboxRetentionServiceTests
{
    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private readonly EmbeddedStorage _store;
    private readonly OutboxRetentionService _retention;

    public OutboxRetentionServiceTests()
    {
        _store = EmbeddedStorage.CreateInMemory(_time);
        _retention = new OutboxRetentionService(
            _store,
            Options.Create(new StorageOptions { ConfirmedRetention = TimeSpan.FromDays(7) }),
            _time,
            NullLogger<OutboxRetentionService>.Instance);
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
    public async Task The_hosted_job_purges_at_start_and_then_every_interval()
    {
        await _store.AppendAsync(new OutboxAppend("a", "slash:1", "create", "{}"));
        await _store.ClaimBatchAsync(1, TimeSpan.FromMinutes(5));
        await _store.MarkConfirmedAsync("a", "1");
        _time.Advance(TimeSpan.FromDays(8));

        using var stopping = new CancellationTokenSource();
        await _retention.StartAsync(stopping.Token);
        try
        {
            // The first pass runs at start, before any timer tick.
            await Eventually.TrueAsync(async () => await _store.GetAsync("a") is null, "the retention job purges \"a\"");

            await _store.AppendAsync(new OutboxAppend("b", "slash:2", "create", "{}"));
            await _store.ClaimBatchAsync(1, TimeSpan.FromMinutes(5));
            await _store.MarkConfirmedAsync("b", "2");
            Assert.NotNull(await _store.GetAsync("b"));

            // "b" was confirmed after the start pass, so only the hourly ticks over these 8 days can remove it.
            _time.Advance(TimeSpan.FromDays(8));
            await Eventually.TrueAsync(async () => await _store.GetAsync("b") is null, "the retention job purges \"b\"");
        }
        finally
        {
            await _retention.StopAsync(CancellationToken.None);
        }
    }
}
