using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Slices.Shared;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Ledger.Commands;

/// <summary>
/// <c>/ledger setup</c> (Manage Server): compares the configured board with the ledger schema and reports the diff;
/// with <c>provision:true</c> it adds the missing groups and columns (the same provisioner the <c>provision</c> verb
/// uses) and reports what it added and what is left for a person.
/// </summary>
public sealed class SetupHandler(SurfaceAuthority authority, LedgerBoardProvisioner provisioner, IOptions<MondayOptions> monday)
{
    public async Task<InteractionResponse> HandleAsync(InteractionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var interaction = context.Interaction;
        authority.Require(interaction, SurfaceRight.Setup);
        var boardId = monday.Value.BoardId;
        if (interaction.Command!.GetBoolean("provision") == true)
        {
            var repaired = await provisioner.RepairAsync(boardId, "setup:" + Snowflake.ToWire(interaction.Id), cancellationToken)
                ?? throw new InteractionInputException($"monday has no board {boardId}, so there is nothing to fix. Have an operator create one with `./run.sh provision` and set Monday:BoardId to it.");
            var added = repaired.CreatedGroups.Select(g => $"+ group '{g}'").Concat(repaired.CreatedColumns.Select(c => $"+ column '{c}'")).ToList();
            var text = added.Count == 0 ? "Nothing was missing, so nothing was added." : "Added:\n" + string.Join('\n', added);
            text += repaired.RemainingDrift.Count == 0
                ? $"\nThe ledger board {boardId} now matches the schema."
                : "\nStill to fix by hand on monday (these columns hold data, so the bot does not rewrite them):\n" + Describe(repaired.RemainingDrift);
            return InteractionResponse.Text(text, ephemeral: true);
        }

        var validation = await provisioner.ValidateAsync(boardId, cancellationToken);
        if (validation.Matches)
        {
            return InteractionResponse.Text($"The ledger board {validation.BoardId} matches the schema; nothing to do.", ephemeral: true);
        }

        if (validation.Board is null)
        {
            return InteractionResponse.Text($"The ledger board needs attention: monday has no board {validation.BoardId}. Have an operator create a conforming board with `./run.sh provision` and set Monday:BoardId to it.", ephemeral: true);
        }

        var fixable = validation.Drift.Any(d => d.Kind is SchemaDriftKind.MissingColumn or SchemaDriftKind.MissingGroup);
        return InteractionResponse.Text(
            $"The ledger board needs attention:\n{Describe(validation.Drift)}\n"
            + (fixable ? "Run `/ledger setup provision:true` to add the missing groups and columns; fix the rest on monday." : "Fix those columns on monday (they hold data, so the bot does not rewrite them)."),
            ephemeral: true);
    }

    private static string Describe(IEnumerable<SchemaDrift> drift) => string.Join('\n', drift.Select(d => "• " + d.Message));
}
