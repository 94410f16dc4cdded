using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary><c>/ledger escalate</c>: raise the item to a higher escalation level now, with a reason appended to its trail.</summary>
public sealed class EscalateHandler(LedgerWrites writes, LedgerItemIndex index)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        var (interaction, options) = writes.Begin(context, SurfaceRight.Escalate);
        var entry = await index.ResolveAsync(options.GetString("item"), cancellationToken);
        var reason = SurfaceText.Clean(options.GetString("reason"), "Reason", 500);
        var level = (int)(options.GetInteger("level") ?? entry.EscalationLevel + 1);
        if (level <= entry.EscalationLevel)
        {
            throw new InteractionInputException($"'{entry.Title}' is already at escalation level {entry.EscalationLevel}; escalate to a higher level.");
        }

        var command = Escalation(LedgerWrites.IdempotencyKeyOf(interaction), entry, level, interaction, reason, writes.Now);
        return await writes.RecordAsync(context, [command], $"escalated to level {level} ({reason})", OwnerNotice.Escalated, cancellationToken, () => index.Update(entry.Key, e => e with { EscalationLevel = level }));
    }

    /// <summary>The escalation command with this step appended to the item's trail (also used by the notice's "Escalate now").</summary>
    public static EscalateLedgerEntry Escalation(string idempotencyKey, LedgerEntry entry, int level, Interaction interaction, string reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(interaction);
        var line = $"{now:yyyy-MM-dd HH:mm} level {level} by {LedgerWrites.ActorOf(interaction)}: {reason}";
        var trail = entry.EscalationTrail.Append(line).ToList();
        while (trail.Sum(l => l.Length + 1) > LedgerCommandValidator.MaxEscalationTrailLength && trail.Count > 1)
        {
            // The trail is a column with a size cap; the oldest lines give way (every step is also a monday update).
            trail.RemoveAt(0);
        }

        return new EscalateLedgerEntry(idempotencyKey, entry.Key, level, trail) { MondayItemId = LedgerWrites.ItemIdOf(entry) };
    }
}
