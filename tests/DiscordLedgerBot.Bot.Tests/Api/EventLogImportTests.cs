using System.Text.Json.Nodes;
using DiscordLedgerBot.Api.Events;

namespace DiscordLedgerBot.Bot.Tests.Api;

/// <summary>
/// The memory log a process keeps of the cluster's shared stream: events arrive with their cluster ids, which may skip
/// (the stream was trimmed past a slow follower); a repeat or an older id changes nothing.
/// </summary>
public sealed class EventLogImportTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Imported_ids_may_skip_repeats_are_refused_and_reads_resume_after_any_id()
    {
        using var log = new EventLog(capacity: 100, path: null, TimeProvider.System);
        Assert.True(log.Import(Event(5)));
        Assert.True(log.Import(Event(6)));
        Assert.True(log.Import(Event(9)));
        Assert.False(log.Import(Event(9)));
        Assert.False(log.Import(Event(7)));

        Assert.Equal(5, log.FirstId);
        Assert.Equal(9, log.LastId);
        var (all, cursor, gap) = log.ReadAfter(afterId: 4, max: 10, types: null);
        Assert.False(gap);
        Assert.Equal([5L, 6, 9], all.Select(e => e.Id));
        Assert.Equal(9, cursor);

        // A cursor between two kept ids (7 was never seen here) resumes at the next kept one.
        var (after7, _, _) = log.ReadAfter(afterId: 7, max: 10, types: null);
        Assert.Equal([9L], after7.Select(e => e.Id));

        // Older than the log keeps: the gap is reported and reading starts at the oldest kept event.
        var (fromStart, fromStartCursor, startGap) = log.ReadAfter(afterId: 1, max: 1, types: null);
        Assert.True(startGap);
        Assert.Equal([5L], fromStart.Select(e => e.Id));
        Assert.Equal(5, fromStartCursor);
    }

    [Fact]
    public void A_full_ring_keeps_the_newest_imports_in_order()
    {
        using var log = new EventLog(capacity: 100, path: null, TimeProvider.System);
        for (var id = 1; id <= 300; id += 2)
        {
            log.Import(Event(id));
        }

        Assert.Equal(101, log.FirstId);
        var (events, cursor, gap) = log.ReadAfter(afterId: 150, max: 1000, types: null);
        Assert.False(gap);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => (long)((2 * i) + 1)).Where(id => id > 150), events.Select(e => e.Id));
        Assert.Equal(299, cursor);
    }

    private static StreamEvent Event(long id) => new(id, "item.confirmed", At, new JsonObject { ["n"] = id });
}
