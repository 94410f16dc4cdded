using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Core.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Core.Tests.Outbox;

/// <summary>Ingestion → outbox → flusher → real monday client → emulator over HTTP, with 10 % of requests failing.</summary>
public sealed class OutboxEmulatorTests
{
    [Fact]
    public async Task EveryRecordedCommandReachesTheBoardOnceDespiteInjectedFailures()
    {
        await using var monday = await EmulatedLedger.StartAsync(TimeProvider.System);
        await using var store = EmbeddedStorage.CreateInMemory(TimeProvider.System);
        var options = Microsoft.Extensions.Options.Options.Create(new OutboxOptions
        {
            BatchSize = 60,
            FlushInterval = TimeSpan.FromMilliseconds(20),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(500),
        });
        var events = new OutboxEventHub();
        using var subscription = events.Subscribe();
        var ingestion = new LedgerIngestion(store, NullLogger<LedgerIngestion>.Instance);
        var reconciler = new OutboxReconciler(store, new MondayLedgerKeyLookup(monday.Ledger), events, TimeProvider.System, NullLogger<OutboxReconciler>.Instance);
        var flusher = new OutboxFlusher(store, monday.Ledger, reconciler, events, options, TimeProvider.System, NullLogger<OutboxFlusher>.Instance);
        var worker = new OutboxWorker(flusher, reconciler, store, options, TimeProvider.System, NullLogger<OutboxWorker>.Instance);

        const int entries = 150;
        for (var i = 0; i < entries; i++)
        {
            var key = LedgerKey.FromOrigin(LedgerSource.Api, $"req-{i:D4}");
            await ingestion.RecordAsync(new CreateLedgerEntry($"api:req-{i:D4}", key, $"Entry {i}", LedgerSource.Api), CancellationToken.None);
            if (i % 5 == 0)
            {
                await ingestion.RecordAsync(new ChangeLedgerStatus($"api:req-{i:D4}-start", key, LedgerStatus.Requested, LedgerStatus.InProgress), CancellationToken.None);
            }
        }

        monday.Emulator.Faults.SetRandomFailureRatio(0.10, seed: 7);
        var report = await worker.DrainAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(90));
        monday.Emulator.Faults.Clear();

        Assert.Equal(new OutboxCounts(0, 0, entries + (entries / 5), 0), report.Final);
        Assert.True(monday.Emulator.Stats.FaultsInjected > 0);
        var keys = monday.Emulator.Items(monday.BoardId).Where(i => i.State == "active").Select(EmulatorItems.LedgerKey).ToList();
        Assert.Equal(entries, keys.Count);
        Assert.Equal(entries, keys.Distinct(StringComparer.Ordinal).Count());
        var started = await monday.Ledger.QueryAsync(new LedgerQuery { Status = LedgerStatus.InProgress }, CancellationToken.None);
        Assert.Equal(entries / 5, started.Count);
        var confirmations = 0;
        while (subscription.Reader.TryRead(out var outcome))
        {
            confirmations += outcome is OutboxCommandConfirmed ? 1 : 0;
        }

        Assert.Equal(entries + (entries / 5), confirmations);
    }
}
