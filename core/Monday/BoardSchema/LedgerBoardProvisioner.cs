using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Monday.Documents;

namespace DiscordLedgerBot.Core.Monday.BoardSchema;

/// <summary>What <see cref="LedgerBoardProvisioner.CreateAsync"/> did.</summary>
public sealed record BoardProvisioned(string BoardId, string BoardName, IReadOnlyList<string> CreatedGroups, IReadOnlyList<string> CreatedColumns, IReadOnlyList<SchemaDrift> RemainingDrift);

/// <summary>
/// What <see cref="LedgerBoardProvisioner.RepairAsync"/> did to an existing board: the groups and columns it added, and
/// the drift it leaves for a person (a column of the wrong type or with different status labels holds data, so it is
/// never rewritten automatically).
/// </summary>
public sealed record BoardRepaired(string BoardId, IReadOnlyList<string> CreatedGroups, IReadOnlyList<string> CreatedColumns, IReadOnlyList<SchemaDrift> RemainingDrift);

/// <summary>A board compared with the canonical schema; <see cref="Board"/> is null when monday has no such board.</summary>
public sealed record BoardValidation(string BoardId, BoardSnapshot? Board, IReadOnlyList<SchemaDrift> Drift)
{
    public bool Matches => Board is not null && Drift.Count == 0;
}

/// <summary>Creates the ledger board from <see cref="LedgerBoardSchema"/>, or validates an existing one.</summary>
public sealed class LedgerBoardProvisioner(MondayClient client)
{
    private const long StructureMutationCost = 30_000;

    public async Task<BoardValidation> ValidateAsync(string boardId, CancellationToken cancellationToken)
    {
        var board = await MondayBoardReader.ReadAsync(client, boardId, cancellationToken);
        return new BoardValidation(boardId, board, board is null ? [] : LedgerBoardDiff.Compare(board));
    }

    /// <summary>
    /// Creates a private board with every group and column. <paramref name="runId"/> scopes the idempotency keys:
    /// retries inside this run are replayed by monday instead of creating a second board.
    /// </summary>
    public async Task<BoardProvisioned> CreateAsync(string boardName, string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(boardName);
        var board = await client.MutateAsync(
            MondayDocuments.CreateBoard,
            new JsonObject { ["name"] = boardName, ["kind"] = "private" },
            $"provision:{runId}:board",
            StructureMutationCost,
            cancellationToken);
        var boardId = board.Field("create_board")?.GetProperty("id").ToString()
            ?? throw new MondayRequestException(MondayErrorKind.Validation, $"create_board returned no board: {string.Join("; ", board.Errors.Select(e => e.Message))}");

        var createdGroups = new List<string>();
        foreach (var group in LedgerBoardSchema.Groups)
        {
            await CreateGroupAsync(boardId, group, runId, cancellationToken);
            createdGroups.Add(group.Title);
        }

        var createdColumns = new List<string>();
        foreach (var column in LedgerBoardSchema.Columns)
        {
            await CreateColumnAsync(boardId, column, runId, cancellationToken);
            createdColumns.Add(column.Id);
        }

        var check = await ValidateAsync(boardId, cancellationToken);
        return new BoardProvisioned(boardId, boardName, createdGroups, createdColumns, check.Drift);
    }

    /// <summary>
    /// Brings an existing board to the schema where that loses nothing: adds the missing groups and columns (status
    /// columns with the ledger's labels), then validates again. Returns null when monday has no board <paramref name="boardId"/>.
    /// </summary>
    public async Task<BoardRepaired?> RepairAsync(string boardId, string runId, CancellationToken cancellationToken)
    {
        var validation = await ValidateAsync(boardId, cancellationToken);
        if (validation.Board is null)
        {
            return null;
        }

        var createdGroups = new List<string>();
        foreach (var group in LedgerBoardSchema.Groups.Where(g => validation.Drift.Any(d => d.Kind == SchemaDriftKind.MissingGroup && d.Subject == g.Title)))
        {
            await CreateGroupAsync(boardId, group, runId, cancellationToken);
            createdGroups.Add(group.Title);
        }

        var createdColumns = new List<string>();
        foreach (var column in LedgerBoardSchema.Columns.Where(c => validation.Drift.Any(d => d.Kind == SchemaDriftKind.MissingColumn && d.Subject == c.Id)))
        {
            await CreateColumnAsync(boardId, column, runId, cancellationToken);
            createdColumns.Add(column.Id);
        }

        var remaining = createdGroups.Count + createdColumns.Count == 0 ? validation.Drift : (await ValidateAsync(boardId, cancellationToken)).Drift;
        return new BoardRepaired(boardId, createdGroups, createdColumns, remaining);
    }

    private async Task CreateGroupAsync(string boardId, LedgerGroupDefinition group, string runId, CancellationToken cancellationToken)
    {
        var response = await client.MutateAsync(
            MondayDocuments.CreateGroup,
            new JsonObject { ["board"] = boardId, ["name"] = group.Title, ["color"] = group.Color },
            $"provision:{runId}:group:{group.Group}",
            StructureMutationCost,
            cancellationToken);
        RequireField(response, "create_group", $"group '{group.Title}'");
    }

    private async Task CreateColumnAsync(string boardId, LedgerColumnDefinition column, string runId, CancellationToken cancellationToken)
    {
        var variables = new JsonObject
        {
            ["board"] = boardId,
            ["id"] = column.Id,
            ["title"] = column.Title,
            ["type"] = column.Type,
        };
        if (column.StatusLabels.Count > 0)
        {
            var labels = new JsonObject();
            foreach (var (index, label) in column.StatusLabels.OrderBy(l => l.Key))
            {
                labels[index.ToString(CultureInfo.InvariantCulture)] = label;
            }

            variables["defaults"] = new JsonObject { ["labels"] = labels };
        }

        var response = await client.MutateAsync(MondayDocuments.CreateColumn, variables, $"provision:{runId}:column:{column.Id}", StructureMutationCost, cancellationToken);
        RequireField(response, "create_column", $"column '{column.Id}'");
    }

    private static void RequireField(MondayResponse response, string field, string what)
    {
        if (response.Field(field) is not { ValueKind: JsonValueKind.Object })
        {
            var errors = response.ErrorsFor(field).Concat(response.RequestErrors).Select(e => e.Message);
            throw new MondayRequestException(MondayErrorKind.Validation, $"monday did not create {what}: {string.Join("; ", errors)}");
        }
    }
}
