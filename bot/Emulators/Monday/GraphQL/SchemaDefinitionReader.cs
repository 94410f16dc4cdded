using System.Collections.Frozen;

namespace DiscordLedgerBot.Emulators.Monday.GraphQL;

/// <summary>Reads GraphQL SDL (type system definitions) into <see cref="MondaySchema"/>'s type model.</summary>
internal sealed class SchemaDefinitionReader
{
    private static readonly string[] BuiltInScalars = ["Int", "Float", "String", "Boolean", "ID"];

    private readonly TokenStream _tokens;
    private readonly Dictionary<string, MondayType> _types = new(StringComparer.Ordinal);
    private string _queryType = "Query";
    private string _mutationType = "Mutation";

    private SchemaDefinitionReader(string sdl) => _tokens = new TokenStream(new GraphQLLexer(sdl).Tokenize());

    public static MondaySchema Read(string sdl)
    {
        var reader = new SchemaDefinitionReader(sdl);
        foreach (var scalar in BuiltInScalars)
        {
            reader._types[scalar] = new MondayType(scalar, MondayTypeKind.Scalar);
        }

        reader.ReadDefinitions();
        return MondaySchema.Create(reader._types, reader._queryType, reader._mutationType);
    }

    private void ReadDefinitions()
    {
        while (_tokens.Current.Kind != TokenKind.EndOfDocument)
        {
            SkipDescription();
            var keyword = _tokens.ExpectName();
            if (keyword.Text == "extend")
            {
                throw new GraphQLSyntaxException("Type extensions are not supported by the emulator's SDL reader", keyword.Location);
            }

            switch (keyword.Text)
            {
                case "schema":
                    ReadSchemaDefinition();
                    break;
                case "scalar":
                    {
                        var name = _tokens.ExpectName().Text;
                        GraphQLParser.ParseDirectives(_tokens);
                        _types[name] = new MondayType(name, MondayTypeKind.Scalar);
                        break;
                    }

                case "type" or "interface":
                    ReadObjectLike(keyword.Text == "type" ? MondayTypeKind.Object : MondayTypeKind.Interface);
                    break;
                case "union":
                    ReadUnion();
                    break;
                case "enum":
                    ReadEnum();
                    break;
                case "input":
                    {
                        var name = _tokens.ExpectName().Text;
                        GraphQLParser.ParseDirectives(_tokens);
                        var type = new MondayType(name, MondayTypeKind.InputObject);
                        type.InputFields = ReadInputValues("{", "}");
                        _types[name] = type;
                        break;
                    }

                case "directive":
                    ReadDirectiveDefinition();
                    break;
                default:
                    throw _tokens.Unexpected(keyword);
            }
        }
    }

    private void SkipDescription()
    {
        if (_tokens.Current.Kind is TokenKind.String or TokenKind.BlockString)
        {
            _tokens.Advance();
        }
    }

    private void ReadSchemaDefinition()
    {
        GraphQLParser.ParseDirectives(_tokens);
        _tokens.Expect("{");
        while (!_tokens.Skip("}"))
        {
            var operation = _tokens.ExpectName().Text;
            _tokens.Expect(":");
            var typeName = _tokens.ExpectName().Text;
            if (operation == "query")
            {
                _queryType = typeName;
            }
            else if (operation == "mutation")
            {
                _mutationType = typeName;
            }
        }
    }

    private void ReadObjectLike(MondayTypeKind kind)
    {
        var name = _tokens.ExpectName().Text;
        var interfaces = new List<string>();
        if (_tokens.Current.Kind == TokenKind.Name && _tokens.Current.Text == "implements")
        {
            _tokens.Advance();
            _tokens.Skip("&");
            interfaces.Add(_tokens.ExpectName().Text);
            while (_tokens.Skip("&"))
            {
                interfaces.Add(_tokens.ExpectName().Text);
            }
        }

        GraphQLParser.ParseDirectives(_tokens);
        var fields = new Dictionary<string, MondayField>(StringComparer.Ordinal);
        if (_tokens.Skip("{"))
        {
            while (!_tokens.Skip("}"))
            {
                SkipDescription();
                var fieldName = _tokens.ExpectName().Text;
                var arguments = _tokens.Current.Kind == TokenKind.Punctuator && _tokens.Current.Text == "("
                    ? ReadInputValues("(", ")")
                    : FrozenDictionary<string, MondayInputValue>.Empty;
                _tokens.Expect(":");
                var type = GraphQLParser.ParseType(_tokens);
                var directives = GraphQLParser.ParseDirectives(_tokens);
                fields[fieldName] = new MondayField(fieldName, type, arguments, directives.Any(d => d.Name == "deprecated"));
            }
        }

        _types[name] = new MondayType(name, kind) { Fields = fields.ToFrozenDictionary(), Interfaces = interfaces };
    }

    private IReadOnlyDictionary<string, MondayInputValue> ReadInputValues(string open, string close)
    {
        var values = new Dictionary<string, MondayInputValue>(StringComparer.Ordinal);
        _tokens.Expect(open);
        while (!_tokens.Skip(close))
        {
            SkipDescription();
            var name = _tokens.ExpectName().Text;
            _tokens.Expect(":");
            var type = GraphQLParser.ParseType(_tokens);
            GraphQLValue? defaultValue = null;
            if (_tokens.Skip("="))
            {
                defaultValue = GraphQLParser.ParseValue(_tokens, isConst: true);
            }

            GraphQLParser.ParseDirectives(_tokens);
            values[name] = new MondayInputValue(name, type, defaultValue);
        }

        return values.ToFrozenDictionary();
    }

    private void ReadUnion()
    {
        var name = _tokens.ExpectName().Text;
        GraphQLParser.ParseDirectives(_tokens);
        var members = new HashSet<string>(StringComparer.Ordinal);
        if (_tokens.Skip("="))
        {
            _tokens.Skip("|");
            members.Add(_tokens.ExpectName().Text);
            while (_tokens.Skip("|"))
            {
                members.Add(_tokens.ExpectName().Text);
            }
        }

        _types[name] = new MondayType(name, MondayTypeKind.Union) { PossibleTypes = members.ToFrozenSet() };
    }

    private void ReadEnum()
    {
        var name = _tokens.ExpectName().Text;
        GraphQLParser.ParseDirectives(_tokens);
        var values = new HashSet<string>(StringComparer.Ordinal);
        _tokens.Expect("{");
        while (!_tokens.Skip("}"))
        {
            SkipDescription();
            values.Add(_tokens.ExpectName().Text);
            GraphQLParser.ParseDirectives(_tokens);
        }

        _types[name] = new MondayType(name, MondayTypeKind.Enum) { EnumValues = values.ToFrozenSet() };
    }

    private void ReadDirectiveDefinition()
    {
        _tokens.Expect("@");
        _tokens.ExpectName();
        if (_tokens.Current.Kind == TokenKind.Punctuator && _tokens.Current.Text == "(")
        {
            ReadInputValues("(", ")");
        }

        if (_tokens.Current.Kind == TokenKind.Name && _tokens.Current.Text == "repeatable")
        {
            _tokens.Advance();
        }

        var on = _tokens.ExpectName();
        if (on.Text != "on")
        {
            throw _tokens.Unexpected(on);
        }

        _tokens.Skip("|");
        _tokens.ExpectName();
        while (_tokens.Skip("|"))
        {
            _tokens.ExpectName();
        }
    }
}
