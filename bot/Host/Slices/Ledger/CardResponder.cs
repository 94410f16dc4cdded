using System.Globalization;
using System.Text.Json;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Sync;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Slices.Shared;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>
/// Turns outbox outcomes into Discord: on a confirmation it re-reads the item from monday and posts its card (first
/// time) or edits it in place, then tells the owner only what needs them; on a dead letter it tells the person who
/// made the change why, ephemerally while the interaction token lives, else in the card's channel. A change made
/// directly on monday (<see cref="LedgerItemChangedOnMonday"/>, from the sync poller or a webhook re-read) edits the
/// card the same way and tells the owner per the same policy (assigned, blocked, done). One reader for both, so the
/// edits of one card never race.
/// </summary>
public sealed partial class CardResponder(
    IEventBus bus,
    ILedger ledger,
    LedgerItemIndex index,
    CardStore cards,
    DigestLog digest,
    SurfaceJournal journal,
    OwnerDirectory owners,
    IDiscordRest rest,
    ItemLinks links,
    IOptionsMonitor<SurfaceOptions> surface,
    TimeProvider time,
    ILogger<CardResponder> logger) : BackgroundService
{
    public const string ChannelMessagesRoute = "/channels/{channel_id}/messages";
    public const string ChannelMessageRoute = "/channels/{channel_id}/messages/{message_id}";
    public const string MessageThreadRoute = "/channels/{channel_id}/messages/{message_id}/threads";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = bus.Subscribe<object>("item-cards");
        try
        {
            await foreach (var @event in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    switch (@event)
                    {
                        case OutboxCommandConfirmed confirmed:
                            await OnConfirmedAsync(confirmed, stoppingToken);
                            break;
                        case OutboxCommandFailed { IsDeadLettered: true } failed:
                            await OnDeadLetteredAsync(failed, stoppingToken);
                            break;
                        case LedgerItemChangedOnMonday changed:
                            await OnChangedOnMondayAsync(changed, stoppingToken);
                            break;
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // One card that cannot be shown must not stop the others; it is logged with its key.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    switch (@event)
                    {
                        case OutboxOutcome outcome:
                            LogCardFailed(logger, exception, outcome.EntryKey, outcome.IdempotencyKey);
                            break;
                        case LedgerItemChangedOnMonday changed:
                            LogCardFailed(logger, exception, changed.After.Key.Value, "monday");
                            break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    private async Task OnConfirmedAsync(OutboxCommandConfirmed confirmed, CancellationToken cancellationToken)
    {
        var change = await journal.TakeAsync(confirmed.IdempotencyKey, cancellationToken);
        var location = await cards.FindAsync(confirmed.EntryKey, cancellationToken);
        if (change is null && location is null)
        {
            // Not a Discord item (CLI, registry audit …): it has no card to keep current.
            return;
        }

        var entry = (await ledger.GetByIdsAsync([confirmed.MondayItemId], cancellationToken)).FirstOrDefault();
        if (entry is null)
        {
            return;
        }

        index.Upsert(entry);
        var at = time.GetUtcNow();
        var lastChange = change is null
            ? $"{confirmed.CommandKind} (outside Discord) · <t:{at.ToUnixTimeSeconds()}:f>"
            : $"{change.Summary} — by {change.ActorName} · <t:{at.ToUnixTimeSeconds()}:f>";
        var ownerDiscordId = owners.DiscordUserFor(entry.Owner);
        var card = ItemCard.Message(ItemCard.Render(entry, links.For(entry.MondayItemId), lastChange, ownerDiscordId, DateOnly.FromDateTime(at.UtcDateTime)));
        if (location is null)
        {
            var channelId = new[] { surface.CurrentValue.LedgerChannelId, change?.ChannelId, entry.DiscordChannelId }.FirstOrDefault(id => !string.IsNullOrEmpty(id));
            if (channelId is null)
            {
                // Recorded without a channel (e.g. a DM-less HTTP interaction): there is nowhere to show a card.
                return;
            }

            var posted = await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, ChannelMessagesRoute, Values(channelId), card), cancellationToken);
            location = new ItemCardLocation(channelId, IdOf(posted), null, lastChange);
        }
        else
        {
            await rest.SendAsync(new DiscordRestRequest(HttpMethod.Patch, ChannelMessageRoute, Values(location.ChannelId, location.MessageId), card), cancellationToken);
            location = location with { LastChange = lastChange };
        }

        var mode = await cards.ModeAsync(location.ChannelId, cancellationToken);
        if (mode == NotifyMode.Thread)
        {
            location = await PostInThreadAsync(location, entry, lastChange, cancellationToken);
        }

        await cards.SaveAsync(confirmed.EntryKey, entry.MondayItemId, location, cancellationToken);
        if (mode == NotifyMode.Digest)
        {
            // Nobody is pinged in a digest channel: the change waits for the day's digest.
            var what = change is null ? $"{confirmed.CommandKind} (outside Discord)" : $"{change.Summary} — by {change.ActorName}";
            await digest.AppendAsync(location.ChannelId, new DigestChange(confirmed.EntryKey, entry.Title, what, entry.Status, at), cancellationToken);
        }
        else if (change is { Notice: not OwnerNotice.None })
        {
            await NotifyOwnerAsync(location, entry, change, ownerDiscordId, cancellationToken);
        }
    }

    private async Task OnChangedOnMondayAsync(LedgerItemChangedOnMonday changed, CancellationToken cancellationToken)
    {
        var entry = changed.After;
        var location = await cards.FindAsync(entry.Key.Value, cancellationToken);
        if (location is null)
        {
            // No card in Discord (made elsewhere, or never shown): the index and the event stream have it already.
            return;
        }

        var lastChange = $"{Capitalize(LedgerChangeDetector.Describe(changed.Fields))} changed on monday · <t:{changed.ObservedAt.ToUnixTimeSeconds()}:f>";
        var ownerDiscordId = owners.DiscordUserFor(entry.Owner);
        var card = ItemCard.Message(ItemCard.Render(entry, links.For(entry.MondayItemId), lastChange, ownerDiscordId, DateOnly.FromDateTime(changed.ObservedAt.UtcDateTime)));
        await rest.SendAsync(new DiscordRestRequest(HttpMethod.Patch, ChannelMessageRoute, Values(location.ChannelId, location.MessageId), card), cancellationToken);
        location = location with { LastChange = lastChange };
        var mode = await cards.ModeAsync(location.ChannelId, cancellationToken);
        if (mode == NotifyMode.Thread)
        {
            location = await PostInThreadAsync(location, entry, lastChange, cancellationToken);
        }

        await cards.SaveAsync(entry.Key.Value, entry.MondayItemId, location, cancellationToken);
        var notice = NoticeFor(changed);
        if (mode == NotifyMode.Digest)
        {
            // As for Discord-made changes: a digest channel hears about it in the day's digest, nobody is pinged.
            await digest.AppendAsync(location.ChannelId, new DigestChange(entry.Key.Value, entry.Title, LedgerChangeDetector.Describe(changed.Fields) + " changed on monday", entry.Status, changed.ObservedAt), cancellationToken);
        }
        else if (notice != OwnerNotice.None)
        {
            var summary = notice == OwnerNotice.Blocked ? "set to Blocked on monday" : LedgerChangeDetector.Describe(changed.Fields) + " changed on monday";
            await NotifyOwnerAsync(location, entry, new SurfaceChange(location.ChannelId, 0, "someone on monday", summary, notice, null), ownerDiscordId, cancellationToken);
        }
    }

    /// <summary>The surface's notification policy applied to a monday edit: a new owner, blocked, done. Overdue is the hourly job's.</summary>
    private static OwnerNotice NoticeFor(LedgerItemChangedOnMonday changed)
    {
        var after = changed.After;
        if (!after.IsActive)
        {
            return OwnerNotice.None;
        }

        if (changed.Fields.HasFlag(LedgerFields.Status) && after.Status == LedgerStatus.Blocked)
        {
            return OwnerNotice.Blocked;
        }

        if (changed.Fields.HasFlag(LedgerFields.Status) && after.Status == LedgerStatus.Done)
        {
            return OwnerNotice.Done;
        }

        return changed.Fields.HasFlag(LedgerFields.Owner) && after.Owner is not null ? OwnerNotice.Assigned : OwnerNotice.None;
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private async Task NotifyOwnerAsync(ItemCardLocation location, LedgerEntry entry, SurfaceChange change, ulong? ownerDiscordId, CancellationToken cancellationToken)
    {
        // Only the owner is mentioned, and only they may be pinged; with no linked owner there is no one to tell.
        if (ownerDiscordId is not { } owner || (owner == change.ActorId && change.Notice == OwnerNotice.Assigned))
        {
            return;
        }

        var what = change.Notice switch
        {
            OwnerNotice.Assigned => $"you were assigned **{entry.Title}** by {change.ActorName}.",
            OwnerNotice.Blocked => $"**{entry.Title}** is blocked: {change.Summary}.",
            _ => $"**{entry.Title}** is done ({change.ActorName}).",
        };
        var builder = new MessageBuilder()
            .WithContent($"<@{owner}> {what} {links.For(entry.MondayItemId)}")
            .WithAllowedMentions(AllowedMentions.Only([owner]));
        var channel = location.ThreadId ?? location.ChannelId;
        await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, ChannelMessagesRoute, Values(channel), builder.Build()), cancellationToken);
    }

    private async Task<ItemCardLocation> PostInThreadAsync(ItemCardLocation location, LedgerEntry entry, string line, CancellationToken cancellationToken)
    {
        if (location.ThreadId is null)
        {
            var thread = await rest.SendAsync(
                new DiscordRestRequest(HttpMethod.Post, MessageThreadRoute, Values(location.ChannelId, location.MessageId), new Dictionary<string, object>
                {
                    ["name"] = DiscordText.Truncate(entry.Title, 100),
                    ["auto_archive_duration"] = 10080,
                }),
                cancellationToken);
            location = location with { ThreadId = IdOf(thread) };
        }

        await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, ChannelMessagesRoute, Values(location.ThreadId!), MessageBuilder.Text(line)), cancellationToken);
        return location;
    }

    private async Task OnDeadLetteredAsync(OutboxCommandFailed failed, CancellationToken cancellationToken)
    {
        var change = await journal.TakeAsync(failed.IdempotencyKey, cancellationToken);
        if (change is null)
        {
            return;
        }

        var text = $"Your change ({change.Summary}) to {failed.EntryKey} was not applied on monday: {failed.Reason} Nothing changed; fix it and try again.";
        if (change.Context is { } context)
        {
            try
            {
                await context.FollowUpAsync(MessageBuilder.Text(text, ephemeral: true), cancellationToken);
                return;
            }
            catch (InteractionTokenExpiredException)
            {
                // Too late to answer privately: say it where the change was made, to that person only.
            }
        }

        var location = await cards.FindAsync(failed.EntryKey, cancellationToken);
        var message = new MessageBuilder().WithContent($"<@{change.ActorId}> {text}").WithAllowedMentions(AllowedMentions.Only([change.ActorId])).Build();
        await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, ChannelMessagesRoute, Values(location?.ThreadId ?? change.ChannelId), message), cancellationToken);
    }

    private static Dictionary<string, string> Values(string channelId, string? messageId = null)
    {
        var values = new Dictionary<string, string> { ["channel_id"] = channelId };
        if (messageId is not null)
        {
            values["message_id"] = messageId;
        }

        return values;
    }

    private static string IdOf(JsonElement? created) =>
        created is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("id", out var id) && id.GetString() is { } text
            ? text
            : throw new InvalidOperationException("Discord answered a create without an id.");

    [LoggerMessage(EventId = 6020, Level = LogLevel.Error, Message = "Could not post or edit the card of {LedgerKey} after {IdempotencyKey}")]
    private static partial void LogCardFailed(ILogger logger, Exception exception, string ledgerKey, string idempotencyKey);
}

/// <summary>custom_id prefixes of the buttons on escalation notices; the rest is "episode:ledger key" (no authority, no secret).</summary>
public static class EscalationButtons
{
    public const string Prefix = "esc:";
    public const string Acknowledge = "esc:ack:";
    public const string EscalateNow = "esc:up:";
    public const string Done = "esc:done:";
}
