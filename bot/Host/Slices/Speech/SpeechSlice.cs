using System.Globalization;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;

namespace DiscordLedgerBot.Slices.Speech;

/// <summary>
/// The buttons of spoken requests: Confirm / Cancel on a write's prompt and the item choices of an ambiguous request.
/// Only the person who spoke may press them (checked on every click against the pending request, never the custom_id);
/// a lapsed or settled request changes nothing and says so.
/// </summary>
public sealed class SpeechSlice(SpeechActions actions, SpeechRequests requests)
{
    public void Map(InteractionRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.MapComponent(SpeechActions.Prefix, ButtonAsync);
    }

    private async Task<InteractionResponse> ButtonAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var interaction = context.Interaction;
        var customId = interaction.Component!.CustomId;
        var clicker = interaction.User is { } user ? Snowflake.ToWire(user.Id) : string.Empty;
        if (customId.StartsWith(SpeechActions.Yes, StringComparison.Ordinal) || customId.StartsWith(SpeechActions.No, StringComparison.Ordinal))
        {
            var confirm = customId.StartsWith(SpeechActions.Yes, StringComparison.Ordinal);
            var token = customId[(confirm ? SpeechActions.Yes : SpeechActions.No).Length..];
            if (requests.PeekWrite(token) is not { } pending)
            {
                return Settled("This request lapsed or was already answered; nothing was changed.");
            }

            if (pending.Origin.SpeakerId != clicker)
            {
                return InteractionResponse.Text($"Only <@{pending.Origin.SpeakerId}>, who asked, can confirm or cancel this. Nothing was changed.", ephemeral: true);
            }

            if (requests.TakeWrite(token) is not { } write)
            {
                return Settled("This request lapsed or was already answered; nothing was changed.");
            }

            var outcome = confirm ? await actions.ExecuteAsync(write, cancellationToken) : "Cancelled; nothing was changed.";
            return Settled($"<@{write.Origin.SpeakerId}> heard: “{write.Origin.Transcript}”\n{outcome}");
        }

        if (customId.StartsWith(SpeechActions.Pick, StringComparison.Ordinal) && customId[SpeechActions.Pick.Length..].Split(':') is [var pickToken, var indexText]
            && int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            if (requests.PeekPick(pickToken) is not { } waiting)
            {
                return Settled("This question lapsed or was already answered; nothing was changed.");
            }

            if (waiting.Origin.SpeakerId != clicker)
            {
                return InteractionResponse.Text($"Only <@{waiting.Origin.SpeakerId}>, who asked, can choose. Nothing was changed.", ephemeral: true);
            }

            if (index >= waiting.Candidates.Count || requests.TakePick(pickToken) is not { } pick)
            {
                return Settled("This question lapsed or was already answered; nothing was changed.");
            }

            var reply = actions.RespondWithPick(pick, pick.Candidates[index]);
            if (reply.Prompt is { } prompt && interaction.MessageId is { } messageId && interaction.ChannelId is { } channelId)
            {
                prompt.PromptChannelId = Snowflake.ToWire(channelId);
                prompt.PromptMessageId = Snowflake.ToWire(messageId);
            }

            return InteractionResponse.UpdateMessage(reply.Message);
        }

        throw new InteractionInputException("This button was not made by the ledger bot (or is from an old version). Nothing was changed.");
    }

    private static InteractionResponse Settled(string text) =>
        InteractionResponse.UpdateMessage(new MessageBuilder().WithContent(text).WithAllowedMentions(AllowedMentions.None).Build() with { Components = [] });
}
