using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Tests.Support;

namespace DiscordLedgerBot.Core.Tests.Integration;

/// <summary>The facade against the monday emulator over real HTTP on 127.0.0.1.</summary>
public class LedgerRoundTripTests
{
    [Fact]
    public async Task Create_update_comment_subitem_query_archive_round_trip()
    {
        await using var env = await EmulatedLedger.StartAsync(TimeProvider.System);
        var ledger = env.Ledger;
        var key = LedgerKey.FromOrigin(LedgerSource.Slash, "1300000000000000001");
        var ct = CancellationToken.None;

        var created = Expect.Applied(await ledger.ExecuteAsync(
            new CreateLedgerEntry("ix-1", key, "Ship the release notes", LedgerSource.Slash) { Owner = "@ana", DiscordChannelId = "998877665544332211" }, ct));
        var itemId = created.MondayItemId;

        var afterCreate = await ledger.FindByKeyAsync(key, ct);
        Assert.NotNull(afterCreate);
        Assert.Equal(LedgerStatus.Requested, afterCreate.Status);
        Assert.Equal(LedgerSource.Slash, afterCreate.Source);
        Assert.Equal("998877665544332211", afterCreate.DiscordChannelId);

        // Status, owner and due date in one batch, addressed by ledger key only.
        var updates = await ledger.ExecuteBatchAsync(
        [
            new ChangeLedgerStatus("ix-2", key, LedgerStatus.Requested, LedgerStatus.InProgress),
            new UpdateLedgerDetails("ix-3", key) { Owner = "@bo", DueDate = new DateOnly(2026, 11, 30) },
            new CommentOnLedgerEntry("ix-4", key, "Draft is <b>ready</b> for review") { MondayItemId = itemId },
            new AddLedgerFollowUp("ix-5", key, "Announce in #general") { MondayItemId = itemId },
            new EscalateLedgerEntry("ix-6", key, 1, ["2026-11-21 overdue: pinged @bo"]) { MondayItemId = itemId },
        ], ct);
        Assert.All(updates, r => Assert.Equal(itemId, Expect.Applied(r).MondayItemId));

        var entry = Assert.Single(await ledger.GetByIdsAsync([itemId], ct));
        Assert.Equal(LedgerStatus.InProgress, entry.Status);
        Assert.Equal("@bo", entry.Owner);
        Assert.Equal(new DateOnly(2026, 11, 30), entry.DueDate);
        Assert.Equal(1, entry.EscalationLevel);
        Assert.Equal(["2026-11-21 overdue: pinged @bo"], entry.EscalationTrail);

        var inProgress = await ledger.QueryAsync(new LedgerQuery { Status = LedgerStatus.InProgress }, ct);
        Assert.Contains(inProgress, e => e.MondayItemId == itemId);
        Assert.Empty(await ledger.QueryAsync(new LedgerQuery { Status = LedgerStatus.Blocked }, ct));
        Assert.Contains(await ledger.QueryAsync(new LedgerQuery { Owner = "@bo" }, ct), e => e.MondayItemId == itemId);
        Assert.Contains(await ledger.QueryAsync(new LedgerQuery { DueBefore = new DateOnly(2026, 12, 1) }, ct), e => e.MondayItemId == itemId);
        Assert.DoesNotContain(await ledger.QueryAsync(new LedgerQuery { DueBefore = new DateOnly(2026, 11, 30) }, ct), e => e.MondayItemId == itemId);

        Expect.Applied(await ledger.ExecuteAsync(new ArchiveLedgerEntry("ix-7", key) { MondayItemId = itemId }, ct));

        var item = env.Emulator.Items(env.BoardId).Single(i => i.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == itemId);
        Assert.Equal("archived", item.State);
        var update = Assert.Single(env.Emulator.Updates(item.Id));
        Assert.Equal("Draft is <b>ready</b> for review", update.Body);
        Assert.Contains(env.Emulator.Items(), i => i.ParentItemId == item.Id && i.Name == "Announce in #general");
        var board = env.Emulator.Boards().Single(b => b.Id == env.BoardId);
        var escalated = board.Groups.Single(g => g.Title == LedgerBoardSchema.GroupDefinition(LedgerGroup.Escalated).Title);
        Assert.Equal(escalated.Id, item.GroupId);
    }

