using System.Globalization;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Slices.Shared;
using Quartz;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>
/// Hourly: tells each overdue item's owner once a day (in the item's channel, or its thread, mentioning only them);
/// channels in digest mode get instead one daily digest — what changed since the last digest, what became blocked,
/// what was done, what is due soon and what is overdue — mentioning nobody. "Once" is kept in the dedupe store, so a
/// restart or a second run in the same day says nothing again.
/// </summary>
[DisallowConcurrentExecution]
public sealed class OverdueNoticeJob(
    LedgerPassSource items,
    CardStore cards,
    DigestLog digestLog,
    OwnerDirectory owners,
    IDedupeStore dedupe,
    IDiscordRest rest,
    ItemLinks links,
    TimeProvider time) : IJob
{
    public static readonly JobKey Key = new("overdue-notices", "surface");
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>"Due soon" in a digest: due today or within this many days.</summary>
    public const int DueSoonDays = 2;

    private const int LinesPerSection = 15;
    private static readonly TimeSpan Remember = TimeSpan.FromDays(2);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await NotifyAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);

    /// <summary>One pass as of <paramref name="today"/>; returns how many messages were posted.</summary>
    public async Task<int> NotifyAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var posted = 0;
        var dueByDigestChannel = new Dictionary<string, List<LedgerEntry>>(StringComparer.Ordinal);
        var entries = await items.ActiveEntriesAsync(cancellationToken);
        // Last wins, as in the index: a board holding one ledger key twice (a duplicated create) must not fail the pass.
        var byKey = entries.GroupBy(e => e.Key.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.DueDate <= today.AddDays(DueSoonDays) && e.Status != LedgerStatus.Done && !string.IsNullOrEmpty(e.MondayItemId)))
        {
            if (await cards.FindAsync(entry.Key.Value, cancellationToken) is not { } card)
            {
                continue;
            }

            if (await cards.ModeAsync(card.ChannelId, cancellationToken) == NotifyMode.Digest)
            {
                (dueByDigestChannel.TryGetValue(card.ChannelId, out var due) ? due : dueByDigestChannel[card.ChannelId] = []).Add(entry);
                continue;
            }

            if (entry.DueDate >= today
                || owners.DiscordUserFor(entry.Owner) is not { } owner
                || !await dedupe.TryMarkAsync($"surface:overdue:{entry.Key.Value}:{today:yyyy-MM-dd}", Remember, cancellationToken))
            {
                continue;
            }

            var notice = new MessageBuilder().WithContent($"<@{owner}> overdue: {OverdueLine(entry)}").WithAllowedMentions(AllowedMentions.Only([owner])).Build();
            await PostAsync(card.ThreadId ?? card.ChannelId, notice, cancellationToken);
            posted++;
        }

        var channels = (await cards.DigestChannelsAsync(cancellationToken)).Union(dueByDigestChannel.Keys, StringComparer.Ordinal).ToList();
        foreach (var channel in channels)
        {
            var changes = await digestLog.PeekAsync(channel, cancellationToken);
            var due = dueByDigestChannel.GetValueOrDefault(channel) ?? [];
            if ((changes.Count == 0 && due.Count == 0) || !await dedupe.TryMarkAsync($"surface:digest:{channel}:{today:yyyy-MM-dd}", Remember, cancellationToken))
            {
                continue;
            }

            await PostAsync(channel, Digest(today, changes, due, byKey), cancellationToken);
            await digestLog.DropAsync(channel, changes.Count, cancellationToken);
            posted++;
        }

        return posted;
    }

    private MessagePayload Digest(DateOnly today, IReadOnlyList<DigestChange> changes, IReadOnlyList<LedgerEntry> due, IReadOnlyDictionary<string, LedgerEntry> entries)
    {
        var changed = changes.GroupBy(c => c.LedgerKey, StringComparer.Ordinal)
            .Select(item => $"**{item.Last().Title}** — {string.Join("; ", item.Select(c => c.Change))}")
            .ToList();
        var blocked = LatestPerItem(changes).Where(c => c.Status == LedgerStatus.Blocked && entries.GetValueOrDefault(KeyOf(c).Value)?.Status == LedgerStatus.Blocked)
            .Select(c => $"**{c.Title}** — {c.Change}")
            .ToList();
        var done = LatestPerItem(changes).Where(c => c.Status == LedgerStatus.Done).Select(c => $"**{c.Title}**").ToList();
        var dueSoon = due.Where(e => e.DueDate >= today).OrderBy(e => e.DueDate)
            .Select(e => $"**{e.Title}** due {e.DueDate:yyyy-MM-dd} · {e.Owner ?? "unassigned"} {links.For(e.MondayItemId)}")
            .ToList();
        var overdue = due.Where(e => e.DueDate < today).OrderBy(e => e.DueDate).Select(OverdueLine).ToList();
        return new MessageBuilder().AddEmbed(embed =>
        {
            embed.WithTitle($"Ledger digest {today:yyyy-MM-dd}")
                .WithDescription(changes.Count == 0
                    ? "No changes since the last digest."
                    : string.Create(CultureInfo.InvariantCulture, $"{changes.Count} change(s) to {changed.Count} item(s) since the last digest."));
            Section(embed, "Changed since the last digest", changed);
            Section(embed, "Newly blocked", blocked);
            Section(embed, "Done", done);
            Section(embed, $"Due within {DueSoonDays} days", dueSoon);
            Section(embed, "Overdue", overdue);
        }).Build();
    }

    private static IEnumerable<DigestChange> LatestPerItem(IReadOnlyList<DigestChange> changes) =>
        changes.GroupBy(c => c.LedgerKey, StringComparer.Ordinal).Select(item => item.Last());

    private static LedgerKey KeyOf(DigestChange change) => LedgerKey.Parse(change.LedgerKey);

    private static void Section(EmbedBuilder embed, string title, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        var shown = string.Join('\n', lines.Take(LinesPerSection).Select(l => "• " + l));
        var more = lines.Count > LinesPerSection ? $"\n… and {lines.Count - LinesPerSection} more (/ledger list)" : string.Empty;
        embed.AddField($"{title} ({lines.Count})", DiscordText.Truncate(shown, DiscordLimits.EmbedFieldValueLength - more.Length) + more);
    }

    private string OverdueLine(LedgerEntry entry) =>
        $"**{entry.Title}** was due {entry.DueDate:yyyy-MM-dd} ({entry.Status?.Label() ?? "?"}, {entry.Owner ?? "unassigned"}) {links.For(entry.MondayItemId)}";

    private Task PostAsync(string channelId, MessagePayload message, CancellationToken cancellationToken) =>
        rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, CardResponder.ChannelMessagesRoute, new Dictionary<string, string> { ["channel_id"] = channelId }, message), cancellationToken);
}
