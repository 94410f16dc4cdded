using System.Globalization;
using System.Text;

namespace DiscordLedgerBot.Emulators.Monday.GraphQL;

internal enum TokenKind
{
    EndOfDocument,
    Punctuator,
    Name,
    Int,
    Float,
    String,
    BlockString,
}

internal readonly record struct Token(TokenKind Kind, string Text, SourceLocation Location)
{
    /// <summary>The token's name in graphql-ruby error messages, which monday's "Parse error on" text uses.</summary>
    public string DisplayKind => Kind switch
    {
        TokenKind.Name => "IDENTIFIER",
        TokenKind.Int => "INT",
        TokenKind.Float => "FLOAT",
        TokenKind.String or TokenKind.BlockString => "STRING",
        TokenKind.EndOfDocument => "EOF",
        _ => Text switch
        {
            "{" => "LCURLY",
            "}" => "RCURLY",
            "(" => "LPAREN",
            ")" => "RPAREN",
            "[" => "LBRACKET",
            "]" => "RBRACKET",
            ":" => "COLON",
            "$" => "VAR_SIGN",
            "@" => "DIR_SIGN",
            "..." => "ELLIPSIS",
            "=" => "EQUALS",
            "!" => "BANG",
            "|" => "PIPE",
            "&" => "AMP",
            _ => "PUNCTUATOR",
        },
    };
}

/// <summary>GraphQL lexer (October 2021 spec): punctuators, names, numbers, strings with escapes, block strings.</summary>
internal sealed class GraphQLLexer
{
    private readonly string _source;
    private int _position;
    private int _line = 1;
    private int _lineStart;

    public GraphQLLexer(string source)
    {
        _source = source;
        if (_source.Length > 0 && _source[0] == '\uFEFF')
        {
            _position = 1;
            _lineStart = 1;
        }
    }

    public List<Token> Tokenize()
    {
        var tokens = new List<Token>();
        while (true)
        {
            var token = Next();
            tokens.Add(token);
            if (token.Kind == TokenKind.EndOfDocument)
            {
                return tokens;
            }
        }
    }

    private SourceLocation Here => new(_line, _position - _lineStart + 1);

    private Token Next()
    {
        SkipIgnored();
        var location = Here;
        if (_position >= _source.Length)
        {
            return new Token(TokenKind.EndOfDocument, string.Empty, location);
        }

        var c = _source[_position];
        switch (c)
        {
            case '{' or '}' or '(' or ')' or '[' or ']' or ':' or '$' or '@' or '=' or '!' or '|' or '&':
                _position++;
                return new Token(TokenKind.Punctuator, c.ToString(), location);
            case '.':
                if (string.CompareOrdinal(_source, _position, "...", 0, 3) == 0)
                {
                    _position += 3;
                    return new Token(TokenKind.Punctuator, "...", location);
                }

                throw new GraphQLSyntaxException($"Parse error on \".\" (error) at [{location.Line}, {location.Column}]", location);
            case '"':
                return string.CompareOrdinal(_source, _position, "\"\"\"", 0, 3) == 0 ? ReadBlockString(location) : ReadString(location);
        }

        if (c == '_' || char.IsAsciiLetter(c))
        {
            var start = _position;
            while (_position < _source.Length && (_source[_position] == '_' || char.IsAsciiLetterOrDigit(_source[_position])))
            {
                _position++;
            }

            return new Token(TokenKind.Name, _source[start.._position], location);
        }

        if (c == '-' || char.IsAsciiDigit(c))
        {
            return ReadNumber(location);
        }

        throw new GraphQLSyntaxException(
            $"Parse error on \"{c}\" (error) at [{location.Line}, {location.Column}]", location);
    }

