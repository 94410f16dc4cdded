using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Sync;

/// <summary>One poll's harvest: entries monday changed since the watermark, and the watermark to use next time.</summary>
/// <param name="Complete">False when the poll stopped early (page cap); the watermark then stays where it was.</param>
public sealed record ChangedItems(IReadOnlyList<LedgerEntry> Entries, DateTimeOffset? Watermark, int Requests, bool Complete);

/// <summary>
/// Reads the items of the ledger board that changed since a watermark: <c>items_page</c> ordered by
/// <c>__last_updated__</c> descending (monday's documented way to list recent changes), paged with
/// <c>next_items_page</c> until an item older than the watermark (minus <see cref="SyncOptions.Overlap"/>) shows up.
/// A cursor that expired (60 minutes after its first page) restarts the listing from the top; the id-keyed result
/// dedupes what was already read. Reads are background requests: they never wait for budget that writes need.
/// </summary>
public sealed partial class MondayChangeFeed(MondayClient client, IOptions<MondayOptions> monday, IOptions<SyncOptions> sync, ILogger<MondayChangeFeed> logger)
{
    private const int MaxRestarts = 3;

    /// <summary>
    /// Items changed at or after <paramref name="since"/> − overlap. With no watermark (first poll after start) only the
    /// first page is read: the cache was just warmed, so only edits made around start-up can be missing.
    /// </summary>
    /// <exception cref="MondayReadDeferredException">The budget is needed by writes now; nothing was read.</exception>
    public async Task<ChangedItems> ReadChangedSinceAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var options = sync.Value;
        var threshold = since - options.Overlap;
        var found = new Dictionary<string, (LedgerEntry Entry, DateTimeOffset UpdatedAt)>(StringComparer.Ordinal);
        var requests = 0;
        DateTimeOffset? newest = null;
        for (var restart = 0; ; restart++)
        {
            try
            {
                var pages = 0;
                var page = await FirstPageAsync(options.PageSize, cancellationToken);
                requests++;
                while (true)
                {
                    pages++;
                    var reachedOld = false;
                    foreach (var item in Items(page))
                    {
                        var updatedAt = UpdatedAt(item);
                        if (updatedAt != DateTimeOffset.MaxValue && (newest is null || updatedAt > newest))
                        {
                            newest = updatedAt;
                        }
                        if (threshold is { } t && updatedAt < t)
                        {
                            reachedOld = true;
                            break;
                        }

                        if (LedgerItemMapper.Map(item) is { } entry)
                        {
                            found[entry.MondayItemId] = (entry, updatedAt);
                        }
                    }

                    var cursor = page.TryGetProperty("cursor", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                    if (reachedOld || cursor is null || since is null)
                    {
                        return new ChangedItems(Entries(found), Max(since, newest), requests, Complete: true);
                    }

                    if (pages >= options.MaxPagesPerPoll)
                    {
                        LogPageCap(logger, pages);
                        return new ChangedItems(Entries(found), since, requests, Complete: false);
                    }

                    page = await NextPageAsync(cursor, options.PageSize, cancellationToken);
                    requests++;
                }
            }
            catch (MondayRequestException expired) when (expired.Kind == MondayErrorKind.CursorExpired && restart < MaxRestarts)
            {
                LogCursorExpired(logger, restart + 1);
            }
        }
    }

    private async Task<JsonElement> FirstPageAsync(int pageSize, CancellationToken cancellationToken)
    {
        var variables = new JsonObject
        {
            ["board"] = new JsonArray(monday.Value.BoardId),
            ["limit"] = pageSize,
            ["query"] = new JsonObject { ["order_by"] = new JsonArray(new JsonObject { ["column_id"] = "__last_updated__", ["direction"] = "desc" }) },
        };
        var response = await client.QueryAsync(MondayDocuments.ChangedItemsPage, variables, EstimateFor(pageSize), cancellationToken, MondayRequestPriority.Background);
        if (response.Field("boards") is not { ValueKind: JsonValueKind.Array } boards || boards.GetArrayLength() == 0
            || !boards[0].TryGetProperty("items_page", out var page))
        {
            throw new MondayBoardMissingException(monday.Value.BoardId);
        }

        return page;
    }

    private async Task<JsonElement> NextPageAsync(string cursor, int pageSize, CancellationToken cancellationToken)
    {
        var response = await client.QueryAsync(
            MondayDocuments.NextChangedItemsPage, new JsonObject { ["cursor"] = cursor, ["limit"] = pageSize }, EstimateFor(pageSize), cancellationToken, MondayRequestPriority.Background);
        return response.Field("next_items_page") ?? throw new MondayRequestException(MondayErrorKind.Transient, "monday answered next_items_page without a page.");
    }

    // Until monday reported a cost, assume a page costs as much as the configured read estimate; afterwards the
    // learned per-item cost of the previous page (exact: monday charges the same selection the same).
    private long EstimateFor(int pageSize) =>
        client.LearnedCost(MondayDocuments.ChangedItemsPage) ?? Math.Min(monday.Value.InitialQueryCostEstimate, 1_000L * pageSize);

    private static IEnumerable<JsonElement> Items(JsonElement page) =>
        page.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray() : [];

    private static DateTimeOffset UpdatedAt(JsonElement item) =>
        item.TryGetProperty("updated_at", out var value) && value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : DateTimeOffset.MaxValue; // Unknown: treat as new, so it is compared rather than skipped.

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null || a >= b ? a : b;

    private static List<LedgerEntry> Entries(Dictionary<string, (LedgerEntry Entry, DateTimeOffset UpdatedAt)> found) =>
        [.. found.Values.OrderBy(v => v.UpdatedAt).Select(v => v.Entry)];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change listing cursor expired; restarting from the newest change (restart {Restart})")]
    private static partial void LogCursorExpired(ILogger logger, int restart);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change listing stopped after {Pages} pages (Sync:MaxPagesPerPoll); the next poll continues from the same watermark")]
    private static partial void LogPageCap(ILogger logger, int pages);
}
