using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger notify</c> (moderators): how this channel hears about its items — card, thread or daily digest.</summary>
public sealed class NotifyHandler(SurfaceAuthority authority, CardStore cards)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var interaction = context.Interaction;
        authority.Require(interaction, SurfaceRight.Override);
        var channel = interaction.ChannelId ?? throw new InteractionInputException("Run /ledger notify in the channel it should apply to.");
        var mode = interaction.Command!.GetString("mode") switch
        {
            "card" => NotifyMode.Card,
            "thread" => NotifyMode.Thread,
            "digest" => NotifyMode.Digest,
            var other => throw new InteractionInputException($"'{other}' is not a notify mode: use card, thread or digest."),
        };
        await cards.SetModeAsync(Snowflake.ToWire(channel), mode, cancellationToken);
        return InteractionResponse.Text($"This channel now uses '{mode.ToString().ToLowerInvariant()}' notifications.", ephemeral: true);
    }
}
