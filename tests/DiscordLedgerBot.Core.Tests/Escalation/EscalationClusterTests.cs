using System.Collections.Concurrent;
using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using static DiscordLedgerBot.Core.Tests.Escalation.EscalationHarness;

namespace DiscordLedgerBot.Core.Tests.Escalation;

/// <summary>
/// Two bot processes' escalation engines on one real Redis (each with its own connection, store, notifier and event
/// bus, one fake clock): every level is written to the board and announced exactly once cluster-wide, and an
/// acknowledgement handled by one process survives the other's pass that read the state before it (the state save is a
/// compare-and-set, not last-writer-wins).
/// </summary>
public sealed class EscalationClusterTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TestTime.Start);
    private readonly EscalationOptions _options = Policy(p => p.AckTimeout = TimeSpan.FromHours(6));
    private RedisServer _redis = null!;
    private Process _a = null!;
    private Process _b = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _a = await Process.StartAsync(_redis, _time, _options);
        _b = await Process.StartAsync(_redis, _time, _options);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Two_processes_passing_together_fire_every_level_exactly_once()
    {
        var item = Item("1", due: Yesterday);
        for (var step = 0; step < 16; step++)
        {
            await Task.WhenAll(_a.PassAsync(item), _b.PassAsync(item), _a.PassAsync(item), _b.PassAsync(item));
            _time.Advance(TimeSpan.FromMinutes(20));
        }

        Assert.Equal([1, 2, 3], await LevelsWrittenAsync(_a.Store, "cli:1"));
        Assert.Equal(3, (await _a.Store.ListAsync(OutboxState.Pending, 100)).Count(r => r.IdempotencyKey.EndsWith(":update", StringComparison.Ordinal)));
        Assert.Equal([1, 2, 3], _a.Notices.Concat(_b.Notices).Where(n => n.Kind == EscalationNoticeKind.Fired).Select(n => n.Level).Order());
    }

    [Fact]
    public async Task An_acknowledgement_on_one_process_is_kept_when_the_other_saves_a_pass_it_started_before()
    {
        var item = Item("1", due: Yesterday);
        await _a.PassAsync(item);
        _time.Advance(TimeSpan.FromHours(1));

        // B's pass reads the state, decides level 2 and records it; just before B saves, A handles a moderator's Acknowledge.
        var race = new RacingCache(_b.Store, () => _a.Engine.AcknowledgeAsync(item, "due-date-passed.1", "Grace", "Discord", "interaction:1", CancellationToken.None));
        var racingB = _b.NewEngine(race);
        await racingB.RunAsync([item], CancellationToken.None);
        Assert.True(race.Acknowledgement is { Succeeded: true }, race.Acknowledgement?.Message);
        Assert.True(race.LostSaves >= 1, "B's stale save was not refused");

        var state = (await _b.Engine.GetStateAsync("cli:1", CancellationToken.None))!;
        Assert.Equal("Grace", Assert.Single(state.Episodes).AcknowledgedBy);

        // The acknowledgement holds on both processes: no further level within its timeout.
        for (var step = 0; step < 5; step++)
        {
            _time.Advance(TimeSpan.FromHours(1));
            await Task.WhenAll(_a.PassAsync(item), _b.PassAsync(item));
        }

        Assert.Equal("Grace", Assert.Single((await _a.Engine.GetStateAsync("cli:1", CancellationToken.None))!.Episodes).AcknowledgedBy);
        var levels = await LevelsWrittenAsync(_a.Store, "cli:1");
        Assert.DoesNotContain(3, levels);
        Assert.Equal(levels.Distinct(), levels);
        var notices = _a.Notices.Concat(_b.Notices).Where(n => n.Kind == EscalationNoticeKind.Fired).Select(n => n.Level).Order().ToList();
        Assert.Equal(levels.Order(), notices);
    }

    private static async Task<List<int>> LevelsWrittenAsync(IOutboxStore store, string ledgerKey) =>
        [.. (await store.ListAsync(OutboxState.Pending, 10_000))
            .Select(r => OutboxCommandCodec.Deserialize(r.CommandKind, r.PayloadJson))
            .OfType<EscalateLedgerEntry>().Where(c => c.Key.Value == ledgerKey).Select(c => c.Level)];

    /// <summary>One bot process's share: its own Redis connection, store, notifier and bus.</summary>
    private sealed class Process : IAsyncDisposable
    {
        private readonly ConnectionMultiplexer _connection;
        private readonly FakeTimeProvider _time;
        private readonly EscalationOptions _options;

        private Process(ConnectionMultiplexer connection, FakeTimeProvider time, EscalationOptions options)
        {
            _connection = connection;
            _time = time;
            _options = options;
            Store = new RedisStorage(connection.GetDatabase(), time);
            Engine = NewEngine(Store);
        }

        public RedisStorage Store { get; }

        public EscalationEngine Engine { get; }

        public ConcurrentQueue<EscalationNotice> Notices { get; } = new();

        public static async Task<Process> StartAsync(RedisServer redis, FakeTimeProvider time, EscalationOptions options) =>
            new(await ConnectionMultiplexer.ConnectAsync(new RedisOptions { ConnectionString = redis.ConnectionString }.ToConfigurationOptions()), time, options);

        public EscalationEngine NewEngine(ILedgerCache cache) => new(
            cache,
            Store,
            new LedgerIngestion(Store, NullLogger<LedgerIngestion>.Instance),
            new Notifier(Notices),
            new EventBus(),
            new MutableOptionsMonitor<EscalationOptions>(_options),
            _time,
            NullLogger<EscalationEngine>.Instance);

        public Task<EscalationPassResult> PassAsync(LedgerEntry item) => Engine.RunAsync([item], CancellationToken.None);

        public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
    }

    private sealed class Notifier(ConcurrentQueue<EscalationNotice> notices) : IEscalationNotifier
    {
        public Task NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken)
        {
            notices.Enqueue(notice);
            return Task.CompletedTask;
        }
    }

    /// <summary>Runs <paramref name="interleave"/> (the other process's write) once, between this process's read and its first save.</summary>
    private sealed class RacingCache(ILedgerCache inner, Func<Task<EscalationActionResult>> interleave) : ILedgerCache
    {
        public EscalationActionResult? Acknowledgement { get; private set; }

        public int LostSaves { get; private set; }

        public Task<LedgerCacheEntry?> GetEntryAsync(string ledgerKey, CancellationToken cancellationToken = default) => inner.GetEntryAsync(ledgerKey, cancellationToken);

        public Task SetEntryAsync(LedgerCacheEntry entry, CancellationToken cancellationToken = default) => inner.SetEntryAsync(entry, cancellationToken);

        public Task<bool> RemoveEntryAsync(string ledgerKey, CancellationToken cancellationToken = default) => inner.RemoveEntryAsync(ledgerKey, cancellationToken);

        public async Task<bool> CompareAndSetEntryAsync(string ledgerKey, string? expectedJson, LedgerCacheEntry? replacement, CancellationToken cancellationToken = default)
        {
            Acknowledgement ??= await interleave();
            var saved = await inner.CompareAndSetEntryAsync(ledgerKey, expectedJson, replacement, cancellationToken);
            LostSaves += saved ? 0 : 1;
            return saved;
        }
    }
}
