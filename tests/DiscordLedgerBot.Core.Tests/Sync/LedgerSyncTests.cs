using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Monday.Documents;
using DiscordLedgerBot.Core.Sync;
using DiscordLedgerBot.Core.Tests.Support;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Tests.Sync;

/// <summary>The poller against the monday emulator on a fake clock: what changed since the watermark, and nothing else.</summary>
public sealed class LedgerSyncTests
{
    private readonly FakeTimeProvider _time = new(TestTime.Start);

    [Fact]
    public async Task A_poll_reads_only_what_changed_since_the_last_one_and_raises_one_event_per_change()
    {
        await using var monday = await EmulatedLedger.StartAsync(_time);
        var ids = await CreateAsync(monday, 3);
        var (sync, view, events) = Sync(monday, new SyncOptions());

        var first = await sync.PollAsync(CancellationToken.None);
        Assert.Equal(0, first.Changes); // entries the view never held were made by the ledger, not on monday
        Assert.Equal(3, view.Entries.Count);
        Assert.Empty(Drain(events));
        Assert.Equal(_time.GetUtcNow(), first.Watermark);

        _time.Advance(TimeSpan.FromMinutes(1));
        monday.Emulator.EditItem(ids[1], new JsonObject
        {
            [LedgerBoardSchema.OwnerColumn] = "grace@example.com",
            [LedgerBoardSchema.StatusColumn] = new JsonObject { ["index"] = LedgerBoardSchema.StatusIndex(LedgerStatus.Blocked) },
        });
        var second = await sync.PollAsync(CancellationToken.None);

        Assert.Equal(1, second.Requests);
        var change = Assert.Single(Drain(events));
        Assert.Equal(LedgerFields.Owner | LedgerFields.Status, change.Fields);
        Assert.Equal(LedgerStatus.Requested, change.Before.Status);
        Assert.Equal(LedgerStatus.Blocked, change.After.Status);
        Assert.Equal("grace@example.com", view.Find(change.After.Key)!.Owner);
        Assert.Equal(_time.GetUtcNow(), change.ObservedAt);

        // Nothing changed since: the overlap re-reads the last edit, but an unchanged entry raises nothing.
        _time.Advance(TimeSpan.FromSeconds(1));
        var third = await sync.PollAsync(CancellationToken.None);
        Assert.Equal(0, third.Changes);
        Assert.Empty(Drain(events));

        // The next edit: read with the one in the overlap, never the items untouched since the first poll.
        _time.Advance(TimeSpan.FromMinutes(1));
        monday.Emulator.EditItem(ids[2], new JsonObject { ["name"] = "Item 2, renamed on monday" });
        var fourth = await sync.PollAsync(CancellationToken.None);
        Assert.Equal(2, fourth.ItemsRead);
        Assert.Equal(LedgerFields.Title, Assert.Single(Drain(events)).Fields);
    }

    [Fact]
    public async Task An_archived_item_leaves_the_view_and_says_so()
    {
        await using var monday = await EmulatedLedger.StartAsync(_time);
        var ids = await CreateAsync(monday, 1);
        var (sync, view, events) = Sync(monday, new SyncOptions());
        await sync.PollAsync(CancellationToken.None);
        Drain(events);
        _time.Advance(TimeSpan.FromSeconds(30));

        var entry = view.Entries.Values.Single();
        Assert.IsType<LedgerApplied>(await monday.Ledger.ExecuteAsync(new ArchiveLedgerEntry("archive-1", entry.Key) { MondayItemId = entry.MondayItemId }, CancellationToken.None));
        // The archive went around the bot (the view was not told): the re-read must notice it.
        var result = await sync.RefreshItemAsync(ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);

        Assert.Equal(LedgerFields.Archived, result!.Fields);
        Assert.Empty(view.Entries);
    }

    [Fact]
    public async Task The_bots_own_write_is_stored_but_not_announced_as_a_monday_change()
    {
        await using var monday = await EmulatedLedger.StartAsync(_time);
        var ids = await CreateAsync(monday, 1);
        var (sync, view, events) = Sync(monday, new SyncOptions());
        await sync.PollAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var entry = view.Entries.Values.Single();

        await monday.Ledger.ExecuteAsync(new ChangeLedgerStatus("start-1", entry.Key, LedgerStatus.Requested, LedgerStatus.InProgress) { MondayItemId = entry.MondayItemId }, CancellationToken.None);
        sync.NoteOwnWrite(entry.Key.Value);
        var own = await sync.PollAsync(CancellationToken.None); // the poll comes before the write is absorbed
        Assert.Equal(0, own.Changes);
        Assert.Equal(LedgerStatus.InProgress, view.Entries.Values.Single().Status);
        await sync.AbsorbOwnWritesAsync([(entry.Key.Value, entry.MondayItemId)], CancellationToken.None);
        Assert.Equal(0, sync.PendingOwnWrites);

        _time.Advance(TimeSpan.FromMinutes(1));
        monday.Emulator.EditItem(ids[0], new JsonObject { ["name"] = "Renamed by a person" });
        Assert.Equal(1, (await sync.PollAsync(CancellationToken.None)).Changes);
        Assert.Equal(LedgerFields.Title, Assert.Single(Drain(events)).Fields);
    }

