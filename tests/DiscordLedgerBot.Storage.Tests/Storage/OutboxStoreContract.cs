using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Testing;
using StackExchange.Redis;

namespace DiscordLedgerBot.Storage.Tests.Storage;

/// <summary>
/// One behavioural suite, run against every backend (memory, file, Redis), so they stay interchangeable.
/// </summary>
public abstract class OutboxStoreContract : IAsyncLifetime
{
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(1);

    protected FakeTimeProvider Time { get; } = new();

    protected IStorageBackend Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateAsync(Time);

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();

    [Fact]
    public async Task Append_records_a_command_once_per_idempotency_key()
    {
        var first = await Store.AppendAsync(Command("discord:1", "ledger-a", "{\"title\":\"ünïcode \\\"quoted\\\"\\nline\"}"));
        Time.Advance(TimeSpan.FromSeconds(1));
        var again = await Store.AppendAsync(Command("discord:1", "ledger-b", "{}"));

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.Record, again.Record);
        Assert.Equal(OutboxState.Pending, first.Record.State);
        Assert.Equal("ledger-a", again.Record.PartitionKey);
        Assert.Equal("{\"title\":\"ünïcode \\\"quoted\\\"\\nline\"}", again.Record.PayloadJson);
        Assert.Equal(Time.GetUtcNow(), first.Record.CreatedAt + TimeSpan.FromSeconds(1));
        Assert.Equal(first.Record, await Store.GetAsync("discord:1"));
        Assert.Null(await Store.GetAsync("discord:unknown"));
    }

    [Fact]
    public async Task Claims_hand_out_one_record_per_partition_in_append_order()
    {
        await AppendAsync("a1", "A");
        await AppendAsync("b1", "B");
        await AppendAsync("a2", "A");

        var batch = await Store.ClaimBatchAsync(10, Claim);
        Assert.Equal(["a1", "b1"], batch.Select(r => r.IdempotencyKey));
        Assert.All(batch, r => Assert.Equal(OutboxState.Sent, r.State));
        Assert.All(batch, r => Assert.Equal(1, r.Attempts));
        Assert.All(batch, r => Assert.Equal(Time.GetUtcNow() + Claim, r.NextAttemptAt));

        // A partition with a record in flight gives nothing more.
        Assert.Empty(await Store.ClaimBatchAsync(10, Claim));

        await Store.MarkConfirmedAsync("a1", "item-1");
        Assert.Equal(["a2"], (await Store.ClaimBatchAsync(10, Claim)).Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task A_flusher_whose_lease_moved_cannot_settle_the_record()
    {
        await AppendAsync("f1", "F");
        var paused = Assert.Single(await Store.ClaimBatchAsync(10, TimeSpan.FromSeconds(10)));

        // The first flusher stalls past its lease; a second one claims the record again.
        Time.Advance(TimeSpan.FromSeconds(11));
        var current = Assert.Single(await Store.ClaimBatchAsync(10, TimeSpan.FromSeconds(10)));
        Assert.True(current.Version > paused.Version);

        var stale = await Assert.ThrowsAsync<OutboxStateConflictException>(() => Store.MarkConfirmedAsync("f1", "item-1", paused.Version));
        Assert.Equal(OutboxState.Sent, stale.Current.State);
        await Assert.ThrowsAsync<OutboxStateConflictException>(() => Store.MarkFailedAsync("f1", "timeout", null, paused.Version));
        Assert.Equal(current, await Store.GetAsync("f1"));

        var confirmed = await Store.MarkConfirmedAsync("f1", "item-1", current.Version);
        Assert.Equal(OutboxState.Confirmed, confirmed.State);

        // Even the same outcome from the stale claim is refused, so it is never announced twice.
        await Assert.ThrowsAsync<OutboxStateConflictException>(() => Store.MarkConfirmedAsync("f1", "item-1", paused.Version));
    }

    [Fact]
    public async Task Renewing_a_held_lease_keeps_the_record_from_being_claimed_again()
    {
        await AppendAsync("r1", "R");
        await AppendAsync("r2", "R2");
        var held = await Store.ClaimBatchAsync(10, TimeSpan.FromSeconds(9));

        // Renewed every third of the lease: the record stays with its holder well past the first lease's end.
        for (var i = 0; i < 5; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(3));
            var renewed = await Store.RenewClaimsAsync([.. held.Select(OutboxClaim.Of)], TimeSpan.FromSeconds(9));
            Assert.Equal(["r1", "r2"], renewed.Select(r => r.IdempotencyKey).Order(StringComparer.Ordinal));
            Assert.All(renewed, r => Assert.Equal(Time.GetUtcNow() + TimeSpan.FromSeconds(9), r.NextAttemptAt));
            Assert.Equal(held.Select(r => r.Version), renewed.OrderBy(r => r.IdempotencyKey, StringComparer.Ordinal).Select(r => r.Version));
            Assert.Empty(await Store.ClaimBatchAsync(10, Claim));
        }

        // The claim's version still fences the outcome; once the holder stops renewing, the lease lapses as before.
        Assert.Equal(OutboxState.Confirmed, (await Store.MarkConfirmedAsync("r1", "item-1", held[0].Version)).State);
        Time.Advance(TimeSpan.FromSeconds(9));
        var again = Assert.Single(await Store.ClaimBatchAsync(10, Claim));
        Assert.Equal(("r2", 2), (again.IdempotencyKey, again.Attempts));
    }

    [Fact]
    public async Task A_renewal_after_the_lease_moved_is_refused_and_changes_nothing()
    {
        await AppendAsync("m1", "M");
        await AppendAsync("m2", "M2");
        var paused = await Store.ClaimBatchAsync(10, TimeSpan.FromSeconds(10));

        // The holder stalls past its lease; another flusher claims m1 again (m2 stays lapsed but unclaimed).
        Time.Advance(TimeSpan.FromSeconds(11));
        var current = Assert.Single(await Store.ClaimBatchAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal("m1", current.IdempotencyKey);

        // The stale holder may keep m2 (nobody took it) but not m1.
        var renewed = await Store.RenewClaimsAsync([.. paused.Select(OutboxClaim.Of)], TimeSpan.FromSeconds(10));
        Assert.Equal("m2", Assert.Single(renewed).IdempotencyKey);
        Assert.Equal(current, await Store.GetAsync("m1"));

        // Settled records are not renewed either, and an unknown key is simply not renewed.
        await Store.MarkConfirmedAsync("m1", "item-1", current.Version);
        Assert.Empty(await Store.RenewClaimsAsync([OutboxClaim.Of(current), new OutboxClaim("unknown", 3)], TimeSpan.FromSeconds(10)));
        Assert.Empty(await Store.RenewClaimsAsync([], TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Claims_take_the_oldest_partitions_first_up_to_the_limit()
    {
        for (var i = 0; i < 5; i++)
        {
            await AppendAsync($"k{i}", $"P{4 - i}");
        }

        Assert.Equal(["k0", "k1"], (await Store.ClaimBatchAsync(2, Claim)).Select(r => r.IdempotencyKey));
        Assert.Equal(["k2", "k3", "k4"], (await Store.ClaimBatchAsync(5, Claim)).Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task Confirming_records_the_item_and_is_idempotent()
    {
        await AppendAsync("c1", "C");
        await Store.ClaimBatchAsync(1, Claim);
        Time.Advance(TimeSpan.FromSeconds(3));

        var confirmed = await Store.MarkConfirmedAsync("c1", "4711");
        Assert.Equal(OutboxState.Confirmed, confirmed.State);
        Assert.Equal("4711", confirmed.MondayItemId);
        Assert.Null(confirmed.NextAttemptAt);
        Assert.Equal(Time.GetUtcNow(), confirmed.UpdatedAt);
        Assert.Equal(confirmed, await Store.MarkConfirmedAsync("c1", "4711"));

        var conflict = await Assert.ThrowsAsync<OutboxStateConflictException>(() => Store.MarkConfirmedAsync("c1", "999"));
        Assert.Equal("4711", conflict.Current.MondayItemId);
    }

    [Fact]
    public async Task Only_claimed_records_can_be_settled()
    {
        await AppendAsync("p1", "P");
        await Assert.ThrowsAsync<OutboxStateConflictException>(() => Store.MarkConfirmedAsync("p1", "1"));
        await Assert.ThrowsAsync<OutboxStateConflictException>(() => Store.MarkFailedAsync("p1", "boom", null));
        await Assert.ThrowsAsync<OutboxRecordNotFoundException>(() => Store.MarkConfirmedAsync("missing", "1"));
        await Assert.ThrowsAsync<OutboxRecordNotFoundException>(() => Store.MarkFailedAsync("missing", "boom", null));
        Assert.Equal(OutboxState.Pending, (await Store.GetAsync("p1"))!.State);
    }

    [Fact]
    public async Task A_failure_with_retry_holds_its_partition_until_due()
    {
        await AppendAsync("f1", "F");
        await AppendAsync("f2", "F");
        await Store.ClaimBatchAsync(10, Claim);
        var retryAt = Time.GetUtcNow() + TimeSpan.FromSeconds(30);

        var failed = await Store.MarkFailedAsync("f1", "monday 429", retryAt);
        Assert.Equal(OutboxState.Failed, failed.State);
        Assert.Equal("monday 429", failed.LastError);
        Assert.Equal(retryAt, failed.NextAttemptAt);

        Assert.Empty(await Store.ClaimBatchAsync(10, Claim));
        Time.Advance(TimeSpan.FromSeconds(30));
        var retried = Assert.Single(await Store.ClaimBatchAsync(10, Claim));
        Assert.Equal("f1", retried.IdempotencyKey);
        Assert.Equal(2, retried.Attempts);
        Assert.Equal("monday 429", retried.LastError);
    }

    [Fact]
    public async Task A_dead_lettered_failure_releases_its_partition_and_stays_listed()
    {
        await AppendAsync("d1", "D");
        await AppendAsync("d2", "D");
        await Store.ClaimBatchAsync(10, Claim);
        await Store.MarkFailedAsync("d1", "invalid column", retryAt: null);

        Assert.Equal(["d2"], (await Store.ClaimBatchAsync(10, Claim)).Select(r => r.IdempotencyKey));
        var dead = Assert.Single(await Store.ListAsync(OutboxState.Failed, 10));
        Assert.Equal("d1", dead.IdempotencyKey);
        Assert.Null(dead.NextAttemptAt);
    }

    [Fact]
    public async Task A_lapsed_claim_is_claimed_again()
    {
        await AppendAsync("l1", "L");
        await Store.ClaimBatchAsync(10, TimeSpan.FromSeconds(10));
        Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(await Store.ClaimBatchAsync(10, Claim));
        Time.Advance(TimeSpan.FromSeconds(1));
        var again = Assert.Single(await Store.ClaimBatchAsync(10, Claim));
        Assert.Equal(2, again.Attempts);
    }

    [Fact]
    public async Task Lists_and_counts_by_state()
    {
        await AppendAsync("s1", "S1");
        await AppendAsync("s2", "S2");
        await AppendAsync("s3", "S3");
        await AppendAsync("s4", "S4");
        await Store.ClaimBatchAsync(3, Claim);
        await Store.MarkConfirmedAsync("s1", "1");
        await Store.MarkFailedAsync("s2", "x", null);

        Assert.Equal(new OutboxCounts(Pending: 1, Sent: 1, Confirmed: 1, Failed: 1), await Store.CountAsync());
        Assert.Equal(["s4"], (await Store.ListAsync(OutboxState.Pending, 10)).Select(r => r.IdempotencyKey));
        Assert.Equal(["s3"], (await Store.ListAsync(OutboxState.Sent, 10)).Select(r => r.IdempotencyKey));
        Assert.Equal(["s1"], (await Store.ListAsync(OutboxState.Confirmed, 10)).Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task Purge_drops_only_confirmed_records_past_retention()
    {
        await AppendAsync("old", "O");
        await AppendAsync("new", "N");
        await AppendAsync("open", "X");
        await Store.ClaimBatchAsync(10, Claim);
        await Store.MarkConfirmedAsync("old", "1");
        Time.Advance(TimeSpan.FromDays(2));
        await Store.MarkConfirmedAsync("new", "2");

        Assert.Equal(1, await Store.PurgeConfirmedAsync(TimeSpan.FromDays(1)));
        Assert.Null(await Store.GetAsync("old"));
        Assert.NotNull(await Store.GetAsync("new"));
        Assert.NotNull(await Store.GetAsync("open"));
        Assert.Equal(0, await Store.PurgeConfirmedAsync(TimeSpan.FromDays(1)));
    }

    [Fact]
    public async Task Concurrent_duplicate_appends_create_each_key_once()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => Store.AppendAsync(Command($"dup-{i % 50}", $"part-{i % 7}", "{}")))));
        Assert.Equal(50, results.Count(r => r.Created));
        Assert.Equal(50, (await Store.CountAsync()).Pending);
    }

    [Fact]
    public async Task Ledger_cache_sets_overwrites_and_removes()
    {
        Assert.Null(await Store.GetEntryAsync("LED-1"));
        var entry = new LedgerCacheEntry("LED-1", "{\"status\":\"open\"}", null, Time.GetUtcNow());
        await Store.SetEntryAsync(entry);
        Assert.Equal(entry, await Store.GetEntryAsync("LED-1"));

        var updated = entry with { EntryJson = "{\"status\":\"done\"}", MondayItemId = "123", UpdatedAt = Time.GetUtcNow().AddMinutes(1) };
        await Store.SetEntryAsync(updated);
        Assert.Equal(updated, await Store.GetEntryAsync("LED-1"));

        Assert.True(await Store.RemoveEntryAsync("LED-1"));
        Assert.False(await Store.RemoveEntryAsync("LED-1"));
        Assert.Null(await Store.GetEntryAsync("LED-1"));
    }

    [Fact]
    public async Task Ledger_cache_compare_and_set_writes_only_over_the_expected_entry()
    {
        var first = new LedgerCacheEntry("LED-2", "{\"v\":1}", null, Time.GetUtcNow());
        Assert.False(await Store.CompareAndSetEntryAsync("LED-2", "{\"v\":0}", first));
        Assert.Null(await Store.GetEntryAsync("LED-2"));
        Assert.True(await Store.CompareAndSetEntryAsync("LED-2", null, first));
        Assert.False(await Store.CompareAndSetEntryAsync("LED-2", null, first with { EntryJson = "{\"v\":9}" }));

        // Two writers read v1; the first to set wins, the second is refused and changes nothing.
        var second = first with { EntryJson = "{\"v\":2}", MondayItemId = "42", UpdatedAt = Time.GetUtcNow().AddMinutes(1) };
        Assert.True(await Store.CompareAndSetEntryAsync("LED-2", first.EntryJson, second));
        Assert.False(await Store.CompareAndSetEntryAsync("LED-2", first.EntryJson, first with { EntryJson = "{\"v\":3}" }));
        Assert.Equal(second, await Store.GetEntryAsync("LED-2"));

        // A null replacement removes, under the same comparison.
        Assert.False(await Store.CompareAndSetEntryAsync("LED-2", first.EntryJson, null));
        Assert.True(await Store.CompareAndSetEntryAsync("LED-2", second.EntryJson, null));
        Assert.Null(await Store.GetEntryAsync("LED-2"));
    }

    [Fact]
    public async Task Dedupe_marks_a_key_once_while_it_lives()
    {
        Assert.True(await Store.TryMarkAsync("webhook:1", TimeSpan.FromMinutes(10)));
        Assert.False(await Store.TryMarkAsync("webhook:1", TimeSpan.FromMinutes(10)));
        Assert.True(await Store.TryMarkAsync("webhook:2", TimeSpan.FromMinutes(10)));
    }

    protected abstract Task<IStorageBackend> CreateAsync(FakeTimeProvider time);

    protected static OutboxAppend Command(string key, string partition, string payload = "{}") => new(key, partition, "ledger.create", payload);

    private async Task AppendAsync(string key, string partition)
    {
        await Store.AppendAsync(Command(key, partition));
        Time.Advance(TimeSpan.FromMilliseconds(10));
    }
}

public sealed class MemoryStorageContractTests : OutboxStoreContract
{
    [Fact]
    public async Task Dedupe_marks_expire_with_the_clock()
    {
        Assert.True(await Store.TryMarkAsync("k", TimeSpan.FromSeconds(5)));
        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await Store.TryMarkAsync("k", TimeSpan.FromSeconds(5)));
    }

    protected override Task<IStorageBackend> CreateAsync(FakeTimeProvider time) =>
        Task.FromResult<IStorageBackend>(EmbeddedStorage.CreateInMemory(time));
}

public sealed class FileStorageContractTests : OutboxStoreContract
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dlb-file-").FullName;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    protected override Task<IStorageBackend> CreateAsync(FakeTimeProvider time) =>
        Task.FromResult<IStorageBackend>(EmbeddedStorage.OpenFile(_directory, time, snapshotEvery: 7));
}

public sealed class RedisStorageContractTests(RedisServerFixture redis) : OutboxStoreContract, IClassFixture<RedisServerFixture>
{
    private ConnectionMultiplexer? _connection;

    [Fact]
    public async Task Dedupe_marks_carry_a_redis_ttl()
    {
        var store = (RedisStorage)Store;
        Assert.True(await store.TryMarkAsync("ttl", TimeSpan.FromSeconds(30)));
        var ttl = await _connection!.GetDatabase().KeyTimeToLiveAsync(store.KeyPrefix + "dedupe:ttl");
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _connection!.DisposeAsync();
    }

    protected override async Task<IStorageBackend> CreateAsync(FakeTimeProvider time)
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(new RedisOptions { ConnectionString = redis.Server.ConnectionString }.ToConfigurationOptions());

        // A fresh prefix per test keeps tests independent on the shared server.
        return new RedisStorage(_connection.GetDatabase(), time, $"t{Guid.NewGuid():N}:");
    }
}