    [Fact]
    public async Task Illegal_transition_is_rejected_with_no_request_sent()
    {
        await using var env = await EmulatedLedger.StartAsync(TimeProvider.System);
        var before = env.Emulator.Stats.TotalRequests;
        var sentBefore = env.Transport.Total;

        var result = await env.Ledger.ExecuteAsync(
            new ChangeLedgerStatus("ill-1", LedgerKey.Parse("slash:1"), LedgerStatus.Requested, LedgerStatus.Done) { MondayItemId = "123" }, CancellationToken.None);

        Assert.Equal(LedgerRejectionKind.IllegalTransition, Assert.IsType<LedgerRejected>(result).Kind);
        Assert.Equal(before, env.Emulator.Stats.TotalRequests);
        Assert.Equal(sentBefore, env.Transport.Total);
    }

    [Fact]
    public async Task Stale_status_change_is_checked_against_the_real_status()
    {
        await using var env = await EmulatedLedger.StartAsync(TimeProvider.System);
        var key = LedgerKey.Parse("api:stale-1");
        var ct = CancellationToken.None;
        await env.Ledger.ExecuteAsync(new CreateLedgerEntry("st-1", key, "Stale", LedgerSource.Api), ct);
        await env.Ledger.ExecuteAsync(new ChangeLedgerStatus("st-2", key, LedgerStatus.Requested, LedgerStatus.InProgress), ct);
        await env.Ledger.ExecuteAsync(new ChangeLedgerStatus("st-3", key, LedgerStatus.InProgress, LedgerStatus.Done), ct);

        // The caller still believes in_progress; the board says done, and done → blocked is illegal.
        var stale = await env.Ledger.ExecuteAsync(new ChangeLedgerStatus("st-4", key, LedgerStatus.InProgress, LedgerStatus.Blocked), ct);
        var rejected = Expect.Rejected(stale, LedgerRejectionKind.IllegalTransition);
        Assert.Equal(LedgerRejectionKind.IllegalTransition, rejected.Kind);
        Assert.Contains("done", rejected.Reason, StringComparison.Ordinal);

        // Re-sending a change that already happened is reported as applied without writing again.
        var writes = env.Transport.Writes;
        var again = Expect.Applied(await env.Ledger.ExecuteAsync(new ChangeLedgerStatus("st-5", key, LedgerStatus.InProgress, LedgerStatus.Done), ct));
        Assert.True(again.Replayed);
        Assert.Equal(writes, env.Transport.Writes);
    }

    [Fact]
    public async Task Commands_for_an_entry_created_in_the_same_batch_are_applied_after_the_create()
    {
        await using var env = await EmulatedLedger.StartAsync(TimeProvider.System);
        var key = LedgerKey.Parse("mcp:req-77");

        var results = await env.Ledger.ExecuteBatchAsync(
        [
            new CreateLedgerEntry("same-1", key, "Created and commented", LedgerSource.Mcp),
            new CommentOnLedgerEntry("same-2", key, "first comment"),
        ], CancellationToken.None);

        var created = Expect.Applied(results[0]);
        Assert.Equal(created.MondayItemId, Expect.Applied(results[1]).MondayItemId);
    }

    [Fact]
    public async Task Unknown_ledger_key_is_not_found()
    {
        await using var env = await EmulatedLedger.StartAsync(TimeProvider.System);

        var result = await env.Ledger.ExecuteAsync(new ArchiveLedgerEntry("nf-1", LedgerKey.Parse("cli:nope")), CancellationToken.None);

        Expect.Rejected(result, LedgerRejectionKind.NotFound);
        Assert.Null(await env.Ledger.FindByKeyAsync(LedgerKey.Parse("cli:nope"), CancellationToken.None));
    }
}
