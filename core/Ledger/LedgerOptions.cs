namespace DiscordLedgerBot.Core.Ledger;

/// <summary>Section "Ledger": how the product may use the ledger.</summary>
public sealed class LedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary>
    /// When true every write surface (CLI, slash commands, voice, MCP, HTTP) refuses and records nothing; reads keep
    /// working. For audits, migrations and incidents where the board must not change.
    /// </summary>
    public bool ReadOnly { get; set; }
}

/// <summary>Thrown by every write path while <see cref="LedgerOptions.ReadOnly"/> is on; nothing was recorded or sent.</summary>
public sealed class LedgerReadOnlyException()
    : InvalidOperationException("The ledger is in read-only mode (Ledger:ReadOnly=true, env Ledger__ReadOnly): nothing was recorded. Turn it off to write.");
