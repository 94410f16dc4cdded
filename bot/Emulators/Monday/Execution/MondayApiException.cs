using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Monday.Execution;

/// <summary>
/// An application-level monday error raised by a resolver; becomes an <c>errors[]</c> entry (HTTP 200) with the
/// field's path, in the 2025-01+ shape: <c>extensions { code, status_code, error_data }</c>.
/// </summary>
internal sealed class MondayApiException(string code, string message, JsonObject? errorData = null, int statusCode = 200) : Exception(message)
{
    public string Code { get; } = code;

    public JsonObject ErrorData { get; } = errorData ?? [];

    public int StatusCode { get; } = statusCode;

    public static MondayApiException InvalidArgument(string message) => new("InvalidArgumentException", message);

    public static MondayApiException BoardNotFound(string boardId) =>
        new("InvalidBoardIdException", "The board does not exist. Please check your board ID and try again", new JsonObject { ["board_id"] = boardId });

    public static MondayApiException ItemNotFound(string itemId) =>
        new("InvalidItemIdException", "Item not found in board", new JsonObject { ["item_id"] = itemId });

    public static MondayApiException ColumnNotFound(string columnId, long boardId) =>
        new("InvalidColumnIdException", "This column ID doesn't exist for the board", new JsonObject { ["column_id"] = columnId, ["board_id"] = boardId });

    public static MondayApiException GroupNotFound(string groupId, long boardId) =>
        new("InvalidGroupIdException", "The group does not exist", new JsonObject { ["group_id"] = groupId, ["board_id"] = boardId });

    public static MondayApiException ColumnValue(string message, string columnType, string? columnValue) =>
        new("ColumnValueException", message, new JsonObject { ["column_value"] = columnValue, ["column_type"] = columnType });

    public JsonObject ToExtensions() => new()
    {
        ["code"] = Code,
        ["status_code"] = StatusCode,
        ["error_data"] = ErrorData.DeepClone(),
    };
}
