using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Slices.Shared;

/// <summary>
/// Puts every press of a moderator button (registry card overrides, escalation notices) on the ledger as a monday
/// update — who, which button, when, and what came of it, accepted or refused — through the durable outbox. The key
/// <c>interaction:&lt;id&gt;:press</c> makes a redelivered press one record. A custom_id the bot never made (forged, or
/// naming a tool or item that no longer exists) is only logged: writing those to monday would let anyone flood the board.
/// </summary>
public sealed partial class ButtonPressAudit(IDecisionRecorder recorder, TimeProvider time, ILogger<ButtonPressAudit> logger)
{
    public async Task RecordAsync(Interaction interaction, string ledgerKey, string button, string outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        var actor = interaction.User is { } user ? $"{user.DisplayName} (Discord {Snowflake.ToWire(user.Id)})" : "an unknown Discord user";
        var body = $"Button {button} pressed by {actor} at {time.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC: {outcome}";
        try
        {
            await recorder.RecordAsync(ledgerKey, body, "interaction:" + Snowflake.ToWire(interaction.Id) + ":press", cancellationToken);
        }
        catch (LedgerReadOnlyException)
        {
            // Read-only mode refuses every ledger write; the press is still on record in the log.
            LogNotAudited(logger, ledgerKey, body);
        }
    }

    [LoggerMessage(EventId = 6040, Level = LogLevel.Warning, Message = "Ledger is read-only; button press on {LedgerKey} audited in the log only: {Body}")]
    private static partial void LogNotAudited(ILogger logger, string ledgerKey, string body);
}
