using System.Diagnostics.CodeAnalysis;

namespace DiscordLedgerBot.Core.Ledger;

/// <summary>
/// Stable identity of a ledger entry, derived from the origin of the command that created it
/// (e.g. <c>slash:1234567890</c> for a Discord interaction id). Written to the board's ledger-key column so a
/// crashed writer can find out whether its create landed. Restricted to a conservative ASCII alphabet because it
/// also travels in the <c>Idempotency-Key</c> header.
/// </summary>
public readonly record struct LedgerKey
{
    public const int MaxLength = 100;

    private LedgerKey(string value) => Value = value;

    public string Value { get; }

    /// <summary>Mints the key for a command that originated at <paramref name="source"/> with the surface's own id.</summary>
    public static LedgerKey FromOrigin(LedgerSource source, string originId) => Parse($"{source.ToWireName()}:{originId}");

    public static LedgerKey Parse(string value) =>
        TryParse(value, out var key, out var error) ? key : throw new ArgumentException(error, nameof(value));

    public static bool TryParse(string? value, out LedgerKey key, [NotNullWhen(false)] out string? error)
    {
        key = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "A ledger key must not be empty.";
            return false;
        }

        if (value.Length > MaxLength)
        {
            error = $"A ledger key must be at most {MaxLength} characters, got {value.Length}.";
            return false;
        }

        foreach (var c in value)
        {
            if (!IsAllowed(c))
            {
                error = $"A ledger key may contain only ASCII letters, digits and ':._-', found U+{(int)c:X4}.";
                return false;
            }
        }

        key = new LedgerKey(value);
        error = null;
        return true;
    }

    public override string ToString() => Value ?? string.Empty;

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is ':' or '.' or '_' or '-';
}
