using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Slices.Ledger;
using DiscordLedgerBot.Slices.Shared;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Escalation;

/// <summary>
/// Posts an escalation notice: an embed with Acknowledge / Escalate now / Done buttons in the item's card thread or
/// channel (else the moderator channel), a copy in the moderator channel when the level targets it, and a direct
/// message to the owner when the level targets them. Only the owner (Owner target) and the team role (TeamRole
/// target) may be pinged, named in allowed_mentions; nobody else is.
/// </summary>
public sealed partial class DiscordEscalationNotifier(
    IDiscordRest rest,
    CardStore cards,
    OwnerDirectory owners,
    ItemLinks links,
    IOptionsMonitor<EscalationOptions> options,
    ILogger<DiscordEscalationNotifier> logger) : IEscalationNotifier
{
    public const string DirectMessageRoute = "/users/@me/channels";

    public async Task NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var entry = notice.Entry;
        var moderatorChannel = options.CurrentValue.ModeratorChannelId is { Length: > 0 } configured ? configured : null;
        var card = await cards.FindAsync(entry.Key.Value, cancellationToken);
        var itemChannel = card?.ThreadId ?? card?.ChannelId ?? entry.DiscordChannelId;
        ulong? owner = notice.Targets.Contains(EscalationTarget.Owner) ? owners.DiscordUserFor(entry.Owner) : null;
        ulong? role = notice.Targets.Contains(EscalationTarget.TeamRole) && notice.Episode.Policy.TeamRoleId is { } roleId ? Snowflake.Parse(roleId, "Team role") : null;

        var channels = new List<string>();
        if (itemChannel is not null)
        {
            channels.Add(itemChannel);
        }

        if (moderatorChannel is not null && (itemChannel is null || notice.Targets.Contains(EscalationTarget.ModeratorChannel)) && !channels.Contains(moderatorChannel))
        {
            channels.Add(moderatorChannel);
        }

        if (channels.Count == 0)
        {
            LogNowhere(logger, entry.Key.Value, notice.Episode.Id);
        }

        foreach (var channel in channels)
        {
            await PostAsync(channel, Build(notice, owner, role, buttons: true), cancellationToken);
        }

        if (owner is { } dmRecipient)
        {
            var dm = await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, DirectMessageRoute, new Dictionary<string, string>(), new Dictionary<string, object> { ["recipient_id"] = Snowflake.ToWire(dmRecipient) }), cancellationToken);
            if (dm is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("id", out var id) && id.GetString() is { } dmChannel)
            {
                // No buttons in a DM: the buttons need a moderator's server permissions, which a DM does not carry.
                await PostAsync(dmChannel, Build(notice, null, null, buttons: false), cancellationToken);
            }
        }
    }

    /// <summary>custom_id of a notice button: action, episode and item; it names what was clicked and carries no authority.</summary>
    public static string ButtonId(string action, string episodeId, string ledgerKey) => $"{action}{episodeId}:{ledgerKey}";

    private MessagePayload Build(EscalationNotice notice, ulong? owner, ulong? role, bool buttons)
    {
        var entry = notice.Entry;
        var episode = notice.Episode;
        var mentions = string.Join(' ', new[] { owner is { } o ? $"<@{o}>" : null, role is { } r ? $"<@&{r}>" : null }.Where(m => m is not null));
        var heading = notice.Kind == EscalationNoticeKind.Reminder ? $"Reminder: escalation level {notice.Level}" : $"Escalation level {notice.Level}";
        var builder = new MessageBuilder()
            .WithAllowedMentions(AllowedMentions.Only(owner is { } user ? [user] : [], role is { } team ? [team] : []))
            .AddEmbed(embed => embed
                .WithTitle(DiscordText.Truncate($"{heading}: {entry.Title}", 256))
                .WithUrl(links.For(entry.MondayItemId))
                .WithColor(notice.Kind == EscalationNoticeKind.Reminder ? 0xF1C40F : 0xE74C3C)
                .WithDescription(DiscordText.Truncate(notice.Reason, 1000))
                .AddField("Status", entry.Status?.Label() ?? "?", inline: true)
                .AddField("Owner", entry.Owner ?? "unassigned", inline: true)
                .AddField("Due", entry.DueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "—", inline: true)
                .AddField("Policy", $"{episode.Policy.Name} · {episode.Policy.Urgency.ToString().ToLowerInvariant()} urgency · episode {episode.Number}", inline: true)
                .AddField("Acknowledged", episode.AcknowledgedBy ?? "no", inline: true)
                .WithFooter($"escalation {episode.Id} · {entry.Key.Value}"));
        if (mentions.Length > 0)
        {
            builder.WithContent(mentions);
        }

        if (buttons)
        {
            builder.AddActionRow(row => row
                .AddButton(ButtonId(EscalationButtons.Acknowledge, episode.Id, entry.Key.Value), "Acknowledge", ButtonStyle.Secondary)
                .AddButton(ButtonId(EscalationButtons.EscalateNow, episode.Id, entry.Key.Value), "Escalate now", ButtonStyle.Danger)
                .AddButton(ButtonId(EscalationButtons.Done, episode.Id, entry.Key.Value), "Done", ButtonStyle.Success));
        }

        return builder.Build();
    }

    private Task PostAsync(string channelId, MessagePayload message, CancellationToken cancellationToken) =>
        rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, CardResponder.ChannelMessagesRoute, new Dictionary<string, string> { ["channel_id"] = channelId }, message), cancellationToken);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Escalation {EpisodeId} of {LedgerKey}: the item has no card channel and Escalation:ModeratorChannelId is not set, so only the board records it")]
    private static partial void LogNowhere(ILogger logger, string ledgerKey, string episodeId);
}