    private void SkipIgnored()
    {
        while (_position < _source.Length)
        {
            var c = _source[_position];
            if (c is ' ' or '\t' or ',' or '\uFEFF')
            {
                _position++;
            }
            else if (c == '\n')
            {
                NewLine(_position + 1);
            }
            else if (c == '\r')
            {
                var next = _position + 1 < _source.Length && _source[_position + 1] == '\n' ? _position + 2 : _position + 1;
                NewLine(next);
            }
            else if (c == '#')
            {
                while (_position < _source.Length && _source[_position] is not '\n' and not '\r')
                {
                    _position++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private void NewLine(int nextPosition)
    {
        _position = nextPosition;
        _line++;
        _lineStart = nextPosition;
    }

    private Token ReadNumber(SourceLocation location)
    {
        var start = _position;
        var isFloat = false;
        if (_source[_position] == '-')
        {
            _position++;
        }

        ReadDigits(location);
        if (_position < _source.Length && _source[_position] == '.')
        {
            isFloat = true;
            _position++;
            ReadDigits(location);
        }

        if (_position < _source.Length && _source[_position] is 'e' or 'E')
        {
            isFloat = true;
            _position++;
            if (_position < _source.Length && _source[_position] is '+' or '-')
            {
                _position++;
            }

            ReadDigits(location);
        }

        if (_position < _source.Length && (_source[_position] == '_' || char.IsAsciiLetter(_source[_position]) || _source[_position] == '.'))
        {
            throw new GraphQLSyntaxException(
                $"Parse error on \"{_source[start.._position]}{_source[_position]}\" (error) at [{location.Line}, {location.Column}]", location);
        }

        return new Token(isFloat ? TokenKind.Float : TokenKind.Int, _source[start.._position], location);
    }

    private void ReadDigits(SourceLocation location)
    {
        var start = _position;
        while (_position < _source.Length && char.IsAsciiDigit(_source[_position]))
        {
            _position++;
        }

        if (start == _position)
        {
            throw new GraphQLSyntaxException($"Parse error on invalid number at [{location.Line}, {location.Column}]", location);
        }
    }

    private Token ReadString(SourceLocation location)
    {
        _position++;
        var builder = new StringBuilder();
        while (true)
        {
            if (_position >= _source.Length || _source[_position] is '\n' or '\r')
            {
                throw new GraphQLSyntaxException(
                    $"Parse error on unterminated string at [{location.Line}, {location.Column}]", location);
            }

            var c = _source[_position++];
            if (c == '"')
            {
                return new Token(TokenKind.String, builder.ToString(), location);
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (_position >= _source.Length)
            {
                throw new GraphQLSyntaxException($"Parse error on unterminated string at [{location.Line}, {location.Column}]", location);
            }

            var escape = _source[_position++];
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    builder.Append(ReadUnicodeEscape(location));
                    break;
                default:
                    throw new GraphQLSyntaxException(
                        $"Parse error on bad unicode escape sequence \"\\{escape}\" at [{location.Line}, {location.Column}]", location);
            }
        }
    }

    private string ReadUnicodeEscape(SourceLocation location)
    {
        if (_position < _source.Length && _source[_position] == '{')
        {
            var close = _source.IndexOf('}', _position);
            if (close > _position + 1 && int.TryParse(_source.AsSpan(_position + 1, close - _position - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var codePoint)
                && codePoint <= 0x10FFFF && codePoint is < 0xD800 or > 0xDFFF)
            {
                _position = close + 1;
                return char.ConvertFromUtf32(codePoint);
            }
        }
        else if (_position + 4 <= _source.Length
            && int.TryParse(_source.AsSpan(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var unit))
        {
            _position += 4;
            return ((char)unit).ToString();
        }

        throw new GraphQLSyntaxException(
            $"Parse error on bad unicode escape sequence at [{location.Line}, {location.Column}]", location);
    }

    private Token ReadBlockString(SourceLocation location)
    {
        _position += 3;
        var raw = new StringBuilder();
        while (true)
        {
            if (_position >= _source.Length)
            {
                throw new GraphQLSyntaxException($"Parse error on unterminated string at [{location.Line}, {location.Column}]", location);
            }

            if (string.CompareOrdinal(_source, _position, "\"\"\"", 0, 3) == 0)
            {
                _position += 3;
                return new Token(TokenKind.BlockString, BlockStringValue(raw.ToString()), location);
            }

            if (string.CompareOrdinal(_source, _position, "\\\"\"\"", 0, 4) == 0)
            {
                raw.Append("\"\"\"");
                _position += 4;
                continue;
            }

            var c = _source[_position];
            if (c == '\n' || c == '\r')
            {
                raw.Append('\n');
                var next = c == '\r' && _position + 1 < _source.Length && _source[_position + 1] == '\n' ? _position + 2 : _position + 1;
                NewLine(next);
                continue;
            }

            raw.Append(c);
            _position++;
        }
    }

    /// <summary>The spec's BlockStringValue(): strip the common indentation and blank leading/trailing lines.</summary>
    internal static string BlockStringValue(string raw)
    {
        var lines = raw.Split('\n');
        int? commonIndent = null;
        for (var i = 1; i < lines.Length; i++)
        {
            var indent = lines[i].TakeWhile(ch => ch is ' ' or '\t').Count();
            if (indent < lines[i].Length && (commonIndent is null || indent < commonIndent))
            {
                commonIndent = indent;
            }
        }

        var result = lines.ToList();
        if (commonIndent is > 0)
        {
            for (var i = 1; i < result.Count; i++)
            {
                result[i] = result[i].Length >= commonIndent ? result[i][commonIndent.Value..] : string.Empty;
            }
        }

        while (result.Count > 0 && string.IsNullOrWhiteSpace(result[0]))
        {
            result.RemoveAt(0);
        }

        while (result.Count > 0 && string.IsNullOrWhiteSpace(result[^1]))
        {
            result.RemoveAt(result.Count - 1);
        }

        return string.Join('\n', result);
    }
}
