using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Core.Tests.Support;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Core.Tests.Outbox;

/// <summary>
/// A comment whose every answer was lost although monday ran it is re-sent by a later flush, next to another entry's
/// command. It must still reach the board once: the re-send carries the same Idempotency-Key, so monday replays it.
/// </summary>
public sealed class OutboxResendIdempotencyTests
{
    [Fact]
    public async Task A_comment_resent_by_a_later_flush_is_replayed_by_monday_not_added_twice()
    {
        await using var monday = await EmulatedLedger.StartAsync(TimeProvider.System);
        var created = await monday.Ledger.ExecuteAsync(
            new CreateLedgerEntry("api:entry", LedgerKey.Parse("api:entry"), "Entry with a note", LedgerSource.Api), CancellationToken.None);
        var itemId = long.Parse(Assert.IsType<LedgerApplied>(created).MondayItemId, System.Globalization.CultureInfo.InvariantCulture);

        // Its own client stack: one retry, quickly, over a transport that loses the answers of the first comment attempts.
        var options = TestOptions.Monday(monday.Emulator.ApiUrl, monday.Options.BoardId);
        options.MaxRetryAttempts = 1;
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        options.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var lossy = new AnswerLosingTransport(new HttpMondayTransport(http, Microsoft.Extensions.Options.Options.Create(options)), losses: 2);
        using var client = TestOptions.Client(lossy, TimeProvider.System, options);
        var ledger = TestOptions.Ledger(client, options);

        var clock = new FakeTimeProvider(TestTime.Start);
        await using var store = EmbeddedStorage.CreateInMemory(clock);
        var outboxOptions = Microsoft.Extensions.Options.Options.Create(new OutboxOptions { RetryBaseDelay = TimeSpan.FromSeconds(5) });
        var events = new OutboxEventHub();
        var reconciler = new OutboxReconciler(store, new MondayLedgerKeyLookup(ledger), events, clock, NullLogger<OutboxReconciler>.Instance);
        var flusher = new OutboxFlusher(store, ledger, reconciler, events, outboxOptions, clock, NullLogger<OutboxFlusher>.Instance);
        var ingestion = new LedgerIngestion(store, NullLogger<LedgerIngestion>.Instance);

        await ingestion.RecordAsync(new CommentOnLedgerEntry("api:entry-note", LedgerKey.Parse("api:entry"), "Blocked on the vendor"), CancellationToken.None);
        var first = await flusher.FlushOnceAsync(CancellationToken.None);
        Assert.Equal(1, first.Retrying);
        Assert.Single(monday.Emulator.Updates(itemId));

        await ingestion.RecordAsync(new CreateLedgerEntry("api:other", LedgerKey.Parse("api:other"), "Another entry", LedgerSource.Api), CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        var second = await flusher.FlushOnceAsync(CancellationToken.None);

        Assert.Equal(2, second.Claimed);
        Assert.Equal(2, second.Confirmed);
        Assert.Equal("Blocked on the vendor", Assert.Single(monday.Emulator.Updates(itemId)).Body);
        Assert.Equal(OutboxState.Confirmed, (await store.GetAsync("api:entry-note"))!.State);
        Assert.True(monday.Emulator.Stats.IdempotentReplays >= 1);
    }

    /// <summary>Lets the first <c>losses</c> comment requests run on monday, then throws as if the connection dropped.</summary>
    private sealed class AnswerLosingTransport(IMondayTransport inner, int losses) : IMondayTransport
    {
        private int _remaining = losses;

        public async Task<MondayRawResponse> SendAsync(MondayRequest request, CancellationToken cancellationToken)
        {
            var response = await inner.SendAsync(request, cancellationToken);
            if (request.Query.Contains("create_update", StringComparison.Ordinal) && Interlocked.Decrement(ref _remaining) >= 0)
            {
                throw new HttpRequestException("The connection dropped before the answer arrived.");
            }

            return response;
        }
    }
}
