using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Emulators.Monday;

namespace DiscordLedgerBot.Core.Tests.Support;

internal static class EmulatorItems
{
    /// <summary>The ledger key stored on an emulator item (text columns may be stored as a JSON string or an object with text/value).</summary>
    public static string? LedgerKey(MondayItemSnapshot item)
    {
        if (!item.ColumnValues.TryGetValue(LedgerBoardSchema.KeyColumn, out var stored))
        {
            return null;
        }

        return JsonNode.Parse(stored) switch
        {
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            JsonObject obj => (obj["text"] ?? obj["value"])?.GetValue<string>(),
            _ => null,
        };
    }
}
