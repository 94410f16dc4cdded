using System.Text.Json.Nodes;
using DiscordLedgerBot.Api.Events;

namespace DiscordLedgerBot.Bot.Tests.Api;

/// <summary>The event stream's durable log on its own: bounded in memory and on disk, and ids survive a restart.</summary>
public sealed class EventLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dlb-eventlog-").FullName;

    [Fact]
    public void A_reopened_log_continues_its_ids_keeps_only_the_newest_capacity_and_reports_a_gap()
    {
        var path = Path.Combine(_directory, "events.log");
        using (var log = new EventLog(capacity: 100, path, TimeProvider.System))
        {
            for (var i = 1; i <= 450; i++)
            {
                log.Append("item.confirmed", new JsonObject { ["n"] = i });
            }
        }

        // Compaction rewrote the file to the newest 100 lines whenever it reached 200.
        Assert.InRange(File.ReadLines(path).Count(), 100, 199);
        using var reopened = new EventLog(capacity: 100, path, TimeProvider.System);
        Assert.Equal(450, reopened.LastId);
        Assert.Equal(351, reopened.FirstId);
        Assert.Equal(451, reopened.Append("item.failed", new JsonObject()).Id);

        var (events, cursor, gap) = reopened.ReadAfter(afterId: 10, max: 1000, types: new HashSet<string> { "item.confirmed" });
        Assert.True(gap);
        Assert.Equal(Enumerable.Range(352, 99).Select(i => (long)i), events.Select(e => e.Id));
        Assert.Equal(451, cursor);
    }

    [Fact]
    public async Task A_waiting_reader_wakes_on_append_and_times_out_without_one()
    {
        using var log = new EventLog(capacity: 100, path: null, TimeProvider.System);

        var idle = await log.WaitAfterAsync(0, TimeSpan.FromMilliseconds(10), CancellationToken.None);
        var waiting = log.WaitAfterAsync(0, TimeSpan.FromMinutes(1), CancellationToken.None);
        log.Append("item.created", new JsonObject());

        Assert.False(idle);
        Assert.True(await waiting);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
