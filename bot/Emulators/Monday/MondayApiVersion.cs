using System.Globalization;
using System.Text.RegularExpressions;

namespace DiscordLedgerBot.Emulators.Monday;

/// <summary>One API version with its lifecycle kind (<c>VersionKind</c>) as of late 2026.</summary>
public sealed record MondayApiVersion(string Value, string Kind, string DisplayName);

/// <summary>
/// monday's version routing (api-versioning docs): missing header → Current; malformed → InvalidVersionException;
/// well-formed but unknown → Current; deprecated (older than the oldest live version) → Maintenance.
/// </summary>
public static partial class MondayApiVersions
{
    public static readonly MondayApiVersion Current = new("2026-10", "current", "Current");

    public static readonly MondayApiVersion Maintenance = new("2026-07", "maintenance", "Maintenance");

    public static readonly IReadOnlyList<MondayApiVersion> All =
    [
        new("2025-04", "old__maintenance", "Old maintenance"),
        new("2025-07", "old__maintenance", "Old maintenance"),
        new("2025-10", "old__maintenance", "Old maintenance"),
        new("2026-01", "old_previous_maintenance", "Old previous maintenance"),
        new("2026-04", "previous_maintenance", "Previous maintenance"),
        Maintenance,
        Current,
        new("2027-01", "release_candidate", "Release candidate"),
    ];

    /// <summary>Resolves a request's <c>API-Version</c> header; null means the value is malformed.</summary>
    public static MondayApiVersion? Resolve(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return Current;
        }

        var trimmed = header.Trim();
        if (!VersionPattern().IsMatch(trimmed))
        {
            return null;
        }

        var month = int.Parse(trimmed.AsSpan(5, 2), CultureInfo.InvariantCulture);
        if (month is < 1 or > 12)
        {
            return null;
        }

        var known = All.FirstOrDefault(v => v.Value == trimmed);
        if (known is not null)
        {
            return known;
        }

        return string.CompareOrdinal(trimmed, All[0].Value) < 0 ? Maintenance : Current;
    }

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
