using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace DiscordLedgerBot.Core.GitHub;

/// <summary>owner/name of a GitHub repository, as GitHub spells it (letters, digits, '-', '_', '.').</summary>
public sealed partial record GitHubRepository(string Owner, string Name)
{
    public override string ToString() => $"{Owner}/{Name}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out GitHubRepository? repository, [NotNullWhen(false)] out string? error)
    {
        repository = null;
        var match = text is null ? null : Shape().Match(text.Trim());
        if (match is not { Success: true })
        {
            error = $"A repository is owner/name (letters, digits, '-', '_', '.'), got '{text}'.";
            return false;
        }

        repository = new GitHubRepository(match.Groups["owner"].Value, match.Groups["name"].Value);
        error = null;
        return true;
    }

    public static GitHubRepository Parse(string text) =>
        TryParse(text, out var repository, out var error) ? repository : throw new ArgumentException(error, nameof(text));

    [GeneratedRegex("^(?<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?<name>[A-Za-z0-9._-]{1,100})$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
