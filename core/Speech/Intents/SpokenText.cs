using System.Text;

namespace DiscordLedgerBot.Core.Speech.Intents;

/// <summary>
/// Text as a recognizer hears it: lower-case words of letters (and inner apostrophes), digits spoken one by one. Titles,
/// names and transcripts all go through here, so "API-v2" on the board and "api v two" from a recognizer compare equal.
/// </summary>
public static class SpokenText
{
    private static readonly string[] Digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    public static IReadOnlyList<string> Words(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return words;
        }

        var current = new StringBuilder();
        void Flush()
        {
            var word = current.ToString().Trim('\'');
            if (word.Length > 0)
            {
                words.Add(word);
            }

            current.Clear();
        }

        foreach (var raw in text)
        {
            var c = Fold(char.ToLowerInvariant(raw));
            if (c is >= 'a' and <= 'z')
            {
                current.Append(c);
            }
            else if (c is '\'' or '’' && current.Length > 0)
            {
                current.Append('\'');
            }
            else if (char.IsAsciiDigit(c))
            {
                Flush();
                words.Add(Digits[c - '0']);
            }
            else
            {
                Flush();
            }
        }

        Flush();
        return words;
    }

    // The process runs with invariant globalization (no Unicode normalization tables): common Latin accents are folded by hand.
    private const string Accented = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿ";
    private const string Plain = "aaaaaaceeeeiiiinooooouuuuyy";

    private static char Fold(char c)
    {
        var index = Accented.IndexOf(c, StringComparison.Ordinal);
        return index < 0 ? c : Plain[index];
    }

    public static string Normalize(string? text) => string.Join(' ', Words(text));
}
