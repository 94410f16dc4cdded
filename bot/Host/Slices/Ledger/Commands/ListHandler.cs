using System.Globalization;
using System.Text;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger list</c> (filters: mine, status, overdue, this channel) and its Previous/Next page buttons.</summary>
public sealed class ListHandler(LedgerItemIndex index, ILedger ledger, OwnerDirectory owners, ItemLinks links, TimeProvider time)
{
    public const string PagePrefix = "ledger:list:";
    private const int PageSize = 10;

    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Interaction.Command!;
        var filter = new ListFilter(
            options.GetBoolean("mine") == true,
            options.GetString("status") is { } status ? SurfaceText.Status(status) : null,
            options.GetBoolean("overdue") == true,
            options.GetBoolean("here") == true);
        return InteractionResponse.Message(await PageAsync(context.Interaction, filter, 0, cancellationToken));
    }

    public async Task<InteractionResponse> HandlePageAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);

        // ledger:list:<page>:<filter> — only what to show; "mine" and "here" mean the clicker and the clicked channel.
        var parts = context.Interaction.Component!.CustomId[PagePrefix.Length..].Split(':', 2);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var page) || ListFilter.Parse(parts[1]) is not { } filter)
        {
            throw new InteractionInputException("This page button is not one the ledger bot made. Run /ledger list again.");
        }

        return InteractionResponse.UpdateMessage(await PageAsync(context.Interaction, filter, page, cancellationToken));
    }

    private async Task<MessagePayload> PageAsync(Interaction interaction, ListFilter filter, int page, CancellationToken cancellationToken)
    {
        string? ownerName = null;
        if (filter.Mine)
        {
            ownerName = (interaction.User is { } user ? owners.Find(user.Id)?.Name : null)
                ?? throw new InteractionInputException(OwnerDirectory.HowToLink("You are").Replace("they run", "run", StringComparison.Ordinal).Replace(" so the item would have no owner.", " so the ledger cannot tell which items are yours.", StringComparison.Ordinal));
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var entries = await ledger.QueryAsync(new LedgerQuery { Status = filter.Status, Owner = ownerName, DueBefore = filter.Overdue ? today : null, Limit = 500 }, cancellationToken);
        foreach (var entry in entries)
        {
            index.Upsert(entry);
        }

        var channel = interaction.ChannelId is { } id ? Snowflake.ToWire(id) : null;
        var shown = entries
            .Where(e => !filter.Overdue || e.Status != LedgerStatus.Done)
            .Where(e => !filter.Here || e.DiscordChannelId == channel)
            .OrderBy(e => e.DueDate ?? DateOnly.MaxValue)
            .ThenBy(e => e.Title, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var pages = Math.Max(1, (shown.Count + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 0, pages - 1);
        var text = new StringBuilder();
        foreach (var entry in shown.Skip(page * PageSize).Take(PageSize))
        {
            text.Append(CultureInfo.InvariantCulture, $"**[{entry.Title}]({links.For(entry.MondayItemId)})** · {entry.Status?.Label() ?? "?"} · {entry.Owner ?? "unassigned"}")
                .Append(entry.DueDate is { } due ? $" · due {due:yyyy-MM-dd}" : string.Empty)
                .AppendLine();
        }

        var builder = new MessageBuilder().AsEphemeral().AddEmbed(embed => embed
            .WithTitle($"Ledger: {shown.Count} item(s){filter.Describe()}")
            .WithDescription(shown.Count == 0 ? "Nothing matches." : text.ToString())
            .WithFooter($"Page {page + 1} of {pages}"));
        if (pages > 1)
        {
            builder.AddActionRow(row => row
                .AddButton($"{PagePrefix}{page - 1}:{filter.Code}", "Previous", ButtonStyle.Secondary, disabled: page == 0)
                .AddButton($"{PagePrefix}{page + 1}:{filter.Code}", "Next", ButtonStyle.Secondary, disabled: page == pages - 1));
        }

        return builder.Build();
    }

    private sealed record ListFilter(bool Mine, LedgerStatus? Status, bool Overdue, bool Here)
    {
        public string Code => $"{(Mine ? "m" : "-")}{Status?.ToWireName() ?? "-"}{(Overdue ? "o" : "-")}{(Here ? "h" : "-")}";

        public string Describe() =>
            (Mine ? " · mine" : string.Empty) + (Status is { } s ? $" · {s.Label()}" : string.Empty) + (Overdue ? " · overdue" : string.Empty) + (Here ? " · this channel" : string.Empty);

        public static ListFilter? Parse(string code)
        {
            if (code.Length < 4)
            {
                return null;
            }

            var statusText = code[1..^2];
            LedgerStatus? status = null;
            if (statusText != "-")
            {
                if (!LedgerStatusNames.TryParse(statusText, out var parsed))
                {
                    return null;
                }

                status = parsed;
            }

            return new ListFilter(code[0] == 'm', status, code[^2] == 'o', code[^1] == 'h');
        }
    }
}
