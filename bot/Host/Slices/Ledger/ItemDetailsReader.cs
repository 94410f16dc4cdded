using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Slices.Shared;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>A note (monday update) as read back for /ledger show.</summary>
public sealed record ItemNote(string CreatedAt, string Body);

/// <summary>An item's notes (newest first) and follow-ups (subitem names).</summary>
public sealed record ItemDetails(IReadOnlyList<ItemNote> Notes, IReadOnlyList<string> FollowUps);

/// <summary>Reads what /ledger show adds to the card: the item's updates and subitems, one small query.</summary>
public sealed class ItemDetailsReader(MondayClient monday)
{
    private const string Document =
        "query LedgerItemDetails($ids: [ID!]) { complexity { before after query reset_in_x_seconds } " +
        "items(ids: $ids, limit: 1) { id updates(limit: 10) { id body created_at } subitems { id name } } }";

    public async Task<ItemDetails> ReadAsync(string mondayItemId, CancellationToken cancellationToken)
    {
        var response = await monday.QueryAsync(Document, new JsonObject { ["ids"] = new JsonArray(mondayItemId) }, 2_000, cancellationToken);
        if (response.Data is not { } data || !data.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() == 0)
        {
            return new ItemDetails([], []);
        }

        var item = items[0];
        List<ItemNote> notes = item.TryGetProperty("updates", out var updates) && updates.ValueKind == JsonValueKind.Array
            ? [.. updates.EnumerateArray().Select(u => new ItemNote(Text(u, "created_at"), Text(u, "body")))]
            : [];
        List<string> followUps = item.TryGetProperty("subitems", out var subitems) && subitems.ValueKind == JsonValueKind.Array
            ? [.. subitems.EnumerateArray().Select(s => Text(s, "name"))]
            : [];
        return new ItemDetails(notes, followUps);
    }

    private static string Text(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : string.Empty;
}

/// <summary>Links to monday items, from <see cref="SurfaceOptions.MondayItemUrl"/>.</summary>
public sealed class ItemLinks(IOptions<MondayOptions> monday, IOptionsMonitor<SurfaceOptions> surface)
{
    public string For(string mondayItemId) =>
        surface.CurrentValue.MondayItemUrl
            .Replace("{board}", monday.Value.BoardId, StringComparison.Ordinal)
            .Replace("{item}", string.IsNullOrEmpty(mondayItemId) ? "0" : mondayItemId, StringComparison.Ordinal);
}
