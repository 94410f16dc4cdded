namespace DiscordLedgerBot.Emulators.Monday.GraphQL;

/// <summary>Recursive-descent parser for GraphQL executable documents (operations and fragments).</summary>
public sealed class GraphQLParser
{
    private readonly TokenStream _tokens;

    private GraphQLParser(string source) => _tokens = new TokenStream(new GraphQLLexer(source).Tokenize());

    /// <summary>Parses a query document; throws <see cref="GraphQLSyntaxException"/> with monday's wording on bad syntax.</summary>
    public static ExecutableDocument Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new GraphQLParser(source).ParseDocument();
    }

    private ExecutableDocument ParseDocument()
    {
        var operations = new List<OperationDefinition>();
        var fragments = new List<FragmentDefinition>();
        if (_tokens.Current.Kind == TokenKind.EndOfDocument)
        {
            throw new GraphQLSyntaxException("Unexpected end of document", _tokens.Current.Location);
        }

        while (_tokens.Current.Kind != TokenKind.EndOfDocument)
        {
            var token = _tokens.Current;
            if (token.Kind == TokenKind.Punctuator && token.Text == "{")
            {
                operations.Add(new OperationDefinition(OperationKind.Query, null, [], [], ParseSelectionSet(), token.Location));
            }
            else if (token.Kind == TokenKind.Name && token.Text is "query" or "mutation" or "subscription")
            {
                operations.Add(ParseOperation());
            }
            else if (token.Kind == TokenKind.Name && token.Text == "fragment")
            {
                fragments.Add(ParseFragmentDefinition());
            }
            else
            {
                throw _tokens.Unexpected();
            }
        }

        return new ExecutableDocument(operations, fragments);
    }

    private OperationDefinition ParseOperation()
    {
        var start = _tokens.Current;
        var kind = start.Text switch
        {
            "query" => OperationKind.Query,
            "mutation" => OperationKind.Mutation,
            _ => OperationKind.Subscription,
        };
        _tokens.Advance();
        string? name = null;
        if (_tokens.Current.Kind == TokenKind.Name)
        {
            name = _tokens.Current.Text;
            _tokens.Advance();
        }

        var variables = new List<VariableDefinition>();
        if (_tokens.Skip("("))
        {
            do
            {
                var location = _tokens.Expect("$").Location;
                var variableName = _tokens.ExpectName().Text;
                _tokens.Expect(":");
                var type = ParseType(_tokens);
                GraphQLValue? defaultValue = null;
                if (_tokens.Skip("="))
                {
                    defaultValue = ParseValue(_tokens, isConst: true);
                }

                ParseDirectives(_tokens);
                variables.Add(new VariableDefinition(variableName, type, defaultValue, location));
            }
            while (!_tokens.Skip(")"));
        }

        var directives = ParseDirectives(_tokens);
        return new OperationDefinition(kind, name, variables, directives, ParseSelectionSet(), start.Location);
    }

    private FragmentDefinition ParseFragmentDefinition()
    {
        var start = _tokens.Current;
        _tokens.Advance();
        var name = _tokens.ExpectName();
        if (name.Text == "on")
        {
            throw _tokens.Unexpected(name);
        }

        var on = _tokens.ExpectName();
        if (on.Text != "on")
        {
            throw _tokens.Unexpected(on);
        }

        var typeCondition = _tokens.ExpectName().Text;
        var directives = ParseDirectives(_tokens);
        return new FragmentDefinition(name.Text, typeCondition, directives, ParseSelectionSet(), start.Location);
    }

    private SelectionSet ParseSelectionSet()
    {
        var start = _tokens.Expect("{");
        var selections = new List<Selection>();
        do
        {
            selections.Add(ParseSelection());
        }
        while (!_tokens.Skip("}"));

        return new SelectionSet(selections, start.Location);
    }

    private Selection ParseSelection()
    {
        var token = _tokens.Current;
        if (_tokens.Skip("..."))
        {
            if (_tokens.Current.Kind == TokenKind.Name && _tokens.Current.Text != "on")
            {
                var name = _tokens.ExpectName().Text;
                return new FragmentSpread(name, ParseDirectives(_tokens), token.Location);
            }

            string? typeCondition = null;
            if (_tokens.Current.Kind == TokenKind.Name && _tokens.Current.Text == "on")
            {
                _tokens.Advance();
                typeCondition = _tokens.ExpectName().Text;
            }

            var directives = ParseDirectives(_tokens);
            return new InlineFragment(typeCondition, directives, ParseSelectionSet(), token.Location);
        }

        var first = _tokens.ExpectName();
        string? alias = null;
        var fieldName = first.Text;
        if (_tokens.Skip(":"))
        {
            alias = first.Text;
            fieldName = _tokens.ExpectName().Text;
        }

        var arguments = ParseArguments(_tokens, isConst: false);
        var fieldDirectives = ParseDirectives(_tokens);
        SelectionSet? selectionSet = null;
        if (_tokens.Current.Kind == TokenKind.Punctuator && _tokens.Current.Text == "{")
        {
            selectionSet = ParseSelectionSet();
        }

        return new FieldSelection(alias, fieldName, arguments, fieldDirectives, selectionSet, first.Location);
    }

    internal static IReadOnlyList<Argument> ParseArguments(TokenStream tokens, bool isConst)
    {
        if (!tokens.Skip("("))
        {
            return [];
        }

        var arguments = new List<Argument>();
        do
        {
            var name = tokens.ExpectName();
            tokens.Expect(":");
            arguments.Add(new Argument(name.Text, ParseValue(tokens, isConst), name.Location));
        }
        while (!tokens.Skip(")"));

        return arguments;
    }

    internal static IReadOnlyList<Directive> ParseDirectives(TokenStream tokens)
    {
        List<Directive>? directives = null;
        while (tokens.Current.Kind == TokenKind.Punctuator && tokens.Current.Text == "@")
        {
            var location = tokens.Current.Location;
            tokens.Advance();
            var name = tokens.ExpectName().Text;
            (directives ??= []).Add(new Directive(name, ParseArguments(tokens, isConst: false), location));
        }

        return directives ?? (IReadOnlyList<Directive>)[];
    }

    internal static TypeReference ParseType(TokenStream tokens)
    {
        TypeReference type;
        if (tokens.Skip("["))
        {
            var itemType = ParseType(tokens);
            tokens.Expect("]");
            type = new ListTypeReference(itemType);
        }
        else
        {
            type = new NamedTypeReference(tokens.ExpectName().Text);
        }

        return tokens.Skip("!") ? new NonNullTypeReference(type) : type;
    }

    internal static GraphQLValue ParseValue(TokenStream tokens, bool isConst)
    {
        var token = tokens.Current;
        switch (token.Kind)
        {
            case TokenKind.Int:
                tokens.Advance();
                return new IntLiteral(token.Text, token.Location);
            case TokenKind.Float:
                tokens.Advance();
                return new FloatLiteral(token.Text, token.Location);
            case TokenKind.String:
                tokens.Advance();
                return new StringLiteral(token.Text, false, token.Location);
            case TokenKind.BlockString:
                tokens.Advance();
                return new StringLiteral(token.Text, true, token.Location);
            case TokenKind.Name:
                tokens.Advance();
                return token.Text switch
                {
                    "true" => new BooleanLiteral(true, token.Location),
                    "false" => new BooleanLiteral(false, token.Location),
                    "null" => new NullLiteral(token.Location),
                    _ => new EnumLiteral(token.Text, token.Location),
                };
            case TokenKind.Punctuator when token.Text == "$" && !isConst:
                tokens.Advance();
                return new VariableReference(tokens.ExpectName().Text, token.Location);
            case TokenKind.Punctuator when token.Text == "[":
                {
                    tokens.Advance();
                    var items = new List<GraphQLValue>();
                    while (!tokens.Skip("]"))
                    {
                        items.Add(ParseValue(tokens, isConst));
                    }

                    return new ListLiteral(items, token.Location);
                }

            case TokenKind.Punctuator when token.Text == "{":
                {
                    tokens.Advance();
                    var fields = new List<ObjectLiteralField>();
                    while (!tokens.Skip("}"))
                    {
                        var name = tokens.ExpectName();
                        tokens.Expect(":");
                        fields.Add(new ObjectLiteralField(name.Text, ParseValue(tokens, isConst), name.Location));
                    }

                    return new ObjectLiteral(fields, token.Location);
                }

            default:
                throw tokens.Unexpected();
        }
    }
}

