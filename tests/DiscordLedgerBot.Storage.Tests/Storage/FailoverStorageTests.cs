using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DiscordLedgerBot.Storage.Tests.Storage;

/// <summary>Redis dies mid-run and comes back: nothing recorded may be lost or duplicated.</summary>
[Trait("Category", "Slow")]
public sealed class FailoverStorageTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private readonly string _directory = Directory.CreateTempSubdirectory("dlb-failover-").FullName;
    private readonly ListLogger<FailoverStorage> _logger = new();
    private readonly List<string> _switches = [];
    private RedisServer _server = null!;
    private ConnectionMultiplexer _connection = null!;
    private FailoverStorage _store = null!;

    public async Task InitializeAsync()
    {
        // AOF with fsync always: what Redis acknowledged survives the kill, as in a properly configured deployment.
        _server = await RedisServer.StartAsync(new RedisServerSettings { AppendOnly = true, Password = "failover-secret" });
        _connection = await ConnectionMultiplexer.ConnectAsync(
            new RedisOptions { ConnectionString = _server.ConnectionString, MaxReconnectDelay = TimeSpan.FromSeconds(1) }.ToConfigurationOptions());
        _store = new FailoverStorage(
            new RedisStorage(_connection.GetDatabase(), _time),
            EmbeddedStorage.OpenFile(_directory, _time),
            _time,
            probeInterval: TimeSpan.FromHours(1),
            _logger);
        _store.ActiveBackendChanged += (_, name) =>
        {
            lock (_switches)
            {
                _switches.Add(name);
            }
        };
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _connection.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Redis_killed_mid_run_then_back_loses_and_duplicates_nothing()
    {
        const int Writers = 4;
        const int PerWriter = 150;
        var accepted = 0;
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task WriteAsync(int writer)
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var result = await _store.AppendAsync(new OutboxAppend($"w{writer}-{i}", $"ledger-{i % 13}", "ledger.update", $"{{\"i\":{i}}}"));
                Assert.True(result.Created);
                if (Interlocked.Increment(ref accepted) == Writers * PerWriter / 3)
                {
                    await _server.KillAsync();
                    killed.SetResult();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(w))));
        await killed.Task;
        Assert.Equal("file", _store.ActiveBackend);
        Assert.True(_store.IsDegraded);

        // Re-recording commands Redis already holds (a surface retrying) must not create duplicates later.
        for (var i = 0; i < 10; i++)
        {
            await _store.AppendAsync(new OutboxAppend($"w0-{i}", $"ledger-{i % 13}", "ledger.update", "{}"));
        }

        // While Redis is away flushing pauses: nothing to claim, nothing can be settled.
        Assert.Empty(await _store.ClaimBatchAsync(100, TimeSpan.FromMinutes(1)));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => _store.MarkConfirmedAsync("w0-0", "1"));
        await _store.SetEntryAsync(new LedgerCacheEntry("LED-9", "{\"during\":\"outage\"}", "9", _time.GetUtcNow()));
        Assert.True(await _store.TryMarkAsync("delivery-1", TimeSpan.FromHours(1)));

        await _server.RestartAsync();
        await Eventually.TrueAsync(() => _store.ReconcileAsync(), "the store reconciles once the multiplexer has reconnected");

        Assert.Equal("redis", _store.ActiveBackend);
        Assert.Equal(["file", "redis"], _switches);
        var counts = await _store.CountAsync();
        Assert.Equal(Writers * PerWriter, counts.Total);
        Assert.Equal(Writers * PerWriter, counts.Pending);
        var keys = (await _store.ListAsync(OutboxState.Pending, 10_000)).Select(r => r.IdempotencyKey).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        for (var w = 0; w < Writers; w++)
        {
            for (var i = 0; i < PerWriter; i++)
            {
                Assert.Contains($"w{w}-{i}", keys);
            }
        }

        Assert.Equal("9", (await _store.GetEntryAsync("LED-9"))!.MondayItemId);
        Assert.False(await _store.TryMarkAsync("delivery-1", TimeSpan.FromHours(1)));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("redis → file", StringComparison.Ordinal));
        Assert.Contains(_logger.Entries, e => e.Message.Contains("file → redis", StringComparison.Ordinal));

        // Order within each ledger survives the trip: claims still come one per partition, oldest first.
        var batch = await _store.ClaimBatchAsync(100, TimeSpan.FromMinutes(1));
        Assert.Equal(13, batch.Count);
        Assert.Equal(batch.Count, batch.Select(r => r.PartitionKey).Distinct().Count());
    }

    [Fact]
    public async Task Leftovers_from_an_earlier_outage_are_reconciled_at_start()
    {
        await using (var offline = EmbeddedStorage.OpenFile(Path.Combine(_directory, "earlier"), _time))
        {
            await offline.AppendAsync(new OutboxAppend("left-1", "L", "ledger.create", "{}"));
        }

        await using var file = EmbeddedStorage.OpenFile(Path.Combine(_directory, "earlier"), _time);
        await using var store = new FailoverStorage(new RedisStorage(_connection.GetDatabase(), _time, "earlier:"), file, _time, TimeSpan.FromHours(1));
        Assert.True(await store.ReconcileAsync());
        Assert.Equal(1, (await store.CountAsync()).Pending);
        Assert.Equal(0, (await file.CountAsync()).Total);
    }
}
