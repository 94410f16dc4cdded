using DiscordLedgerBot.Emulators.Monday.GraphQL;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class GraphQLParserTests
{
    [Fact]
    public void Parses_operations_variables_defaults_aliases_fragments_and_directives()
    {
        var document = GraphQLParser.Parse("""
            query Read($ids: [ID!], $n: Int! = 50, $withText: Boolean = true) {
              first: boards(ids: $ids, limit: 1) {
                ...BoardBits
                items_page(limit: $n, query_params: {rules: [{column_id: "status", compare_value: [1, 2], operator: any_of}]}) {
                  items { id ... on Item { name @include(if: $withText) } }
                }
              }
            }
            fragment BoardBits on Board { id name }
            """);

        var operation = Assert.Single(document.Operations);
        Assert.Equal(OperationKind.Query, operation.Kind);
        Assert.Equal("Read", operation.Name);
        Assert.Equal(3, operation.VariableDefinitions.Count);
        Assert.Equal("[ID!]", operation.VariableDefinitions[0].Type.ToString());
        Assert.Equal("Int!", operation.VariableDefinitions[1].Type.ToString());
        Assert.Equal("50", Assert.IsType<IntLiteral>(operation.VariableDefinitions[1].DefaultValue).Raw);
        var boards = Assert.IsType<FieldSelection>(operation.SelectionSet.Selections[0]);
        Assert.Equal("first", boards.Alias);
        Assert.Equal("boards", boards.Name);
        Assert.Equal(new SourceLocation(2, 3), boards.Location);
        Assert.IsType<FragmentSpread>(boards.SelectionSet!.Selections[0]);
        var page = Assert.IsType<FieldSelection>(boards.SelectionSet.Selections[1]);
        var queryParams = Assert.IsType<ObjectLiteral>(page.Arguments[1].Value);
        var rule = Assert.IsType<ObjectLiteral>(Assert.IsType<ListLiteral>(queryParams.Fields[0].Value).Items[0]);
        Assert.Equal("any_of", Assert.IsType<EnumLiteral>(rule.Fields[2].Value).Name);
        var items = Assert.IsType<FieldSelection>(page.SelectionSet!.Selections[0]);
        var inline = Assert.IsType<InlineFragment>(items.SelectionSet!.Selections[1]);
        Assert.Equal("Item", inline.TypeCondition);
        Assert.Equal("include", Assert.Single(inline.SelectionSet.Selections[0].Directives).Name);
        Assert.Equal("Board", Assert.Single(document.Fragments).TypeCondition);
    }

    [Fact]
    public void Decodes_string_escapes_and_block_strings()
    {
        var document = GraphQLParser.Parse("mutation { a: create_update(body: \"line\\n\\\"q\\\" \\u00e9 \\u{1F600} \\\\ \\/\") { id } b: create_update(body: \"\"\"\n    first\n      indented \\\"\"\" end\n    \"\"\") { id } }");
        var fields = document.Operations[0].SelectionSet.Selections.Cast<FieldSelection>().ToList();
        Assert.Equal("line\n\"q\" é 😀 \\ /", Assert.IsType<StringLiteral>(fields[0].Arguments[0].Value).Value);
        var block = Assert.IsType<StringLiteral>(fields[1].Arguments[0].Value);
        Assert.True(block.IsBlock);
        Assert.Equal("first\n  indented \"\"\" end", block.Value);
    }

    [Fact]
    public void Anonymous_shorthand_query_comments_and_commas_are_accepted()
    {
        var document = GraphQLParser.Parse("# comment\n{ me { id, name } ,, }");
        Assert.Equal(OperationKind.Query, document.Operations[0].Kind);
        Assert.Null(document.Operations[0].Name);
    }

    [Theory]
    [InlineData("{ boards { id }", "Unexpected end of document", 1, 16)]
    [InlineData("query {\n  boards(ids: ) { id }\n}", "Parse error on \")\" (RPAREN) at [2, 15]", 2, 15)]
    [InlineData("{ boards { id } } }", "Parse error on \"}\" (RCURLY) at [1, 19]", 1, 19)]
    [InlineData("{ me { name(x: \"unterminated) } }", "Parse error on unterminated string at [1, 16]", 1, 16)]
    [InlineData("{ me { id } } fragment on on User { id }", "Parse error on \"on\" (IDENTIFIER) at [1, 24]", 1, 24)]
    public void Reports_syntax_errors_with_locations(string query, string message, int line, int column)
    {
        var error = Assert.Throws<GraphQLSyntaxException>(() => GraphQLParser.Parse(query));
        Assert.Equal(message, error.Message);
        Assert.Equal(new SourceLocation(line, column), error.Location);
    }
}
