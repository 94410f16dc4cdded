using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Monday;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class MondayValidationTests
{
    [Fact]
    public void Embedded_schema_loads_with_monday_types()
    {
        var schema = MondaySchema.Load();
        Assert.Contains("boards", schema.QueryType.Fields.Keys);
        Assert.Contains("create_item", schema.MutationType.Fields.Keys);
        Assert.Equal(MondayTypeKind.Interface, schema.Types["ColumnValue"].Kind);
        Assert.Contains("StatusValue", schema.Types["ColumnValue"].PossibleTypes);
        Assert.Equal("Int! = 25", $"{schema.Types["Board"].Fields["items_page"].Arguments["limit"].Type} = 25");
        Assert.Contains("any_of", schema.Types["ItemsQueryRuleOperator"].EnumValues);
    }

    [Fact]
    public void Valid_documents_have_no_errors()
    {
        var errors = MondayDocumentValidator.Validate(
            """
            query ($board: [ID!], $n: Int!) {
              complexity { query after reset_in_x_seconds }
              boards(ids: $board) { items_page(limit: $n, query_params: {rules: [{column_id: "status", compare_value: [1], operator: any_of}]}) {
                cursor items { id name updated_at column_values(ids: ["status","owner","due"]) { id text value
                  ... on StatusValue { index label } ... on PeopleValue { persons_and_teams { id kind } } ... on DateValue { date time } } } } }
            }
            """,
            new JsonObject { ["board"] = new JsonArray("1"), ["n"] = 50 });
        Assert.Empty(errors);
    }

    [Fact]
    public void Unknown_field_is_undefinedField_with_location()
    {
        var error = Assert.Single(MondayDocumentValidator.Validate("{\n  boards { id nme }\n}"));
        Assert.Equal("undefinedField", error.Code);
        Assert.Equal("Field 'nme' doesn't exist on type 'Board'", error.Message);
        Assert.Equal(2, error.Locations[0].Line);
        Assert.Equal(15, error.Locations[0].Column);
        Assert.Equal("Board", error.Extensions!["typeName"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{ boards(foo: 1) { id } }", "argumentNotAccepted", "Field 'boards' doesn't accept argument 'foo'")]
    [InlineData("mutation { create_item(item_name: \"x\") { id } }", "missingRequiredArguments", "Field 'create_item' is missing required arguments: board_id")]
    [InlineData("{ boards(limit: \"ten\") { id } }", "argumentLiteralsIncompatible", "Argument 'limit' on Field 'boards' has an invalid value (\"ten\"). Expected type 'Int'.")]
    [InlineData("{ boards(state: nonsense) { id } }", "argumentLiteralsIncompatible", "Argument 'state' on Field 'boards' has an invalid value (nonsense). Expected type 'State'.")]
    [InlineData("{ boards { id { x } } }", "selectionMismatch", "Selections can't be made on scalars (field 'id' returns ID but has selections [x])")]
    [InlineData("{ boards }", "selectionMismatch", "Field must have selections (field 'boards' returns Board but has no selections. Did you mean 'boards { ... }'?)")]
    [InlineData("{ boards { ...F } } fragment F on Item { id }", "cannotSpreadFragment", "Fragment F on Item can't be spread inside Board")]
    [InlineData("{ boards { ... on Nope { id } } }", "undefinedType", "No such type Nope, so it can't be a fragment condition")]
    [InlineData("{ boards { ...Missing } }", "useAndDefineFragment", "Fragment Missing was used, but not defined")]
    [InlineData("{ boards(ids: $x) { id } }", "variableNotDefined", "Variable $x is used by anonymous query but not declared")]
    [InlineData("query ($x: Int) { boards { id } }", "variableNotUsed", "Variable $x is declared by anonymous query but not used")]
    [InlineData("query ($n: String) { boards(limit: $n) { id } }", "variableMismatch", "Type mismatch on variable $n and argument limit (String / Int)")]
    [InlineData("mutation ($b: ID) { create_item(board_id: $b, item_name: \"x\") { id } }", "variableMismatch", "Nullability mismatch on variable $b and argument board_id (ID / ID!)")]
    [InlineData("{ boards { id @foo } }", "undefinedDirective", "Directive @foo is not defined")]
    [InlineData("{ a: boards { id } a: users { id } }", "fieldConflict", "Field 'a' has a field conflict: boards or users?")]
    [InlineData("{ boards(limit: 1) { id } boards(limit: 2) { id } }", "fieldConflict", "Field 'boards' has an argument conflict: {limit:1} or {limit:2}?")]
    public void Invalid_documents_get_monday_codes(string query, string code, string message)
    {
        var errors = MondayDocumentValidator.Validate(query);
        Assert.Contains(errors, e => e.Code == code && e.Message == message);
    }

    [Fact]
    public void Same_field_twice_and_disjoint_type_conditions_do_not_conflict()
    {
        Assert.Empty(MondayDocumentValidator.Validate("{ boards { id id ...B } } fragment B on Board { id }"));
        Assert.Empty(MondayDocumentValidator.Validate(
            "{ items { column_values { ... on StatusValue { v: label } ... on TextValue { v: text } } } }"));
    }

    [Fact]
    public void Variables_sent_as_a_json_string_are_rejected()
    {
        var error = Assert.Single(MondayDocumentValidator.Validate("query ($n: Int) { boards(limit: $n) { id } }", JsonValue.Create("{\"n\":1}")));
        Assert.Equal("InvalidVariablesException", error.Code);
    }

    [Fact]
    public void Variable_values_are_coerced_and_bad_values_rejected()
    {
        Assert.Empty(MondayDocumentValidator.Validate("query ($ids: [ID!]) { boards(ids: $ids) { id } }", new JsonObject { ["ids"] = 5 }));
        var error = Assert.Single(MondayDocumentValidator.Validate("query ($n: Int!) { boards(limit: $n) { id } }", new JsonObject { ["n"] = "ten" }));
        Assert.Equal("Variable $n of type Int! was provided invalid value", error.Message);
        var missing = Assert.Single(MondayDocumentValidator.Validate("query ($n: Int!) { boards(limit: $n) { id } }", new JsonObject()));
        Assert.Equal("Variable $n of type Int! was provided invalid value", missing.Message);
        var badEnum = Assert.Single(MondayDocumentValidator.Validate("query ($s: State) { boards(state: $s) { id } }", new JsonObject { ["s"] = "gone" }));
        Assert.Equal("variableValueInvalid", badEnum.Code);
    }

    [Fact]
    public void Nullable_variable_with_default_may_feed_a_non_null_argument()
    {
        Assert.Empty(MondayDocumentValidator.Validate("query ($n: Int = 10) { boards { items_page(limit: $n) { cursor } } }"));
    }
}