/// <summary>Cursor over lexer tokens shared by the query parser and the SDL reader.</summary>
internal sealed class TokenStream(List<Token> tokens)
{
    private int _index;

    public Token Current => tokens[_index];

    public Token Peek(int ahead = 1) => tokens[Math.Min(_index + ahead, tokens.Count - 1)];

    public void Advance()
    {
        if (_index < tokens.Count - 1)
        {
            _index++;
        }
    }

    public bool Skip(string punctuator)
    {
        if (Current.Kind == TokenKind.Punctuator && Current.Text == punctuator)
        {
            Advance();
            return true;
        }

        return false;
    }

    public Token Expect(string punctuator)
    {
        var token = Current;
        if (!Skip(punctuator))
        {
            throw Unexpected();
        }

        return token;
    }

    public Token ExpectName()
    {
        var token = Current;
        if (token.Kind != TokenKind.Name)
        {
            throw Unexpected();
        }

        Advance();
        return token;
    }

    public GraphQLSyntaxException Unexpected(Token? token = null)
    {
        var t = token ?? Current;
        if (t.Kind == TokenKind.EndOfDocument)
        {
            return new GraphQLSyntaxException("Unexpected end of document", t.Location);
        }

        return new GraphQLSyntaxException(
            $"Parse error on \"{t.Text}\" ({t.DisplayKind}) at [{t.Location.Line}, {t.Location.Column}]", t.Location);
    }
}
