namespace DiscordLedgerBot.Emulators.Monday.GraphQL;

/// <summary>A 1-based position in the query text, as GraphQL reports it in <c>errors[].locations</c>.</summary>
public readonly record struct SourceLocation(int Line, int Column);

public enum OperationKind
{
    Query,
    Mutation,
    Subscription,
}

public abstract record GraphQLValue(SourceLocation Location);

public sealed record VariableReference(string Name, SourceLocation Location) : GraphQLValue(Location);

public sealed record IntLiteral(string Raw, SourceLocation Location) : GraphQLValue(Location);

public sealed record FloatLiteral(string Raw, SourceLocation Location) : GraphQLValue(Location);

public sealed record StringLiteral(string Value, bool IsBlock, SourceLocation Location) : GraphQLValue(Location);

public sealed record BooleanLiteral(bool Value, SourceLocation Location) : GraphQLValue(Location);

public sealed record NullLiteral(SourceLocation Location) : GraphQLValue(Location);

public sealed record EnumLiteral(string Name, SourceLocation Location) : GraphQLValue(Location);

public sealed record ListLiteral(IReadOnlyList<GraphQLValue> Items, SourceLocation Location) : GraphQLValue(Location);

public sealed record ObjectLiteral(IReadOnlyList<ObjectLiteralField> Fields, SourceLocation Location) : GraphQLValue(Location);

public sealed record ObjectLiteralField(string Name, GraphQLValue Value, SourceLocation Location);

/// <summary>A type reference as written: <c>Int</c>, <c>[ID!]</c>, <c>String!</c>.</summary>
public abstract record TypeReference
{
    public abstract string NamedType { get; }
}

public sealed record NamedTypeReference(string Name) : TypeReference
{
    public override string NamedType => Name;

    public override string ToString() => Name;
}

public sealed record ListTypeReference(TypeReference ItemType) : TypeReference
{
    public override string NamedType => ItemType.NamedType;

    public override string ToString() => $"[{ItemType}]";
}

public sealed record NonNullTypeReference(TypeReference InnerType) : TypeReference
{
    public override string NamedType => InnerType.NamedType;

    public override string ToString() => $"{InnerType}!";
}

public sealed record Argument(string Name, GraphQLValue Value, SourceLocation Location);

public sealed record Directive(string Name, IReadOnlyList<Argument> Arguments, SourceLocation Location);

public abstract record Selection(IReadOnlyList<Directive> Directives, SourceLocation Location);

public sealed record FieldSelection(
    string? Alias,
    string Name,
    IReadOnlyList<Argument> Arguments,
    IReadOnlyList<Directive> Directives,
    SelectionSet? SelectionSet,
    SourceLocation Location) : Selection(Directives, Location)
{
    public string ResponseKey => Alias ?? Name;
}

public sealed record FragmentSpread(string Name, IReadOnlyList<Directive> Directives, SourceLocation Location)
    : Selection(Directives, Location);

public sealed record InlineFragment(
    string? TypeCondition,
    IReadOnlyList<Directive> Directives,
    SelectionSet SelectionSet,
    SourceLocation Location) : Selection(Directives, Location);

public sealed record SelectionSet(IReadOnlyList<Selection> Selections, SourceLocation Location);

public sealed record VariableDefinition(string Name, TypeReference Type, GraphQLValue? DefaultValue, SourceLocation Location);

public sealed record OperationDefinition(
    OperationKind Kind,
    string? Name,
    IReadOnlyList<VariableDefinition> VariableDefinitions,
    IReadOnlyList<Directive> Directives,
    SelectionSet SelectionSet,
    SourceLocation Location);

public sealed record FragmentDefinition(
    string Name,
    string TypeCondition,
    IReadOnlyList<Directive> Directives,
    SelectionSet SelectionSet,
    SourceLocation Location);

public sealed record ExecutableDocument(IReadOnlyList<OperationDefinition> Operations, IReadOnlyList<FragmentDefinition> Fragments);

/// <summary>Thrown by the lexer/parser; the message follows monday's (graphql-ruby's) "Parse error on ..." wording.</summary>
public sealed class GraphQLSyntaxException(string message, SourceLocation location) : Exception(message)
{
    public SourceLocation Location { get; } = location;
}
