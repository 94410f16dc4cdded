using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Time.Testing;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>Surface state kept in the file store outlives the process: who made a pending change, and a digest's unsent changes.</summary>
public sealed class SurfaceStateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dlb-surface-state-").FullName;

    [Fact]
    public async Task Who_made_a_pending_change_survives_a_restart_without_its_interaction_token()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        await using (var store = EmbeddedStorage.OpenFile(_directory, time))
        {
            await new SurfaceJournal(store, time).AddAsync("interaction:42", new SurfaceChange("1200", 77, "Grace", "status Requested → Blocked (vendor)", OwnerNotice.Blocked, null), CancellationToken.None);
        }

        await using (var reopened = EmbeddedStorage.OpenFile(_directory, time))
        {
            var journal = new SurfaceJournal(reopened, time);
            var change = await journal.TakeAsync("interaction:42", CancellationToken.None);

            Assert.NotNull(change);
            Assert.Equal(("1200", 77ul, "Grace", "status Requested → Blocked (vendor)", OwnerNotice.Blocked), (change.ChannelId, change.ActorId, change.ActorName, change.Summary, change.Notice));
            Assert.Null(change.Context);
            Assert.Null(await journal.TakeAsync("interaction:42", CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_digest_drops_only_what_it_showed_and_the_rest_survives_a_restart()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        await using (var store = EmbeddedStorage.OpenFile(_directory, time))
        {
            using var log = new DigestLog(store, time);
            for (var i = 0; i < 3; i++)
            {
                await log.AppendAsync("1200", new DigestChange($"slash:{i}", $"Item {i}", "created — by Ada", LedgerStatus.Requested, time.GetUtcNow()), CancellationToken.None);
            }

            var shown = await log.PeekAsync("1200", CancellationToken.None);
            await log.AppendAsync("1200", new DigestChange("slash:9", "Late item", "created — by Ada", LedgerStatus.Requested, time.GetUtcNow()), CancellationToken.None);
            await log.DropAsync("1200", shown.Count, CancellationToken.None);
        }

        await using (var reopened = EmbeddedStorage.OpenFile(_directory, time))
        {
            using var log = new DigestLog(reopened, time);
            var left = Assert.Single(await log.PeekAsync("1200", CancellationToken.None));
            Assert.Equal("slash:9", left.LedgerKey);
            Assert.Empty(await log.PeekAsync("1300", CancellationToken.None));
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
