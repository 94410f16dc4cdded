using System.Text.Json;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;

namespace DiscordLedgerBot.Cli;

/// <summary><c>bot provision</c>: creates the ledger board, or validates an existing one against the canonical schema.</summary>
public sealed class ProvisionCommand : ICliCommand
{
    public string Verb => "provision";

    public string Summary => "Create the monday ledger board, or check an existing board's schema";

    public string Usage => """
        usage: bot provision [--board ID] [--name NAME] [--json]
          Without a board (no --board and no Monday:BoardId) creates a private board with the ledger's groups and
          columns (status labels at fixed indexes) and prints its id. With a board, validates it and prints every
          difference (missing column, wrong type, status label index mismatch, missing group).
          --board ID   board to validate (overrides Monday:BoardId)
          --name NAME  name of a new board (default "Team ledger")
          --json       machine-readable output
        exit codes: 0 created / board matches, 1 board differs or monday refused, 2 usage or configuration error
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = CliArguments.Parse(args, ["board", "name"], ["json"]);
        if (options.Positionals.Count > 0)
        {
            throw new CliUsageException($"Unexpected argument '{options.Positionals[0]}'.");
        }

        var board = options.Value("board");
        if (board is not null && (board.Length == 0 || !board.All(char.IsAsciiDigit)))
        {
            throw new CliUsageException($"--board must be a numeric monday board id, got '{board}'.");
        }

        var json = options.Has("json");
        await using var services = CliServices.Open(context);
        var monday = services.Get<Microsoft.Extensions.Options.IOptions<MondayOptions>>().Value;
        var boardId = board ?? monday.BoardId;
        var provisioner = new LedgerBoardProvisioner(services.Get<MondayClient>());
        try
        {
            if (string.IsNullOrEmpty(boardId))
            {
                // Creating a board is a write: refused in read-only mode like every other.
                services.EnsureWritable();
                return await CreateAsync(context, provisioner, options.Value("name") ?? LedgerBoardSchema.DefaultBoardName, json, cancellationToken);
            }

            monday.EnsureBoardAllowed(boardId);
            return await ValidateAsync(context, provisioner, boardId, json, cancellationToken);
        }
        catch (MondayRequestException failure)
        {
            await context.Error.WriteLineAsync($"error: {failure.Message}");
            return 1;
        }
    }

    private static async Task<int> CreateAsync(CliContext context, LedgerBoardProvisioner provisioner, string name, bool json, CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid().ToString("N");
        var created = await provisioner.CreateAsync(name, runId, cancellationToken);
        if (json)
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                action = "created",
                boardId = created.BoardId,
                boardName = created.BoardName,
                groups = created.CreatedGroups,
                columns = created.CreatedColumns,
                matches = created.RemainingDrift.Count == 0,
                drift = created.RemainingDrift.Select(DriftJson),
            }, CliServices.Json));
        }
        else
        {
            await context.Output.WriteLineAsync($"Created ledger board {created.BoardId} ('{created.BoardName}') with {created.CreatedGroups.Count} groups and {created.CreatedColumns.Count} columns.");
            await context.Output.WriteLineAsync($"Board id: {created.BoardId}");
            await context.Output.WriteLineAsync($"Set Monday:BoardId={created.BoardId} (env Monday__BoardId={created.BoardId}) so the bot uses it.");
            await WriteDriftAsync(context, created.RemainingDrift);
        }

        return created.RemainingDrift.Count == 0 ? 0 : 1;
    }

    private static async Task<int> ValidateAsync(CliContext context, LedgerBoardProvisioner provisioner, string boardId, bool json, CancellationToken cancellationToken)
    {
        var validation = await provisioner.ValidateAsync(boardId, cancellationToken);
        if (json)
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                action = "validated",
                boardId,
                boardName = validation.Board?.Name,
                found = validation.Board is not null,
                matches = validation.Matches,
                drift = validation.Drift.Select(DriftJson),
            }, CliServices.Json));
        }
        else if (validation.Board is null)
        {
            await context.Output.WriteLineAsync($"monday has no board {boardId} (check Monday:BoardId / --board).");
        }
        else if (validation.Matches)
        {
            await context.Output.WriteLineAsync($"Board {boardId} ('{validation.Board.Name}') matches the ledger schema.");
        }
        else
        {
            await context.Output.WriteLineAsync($"Board {boardId} ('{validation.Board.Name}') differs from the ledger schema ({validation.Drift.Count} problem(s)):");
            await WriteDriftAsync(context, validation.Drift);
        }

        return validation.Matches ? 0 : 1;
    }

    private static async Task WriteDriftAsync(CliContext context, IReadOnlyList<SchemaDrift> drift)
    {
        foreach (var problem in drift)
        {
            await context.Output.WriteLineAsync($"  - {problem.Message}");
        }
    }

    private static object DriftJson(SchemaDrift drift) =>
        new { kind = drift.Kind, subject = drift.Subject, expected = drift.Expected, actual = drift.Actual, message = drift.Message };
}
