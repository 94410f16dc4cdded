using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Storage.Tests.Storage;

public sealed class FileStorageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dlb-filestore-").FullName;
    private readonly FakeTimeProvider _time = new(TestTime.Start);

    private string Live => Path.Combine(_root, "live");

    private string Crashed => Path.Combine(_root, "crashed");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Everything_acknowledged_is_replayed_from_the_journal_after_a_crash()
    {
        await using (var store = Open(Live))
        {
            await store.AppendAsync(Command("k1", "A"));
            await store.AppendAsync(Command("k2", "A"));
            await store.AppendAsync(Command("k3", "B"));
            await store.ClaimBatchAsync(10, TimeSpan.FromMinutes(1));
            await store.MarkConfirmedAsync("k1", "item-1");
            await store.MarkFailedAsync("k3", "timeout", _time.GetUtcNow().AddMinutes(5));
            await store.SetEntryAsync(new LedgerCacheEntry("LED-1", "{}", "item-1", _time.GetUtcNow()));
            await store.TryMarkAsync("seen", TimeSpan.FromHours(1));

            // The state on disk right now is what a kill -9 would leave.
            CopyDirectory(Live, Crashed);
            var expected = await SnapshotOf(store);

            await using var reopened = Open(Crashed);
            Assert.Equal(expected, await SnapshotOf(reopened));
            Assert.Equal("item-1", (await reopened.GetEntryAsync("LED-1"))!.MondayItemId);
            Assert.False(await reopened.TryMarkAsync("seen", TimeSpan.FromHours(1)));
            var next = Assert.Single(await reopened.ClaimBatchAsync(10, TimeSpan.FromMinutes(1)));
            Assert.Equal("k2", next.IdempotencyKey);

            // New appends continue the sequence rather than reusing it.
            var appended = await reopened.AppendAsync(Command("k4", "C"));
            Assert.Equal(4, appended.Record.Sequence);
        }
    }

    [Fact]
    public async Task Snapshots_compact_the_journal_and_restore_the_same_state()
    {
        await using var store = Open(Live, snapshotEvery: 5);
        for (var i = 0; i < 23; i++)
        {
            await store.AppendAsync(Command($"k{i}", $"P{i % 3}"));
        }

        await store.ClaimBatchAsync(10, TimeSpan.FromMinutes(1));
        Assert.True(store.JournalGeneration >= 5, $"generation {store.JournalGeneration}");
        // Compacted: only the journal the last snapshot covers and the one being written remain.
        Assert.Equal(2, Directory.GetFiles(Live, "journal-*.log").Length);
        Assert.True(File.Exists(Path.Combine(Live, "snapshot.dat")));
        Assert.False(File.Exists(Path.Combine(Live, "snapshot.tmp")));

        CopyDirectory(Live, Crashed);
        await using var reopened = Open(Crashed, snapshotEvery: 5);
        Assert.Equal(await SnapshotOf(store), await SnapshotOf(reopened));
    }

    [Fact]
    public async Task A_graceful_shutdown_leaves_a_snapshot_and_an_empty_journal()
    {
        await using (var store = Open(Live))
        {
            await store.AppendAsync(Command("k1", "A"));
        }

        var newest = Directory.GetFiles(Live, "journal-*.log").Order(StringComparer.Ordinal).Last();
        Assert.Equal(16, new FileInfo(newest).Length);
        await using var reopened = Open(Live);
        Assert.NotNull(await reopened.GetAsync("k1"));
        Assert.Equal([newest], Directory.GetFiles(Live, "journal-*.log"));
    }

    [Fact]
    public async Task Losing_the_last_snapshot_rename_loses_nothing()
    {
        await using var store = Open(Live, snapshotEvery: 4);
        for (var i = 0; i < 6; i++)
        {
            await store.AppendAsync(Command($"k{i}", "A"));
        }

        CopyDirectory(Live, Crashed);
        var olderSnapshot = Path.Combine(Crashed, "snapshot.dat");
        for (var i = 6; i < 9; i++)
        {
            await store.AppendAsync(Command($"k{i}", "A"));
        }

        // Copy the journals as they are now but keep the snapshot from before the latest one, as if its rename was lost.
        var kept = File.ReadAllBytes(olderSnapshot);
        Directory.Delete(Crashed, recursive: true);
        CopyDirectory(Live, Crashed);
        File.WriteAllBytes(olderSnapshot, kept);
        await using var reopened = Open(Crashed, snapshotEvery: 4);
        Assert.Equal(9, (await reopened.CountAsync()).Pending);
    }

    [Fact]
    public async Task A_torn_tail_is_truncated_and_logged_and_nothing_acknowledged_is_lost()
    {
        await using (var store = Open(Live))
        {
            await store.AppendAsync(Command("k1", "A"));
            await store.AppendAsync(Command("k2", "A"));
            CopyDirectory(Live, Crashed);
        }

        var journal = Assert.Single(Directory.GetFiles(Crashed, "journal-*.log"));
        var intactLength = new FileInfo(journal).Length;
        var frame = File.ReadAllBytes(journal)[16..];
        await using (var stream = new FileStream(journal, FileMode.Append))
        {
            // Half of a record, as a crash during the write would leave it.
            stream.Write(frame.AsSpan(0, frame.Length / 3));
        }

        var logger = new ListLogger<EmbeddedStorage>();
        await using var reopened = Open(Crashed, logger: logger);
        Assert.Equal(2, (await reopened.CountAsync()).Pending);
        Assert.Equal(intactLength, new FileInfo(journal).Length);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("torn", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Corruption_in_the_middle_refuses_to_start_unless_repair_is_requested()
    {
        await using (var store = Open(Live))
        {
            await store.AppendAsync(Command("k1", "A"));
            await store.AppendAsync(Command("k2", "A"));
            await store.AppendAsync(Command("k3", "A"));
            CopyDirectory(Live, Crashed);
        }

        var journal = Assert.Single(Directory.GetFiles(Crashed, "journal-*.log"));
        var bytes = File.ReadAllBytes(journal);
        var firstFrameLength = BitConverter.ToInt32(bytes, 16);
        var secondFrameStart = 16 + 8 + firstFrameLength;
        bytes[secondFrameStart + 20] ^= 0x5A;
        File.WriteAllBytes(journal, bytes);

        var error = Assert.Throws<StorageCorruptedException>(() => Open(Crashed));
        Assert.Contains("refusing to start", error.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:RepairCorruptJournal", error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(journal));

        var logger = new ListLogger<EmbeddedStorage>();
        await using var repaired = Open(Crashed, logger: logger, repair: true);
        Assert.Equal(["k1"], (await repaired.ListAsync(OutboxState.Pending, 10)).Select(r => r.IdempotencyKey));
        Assert.Single(Directory.GetFiles(Crashed, "journal-*.log.corrupt-*"));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task A_damaged_snapshot_refuses_to_start()
    {
        await using (var store = Open(Live))
        {
            await store.AppendAsync(Command("k1", "A"));
        }

        var snapshot = Path.Combine(Live, "snapshot.dat");
        var bytes = File.ReadAllBytes(snapshot);
        bytes[^3] ^= 0xFF;
        File.WriteAllBytes(snapshot, bytes);
        Assert.Throws<StorageCorruptedException>(() => Open(Live));
    }

    [Fact]
    public async Task A_second_writer_on_the_same_directory_is_refused()
    {
        await using (var store = Open(Live))
        {
            var error = Assert.Throws<StorageLockedException>(() => Open(Live));
            Assert.Contains("in use", error.Message, StringComparison.Ordinal);
        }

        await using var afterRelease = Open(Live);
        Assert.Equal(0, (await afterRelease.CountAsync()).Total);
    }

    [Fact]
    public async Task Purged_records_stay_purged_after_replay()
    {
        await using (var store = Open(Live))
        {
            await store.AppendAsync(Command("k1", "A"));
            await store.ClaimBatchAsync(1, TimeSpan.FromMinutes(1));
            await store.MarkConfirmedAsync("k1", "1");
            _time.Advance(TimeSpan.FromDays(8));
            Assert.Equal(1, await store.PurgeConfirmedAsync(TimeSpan.FromDays(7)));
            CopyDirectory(Live, Crashed);
        }

        await using var reopened = Open(Crashed);
        Assert.Null(await reopened.GetAsync("k1"));
        Assert.True((await reopened.AppendAsync(Command("k1", "A"))).Created);
    }

    private static OutboxAppend Command(string key, string partition) => new(key, partition, "ledger.update", $"{{\"key\":\"{key}\"}}");

    private static async Task<string> SnapshotOf(EmbeddedStorage store)
    {
        var records = new List<OutboxRecord>();
        foreach (var state in Enum.GetValues<OutboxState>())
        {
            records.AddRange(await store.ListAsync(state, 1000));
        }

        return string.Join("\n", records.OrderBy(r => r.Sequence).Select(r => $"{r} seq={r.Sequence} v={r.Version} next={r.NextAttemptAt:O} err={r.LastError} created={r.CreatedAt:O}"));
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from).Where(f => Path.GetFileName(f) != "storage.lock"))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }

    private EmbeddedStorage Open(string directory, int snapshotEvery = 10_000, ILogger<EmbeddedStorage>? logger = null, bool repair = false) =>
        EmbeddedStorage.OpenFile(directory, _time, logger, snapshotEvery, repair);
}
