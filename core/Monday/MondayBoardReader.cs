using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Monday.Documents;

namespace DiscordLedgerBot.Core.Monday;

/// <summary>Reads a board's columns and groups (shared by the ledger's group binding and <c>bot provision</c>).</summary>
public static class MondayBoardReader
{
    private const long EstimatedCost = 1_000;

    /// <summary>Null when monday knows no active board with that id.</summary>
    public static async Task<BoardSnapshot?> ReadAsync(MondayClient client, string boardId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var response = await client.QueryAsync(MondayDocuments.BoardSchema, new JsonObject { ["board"] = new JsonArray(boardId) }, EstimatedCost, cancellationToken);
        if (response.Field("boards") is not { ValueKind: JsonValueKind.Array } boards || boards.GetArrayLength() == 0)
        {
            return null;
        }

        var board = boards[0];
        var columns = new List<BoardColumn>();
        if (board.TryGetProperty("columns", out var columnArray) && columnArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var column in columnArray.EnumerateArray())
            {
                columns.Add(new BoardColumn(
                    column.GetProperty("id").GetString()!,
                    column.TryGetProperty("title", out var title) ? title.GetString() ?? string.Empty : string.Empty,
                    column.TryGetProperty("type", out var type) ? type.GetString() ?? string.Empty : string.Empty,
                    column.TryGetProperty("settings", out var settings) && settings.ValueKind != JsonValueKind.Null ? settings.Clone() : null));
            }
        }

        var groups = new List<BoardGroup>();
        if (board.TryGetProperty("groups", out var groupArray) && groupArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var group in groupArray.EnumerateArray())
            {
                groups.Add(new BoardGroup(group.GetProperty("id").GetString()!, group.TryGetProperty("title", out var title) ? title.GetString() ?? string.Empty : string.Empty));
            }
        }

        return new BoardSnapshot(board.GetProperty("id").ToString(), board.TryGetProperty("name", out var name) ? name.GetString() ?? string.Empty : string.Empty, columns, groups);
    }
}
