using System.Text;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Slices.Shared;
using Quartz;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>
/// Hourly: tells each overdue item's owner once a day (in the item's channel, or its thread, mentioning only them), and
/// posts one daily digest per channel in digest mode instead. "Once" is kept in the dedupe store, so a restart or a
/// second run in the same day says nothing again.
/// </summary>
[DisallowConcurrentExecution]
public sealed class OverdueNoticeJob(
    LedgerItemIndex index,
    CardStore cards,
    OwnerDirectory owners,
    IDedupeStore dedupe,
    IDiscordRest rest,
    ItemLinks links,
    TimeProvider time) : IJob
{
    public static readonly JobKey Key = new("overdue-notices", "surface");
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private static readonly TimeSpan Remember = TimeSpan.FromDays(2);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await NotifyAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);

    /// <summary>One pass as of <paramref name="today"/>; returns how many messages were posted.</summary>
    public async Task<int> NotifyAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var posted = 0;
        var digests = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        foreach (var entry in index.All.Where(e => e.DueDate < today && e.Status != LedgerStatus.Done && !string.IsNullOrEmpty(e.MondayItemId)))
        {
            if (await cards.FindAsync(entry.Key.Value, cancellationToken) is not { } card)
            {
                continue;
            }

            var line = $"**{entry.Title}** was due {entry.DueDate:yyyy-MM-dd} ({entry.Status?.Label() ?? "?"}, {entry.Owner ?? "unassigned"}) {links.For(entry.MondayItemId)}";
            if (await cards.ModeAsync(card.ChannelId, cancellationToken) == NotifyMode.Digest)
            {
                (digests.TryGetValue(card.ChannelId, out var digest) ? digest : digests[card.ChannelId] = new StringBuilder()).AppendLine("• " + line);
                continue;
            }

            if (owners.DiscordUserFor(entry.Owner) is not { } owner || !await dedupe.TryMarkAsync($"surface:overdue:{entry.Key.Value}:{today:yyyy-MM-dd}", Remember, cancellationToken))
            {
                continue;
            }

            var notice = new MessageBuilder().WithContent($"<@{owner}> overdue: {line}").WithAllowedMentions(AllowedMentions.Only([owner])).Build();
            await PostAsync(card.ThreadId ?? card.ChannelId, notice, cancellationToken);
            posted++;
        }

        foreach (var (channel, digest) in digests)
        {
            if (await dedupe.TryMarkAsync($"surface:digest:{channel}:{today:yyyy-MM-dd}", Remember, cancellationToken))
            {
                await PostAsync(channel, new MessageBuilder().AddEmbed(e => e.WithTitle($"Ledger digest {today:yyyy-MM-dd}: overdue").WithDescription(digest.ToString())).Build(), cancellationToken);
                posted++;
            }
        }

        return posted;
    }

    private Task PostAsync(string channelId, MessagePayload message, CancellationToken cancellationToken) =>
        rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, CardResponder.ChannelMessagesRoute, new Dictionary<string, string> { ["channel_id"] = channelId }, message), cancellationToken);
}
