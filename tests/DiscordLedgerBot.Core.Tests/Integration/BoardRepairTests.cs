using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Monday.Documents;
using DiscordLedgerBot.Core.Tests.Support;

namespace DiscordLedgerBot.Core.Tests.Integration;

/// <summary><see cref="LedgerBoardProvisioner.RepairAsync"/> (behind <c>/ledger setup provision:true</c>) against the monday emulator.</summary>
public class BoardRepairTests
{
    [Fact]
    public async Task A_bare_board_gets_every_missing_group_and_column_and_a_second_repair_adds_nothing()
    {
        await using var env = await EmulatedLedger.StartAsync(TimeProvider.System);
        var ct = CancellationToken.None;
        var created = await env.Client.MutateAsync(MondayDocuments.CreateBoard, new JsonObject { ["name"] = "Bare board", ["kind"] = "private" }, "bare-board", 30_000, ct);
        var boardId = created.Field("create_board")!.Value.GetProperty("id").ToString();
        var provisioner = new LedgerBoardProvisioner(env.Client);
        var before = await provisioner.ValidateAsync(boardId, ct);
        Assert.Contains(before.Drift, d => d.Kind == SchemaDriftKind.MissingColumn);

        var repaired = await provisioner.RepairAsync(boardId, "run-1", ct);
        var again = await provisioner.RepairAsync(boardId, "run-2", ct);

        Assert.NotNull(repaired);
        Assert.Equal(LedgerBoardSchema.Columns.Select(c => c.Id).Order(), repaired.CreatedColumns.Order());
        Assert.Equal(before.Drift.Count(d => d.Kind == SchemaDriftKind.MissingGroup), repaired.CreatedGroups.Count);
        Assert.Empty(repaired.RemainingDrift);
        Assert.True((await provisioner.ValidateAsync(boardId, ct)).Matches);
        Assert.NotNull(again);
        Assert.Empty(again.CreatedColumns);
        Assert.Empty(again.CreatedGroups);
    }

    [Fact]
    public async Task A_board_monday_does_not_have_is_not_repaired()
    {
        await using var env = await EmulatedLedger.StartAsync(TimeProvider.System);

        Assert.Null(await new LedgerBoardProvisioner(env.Client).RepairAsync("987654321", "run-1", CancellationToken.None));
    }
}