    [Fact]
    public async Task An_expired_cursor_restarts_the_listing_from_the_newest_change()
    {
        await using var monday = await EmulatedLedger.StartAsync(_time, o => o.CursorLifetime = TimeSpan.FromMinutes(1));
        var ids = await CreateAsync(monday, 3);
        var (sync, view, events) = Sync(monday, new SyncOptions { PageSize = 1 });
        foreach (var entry in await monday.Ledger.QueryAsync(new LedgerQuery(), CancellationToken.None))
        {
            view.Upsert(entry); // warmed, as the bot's index is at start
        }

        await sync.PollAsync(CancellationToken.None);
        Drain(events);
        _time.Advance(TimeSpan.FromMinutes(5));
        foreach (var id in ids)
        {
            monday.Emulator.EditItem(id, new JsonObject { [LedgerBoardSchema.DueColumn] = new JsonObject { ["date"] = "2030-01-02" } });
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        // The clock jumps past the cursor's 60-minute (here: 1-minute) life right before the first next page is asked for.
        var requestsBefore = monday.Transport.Reads;
        var advanced = 0;
        monday.BeforeSend = request =>
        {
            if (request.Query == MondayDocuments.NextChangedItemsPage && Interlocked.Exchange(ref advanced, 1) == 0)
            {
                _time.Advance(TimeSpan.FromMinutes(2));
            }
        };
        var result = await sync.PollAsync(CancellationToken.None);

        Assert.Equal(3, result.Changes);
        Assert.Equal(3, Drain(events).Select(e => e.After.MondayItemId).Distinct().Count());
        // page 1, the next page refused as expired, page 1 again, pages 2 and 3 (the last one has no cursor).
        Assert.Equal(5, monday.Transport.Reads - requestsBefore);
    }

    [Fact]
    public async Task A_poll_defers_to_writes_that_need_the_budget_and_sends_nothing()
    {
        var transport = new FakeMondayTransport().Then(FakeMondayTransport.Data(new JsonObject { ["items"] = new JsonArray() }, after: 40_000, query: 10_000));
        using var client = TestOptions.Client(transport, _time);
        var ledger = TestOptions.Ledger(client);
        await ledger.GetByIdsAsync(["1"], CancellationToken.None);
        var feed = new MondayChangeFeed(client, Options.Create(TestOptions.Monday()), Options.Create(new SyncOptions()), NullLogger<MondayChangeFeed>.Instance);

        client.Budget.ClaimForWrite(35_000);
        var sync = new LedgerSync(feed, ledger, new DictionaryView(), new EventBus(), _time, NullLogger<LedgerSync>.Instance);
        var result = await sync.PollAsync(CancellationToken.None);

        Assert.True(result.Deferred);
        Assert.Single(transport.Requests);
        Assert.Equal(1, client.Statistics.BackgroundDeferred);
        client.Budget.ReleaseWriteClaim(35_000);
        Assert.True(client.Budget.FitsInBackground(10_000));
    }

    [Fact]
    public void The_detector_names_each_changed_field_and_ignores_unchanged_entries()
    {
        var before = new LedgerEntry { Key = LedgerKey.Parse("api:x"), MondayItemId = "1", Title = "A", Status = LedgerStatus.Requested, GroupId = "g1" };
        Assert.Equal(LedgerFields.None, LedgerChangeDetector.Compare(before, before with { }));
        var after = before with { Title = "B", DueDate = new DateOnly(2030, 1, 1), EscalationLevel = 1, GroupId = "g2", IsActive = false };
        Assert.Equal(LedgerFields.Title | LedgerFields.DueDate | LedgerFields.Escalation | LedgerFields.Group | LedgerFields.Archived, LedgerChangeDetector.Compare(before, after));
        Assert.Equal("title, due date, escalation, group, archived", LedgerChangeDetector.Describe(LedgerChangeDetector.Compare(before, after)));
        Assert.Equal(LedgerFields.None, LedgerChangeDetector.Compare(null, after));
    }

    private (LedgerSync Sync, DictionaryView View, EventSubscription<LedgerItemChangedOnMonday> Events) Sync(EmulatedLedger monday, SyncOptions options)
    {
        var feed = new MondayChangeFeed(monday.Client, Options.Create(monday.Options), Options.Create(options), NullLogger<MondayChangeFeed>.Instance);
        var bus = new EventBus();
        var view = new DictionaryView();
        var events = bus.Subscribe<LedgerItemChangedOnMonday>("test");
        return (new LedgerSync(feed, monday.Ledger, view, bus, _time, NullLogger<LedgerSync>.Instance), view, events);
    }

    private static async Task<List<long>> CreateAsync(EmulatedLedger monday, int count)
    {
        var results = await monday.Ledger.ExecuteBatchAsync(
            [.. Enumerable.Range(0, count).Select(i => (LedgerCommand)new CreateLedgerEntry($"create-{i}", LedgerKey.Parse($"api:sync-{i}"), $"Item {i}", LedgerSource.Api))],
            CancellationToken.None);
        return [.. results.Cast<LedgerApplied>().Select(r => long.Parse(r.MondayItemId, System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static List<LedgerItemChangedOnMonday> Drain(EventSubscription<LedgerItemChangedOnMonday> events)
    {
        var drained = new List<LedgerItemChangedOnMonday>();
        while (events.Reader.TryRead(out var change))
        {
            drained.Add(change);
        }

        return drained;
    }

    private sealed class DictionaryView : ILedgerLocalView
    {
        public ConcurrentDictionary<string, LedgerEntry> Entries { get; } = new(StringComparer.Ordinal);

        public LedgerEntry? Find(LedgerKey key) => Entries.GetValueOrDefault(key.Value);

        public void Upsert(LedgerEntry entry)
        {
            if (entry.IsActive)
            {
                Entries[entry.Key.Value] = entry;
            }
            else
            {
                Entries.TryRemove(entry.Key.Value, out _);
            }
        }
    }
}
