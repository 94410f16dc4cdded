namespace DiscordLedgerBot.Core.Ledger;

/// <summary>The surface a command came from; also the prefix of the ledger keys it mints.</summary>
public enum LedgerSource
{
    Slash,
    Voice,
    Mcp,
    Api,
    Cli,
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
