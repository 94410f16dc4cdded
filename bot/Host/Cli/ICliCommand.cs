namespace DiscordLedgerBot.Cli;

/// <summary>One operator verb of the `bot` executable (e.g. `ledger`, `provision`, `emulate`).</summary>
public interface ICliCommand
{
    /// <summary>The first word on the command line that selects this command.</summary>
    string Verb { get; }

    /// <summary>One line for `bot help`.</summary>
    string Summary { get; }

    /// <summary>Full usage text, printed for `bot VERB --help` and after a usage error.</summary>
    string Usage { get; }

    /// <summary>Runs the command with the words after the verb; returns the process exit code.</summary>
    Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken);
}
