namespace DiscordLedgerBot.Core.Speech.Intents;

/// <summary>A compiled template (see <see cref="SpeechPhrases"/>): words, alternatives, optionals and slots.</summary>
internal abstract record PhraseNode
{
    public sealed record Word(string Text) : PhraseNode;

    public sealed record Slot(string Name) : PhraseNode;

    public sealed record Optional(IReadOnlyList<PhraseNode> Body) : PhraseNode;

    public sealed record Choice(IReadOnlyList<IReadOnlyList<PhraseNode>> Options) : PhraseNode;
}

internal static class PhrasePattern
{
    /// <summary>Parses the notation; throws on unbalanced brackets so a bad template fails at start, not on a user's words.</summary>
    public static IReadOnlyList<PhraseNode> Compile(string pattern)
    {
        var tokens = Tokenize(pattern);
        var position = 0;
        var result = ParseChoice(tokens, ref position, closer: null);
        if (position != tokens.Count)
        {
            throw new FormatException($"Unexpected '{tokens[position]}' in phrase pattern '{pattern}'.");
        }

        return result;
    }

    private static List<string> Tokenize(string pattern)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or '[' or ']' or '|')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c == '<')
            {
                var end = pattern.IndexOf('>', i);
                if (end < 0)
                {
                    throw new FormatException($"Unclosed slot in phrase pattern '{pattern}'.");
                }

                tokens.Add(pattern[i..(end + 1)]);
                i = end + 1;
            }
            else
            {
                var start = i;
                while (i < pattern.Length && !char.IsWhiteSpace(pattern[i]) && pattern[i] is not ('(' or ')' or '[' or ']' or '|' or '<'))
                {
                    i++;
                }

                tokens.Add(pattern[start..i]);
            }
        }

        return tokens;
    }

    private static List<PhraseNode> ParseChoice(List<string> tokens, ref int position, string? closer)
    {
        var options = new List<IReadOnlyList<PhraseNode>>();
        var current = new List<PhraseNode>();
        while (position < tokens.Count && tokens[position] != closer)
        {
            var token = tokens[position++];
            switch (token)
            {
                case "|":
                    options.Add(current);
                    current = [];
                    break;
                case "(":
                    current.AddRange(ParseGroup(tokens, ref position, ")", optional: false));
                    break;
                case "[":
                    current.AddRange(ParseGroup(tokens, ref position, "]", optional: true));
                    break;
                case ")" or "]":
                    throw new FormatException($"Unbalanced '{token}' in phrase pattern.");
                default:
                    current.Add(token.StartsWith('<') ? new PhraseNode.Slot(token[1..^1]) : new PhraseNode.Word(token));
                    break;
            }
        }

        if (options.Count == 0)
        {
            return current;
        }

        options.Add(current);
        return [new PhraseNode.Choice(options)];
    }

    private static IEnumerable<PhraseNode> ParseGroup(List<string> tokens, ref int position, string closer, bool optional)
    {
        var body = ParseChoice(tokens, ref position, closer);
        if (position >= tokens.Count)
        {
            throw new FormatException($"Missing '{closer}' in phrase pattern.");
        }

        position++;
        return optional ? [new PhraseNode.Optional(body)] : body;
    }
}
