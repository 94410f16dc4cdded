using System.Globalization;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>Renders one ledger item as one embed, always within Discord's limits (the builders truncate free text with "…").</summary>
public static class ItemCard
{
    public static int ColorOf(LedgerStatus? status) => status switch
    {
        LedgerStatus.Requested => 0x3498DB,
        LedgerStatus.InProgress => 0xF1C40F,
        LedgerStatus.Blocked => 0xE74C3C,
        LedgerStatus.Done => 0x2ECC71,
        _ => 0x95A5A6,
    };

    /// <param name="ownerDiscordId">The owner's Discord user, when linked: shown as a mention (pinging nobody: allowed_mentions is none).</param>
    public static EmbedPayload Render(LedgerEntry entry, string itemUrl, string lastChange, ulong? ownerDiscordId, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var overdue = entry.DueDate is { } due && due < today && entry.Status != LedgerStatus.Done;
        var owner = entry.Owner is null ? "unassigned" : ownerDiscordId is { } id ? $"{entry.Owner} (<@{id}>)" : entry.Owner;
        var embed = new EmbedBuilder()
            .WithTitle(entry.Title)
            .WithUrl(itemUrl)
            .WithColor(overdue ? 0xC0392B : ColorOf(entry.Status))
            .AddField("Status", entry.Status?.Label() ?? "unknown (edited on monday)", inline: true)
            .AddField("Owner", owner, inline: true)
            .AddField("Due", entry.DueDate is { } date ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + (overdue ? " (overdue)" : string.Empty) : "none", inline: true)
            .AddField("Escalation", entry.EscalationLevel == 0 ? "none" : $"level {entry.EscalationLevel}", inline: true)
            .AddField("Last change", lastChange)
            .WithFooter($"{entry.Key.Value} · monday item {entry.MondayItemId}");
        if (entry.EscalationTrail.Count > 0)
        {
            embed.WithDescription("Escalation trail:\n" + string.Join('\n', entry.EscalationTrail.TakeLast(5)));
        }

        return embed.Build();
    }

    public static MessagePayload Message(EmbedPayload card) => new MessageBuilder().AddEmbed(card).Build();
}
