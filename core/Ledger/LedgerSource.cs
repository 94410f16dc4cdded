namespace DiscordLedgerBot.Core.Ledger;

/// <summary>The surface a command came from; also the prefix of the ledger keys it mints.</summary>
public enum LedgerSource
{
    Slash,
    Voice,
    Mcp,
    Api,
    Cli,

    /// <summary>A GitHub readout (e.g. an unresolved review thread) that became a ledger item.</summary>
    Github,

    /// <summary>An AWS readout (e.g. an incident triage from a latency snapshot) that became a ledger item.</summary>
    Aws,
}

public static class LedgerSourceNames
{
    public static string ToWireName(this LedgerSource source) => source switch
    {
        LedgerSource.Slash => "slash",
        LedgerSource.Voice => "voice",
        LedgerSource.Mcp => "mcp",
        LedgerSource.Api => "api",
        LedgerSource.Cli => "cli",
        LedgerSource.Github => "github",
        LedgerSource.Aws => "aws",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown ledger source."),
    };

    public static bool TryParse(string? text, out LedgerSource source)
    {
        foreach (var candidate in Enum.GetValues<LedgerSource>())
        {
            if (string.Equals(candidate.ToWireName(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                source = candidate;
                return true;
            }
        }

        source = default;
        return false;
    }
}
