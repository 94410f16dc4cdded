using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Monday.GraphQL;

namespace DiscordLedgerBot.Emulators.Monday;

/// <summary>A document that passed validation, with the operation to run and its coerced variables.</summary>
internal sealed record PreparedOperation(ExecutableDocument Document, OperationDefinition Operation, JsonObject Variables)
{
    public IReadOnlyDictionary<string, FragmentDefinition> Fragments { get; } =
        Document.Fragments.GroupBy(f => f.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
}

/// <summary>
/// Validates GraphQL documents against monday's 2026-10 schema the way monday (graphql-ruby) does, with its error codes
/// (<c>undefinedField</c>, <c>argumentNotAccepted</c>, <c>missingRequiredArguments</c>, <c>argumentLiteralsIncompatible</c>,
/// <c>variableMismatch</c>, <c>variableNotDefined</c>, <c>selectionMismatch</c>, <c>cannotSpreadFragment</c>, ...).
/// Usable without the HTTP emulator, e.g. to check a client's documents in unit tests.
/// </summary>
public static class MondayDocumentValidator
{
    /// <summary>Validates <paramref name="query"/> with its <paramref name="variables"/> (the request's <c>variables</c> member: must be a JSON object or null).</summary>
    public static IReadOnlyList<MondayGraphQLError> Validate(string query, JsonNode? variables = null, string? operationName = null) =>
        Prepare(MondaySchema.Load(), query, variables, operationName, out _);

    public static IReadOnlyList<MondayGraphQLError> Validate(MondaySchema schema, string query, JsonNode? variables = null, string? operationName = null) =>
        Prepare(schema, query, variables, operationName, out _);

    internal static IReadOnlyList<MondayGraphQLError> Prepare(
        MondaySchema schema, string query, JsonNode? variables, string? operationName, out PreparedOperation? prepared)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(query);
        prepared = null;
        if (variables is not null and not JsonObject)
        {
            return [VariablesNotAnObject(variables)];
        }

        ExecutableDocument document;
        try
        {
            document = GraphQLParser.Parse(query);
        }
        catch (GraphQLSyntaxException e)
        {
            return [new MondayGraphQLError(e.Message, [e.Location], null, null)];
        }

        var walker = new ValidationWalker(schema, document);
        walker.Run();
        if (walker.Errors.Count > 0)
        {
            return walker.Errors;
        }

        var operation = SelectOperation(document, operationName, out var selectionError);
        if (operation is null)
        {
            return [selectionError!];
        }

        var coercion = new InputCoercion(schema);
        var coerced = new JsonObject();
        var errors = new List<MondayGraphQLError>();
        var supplied = (JsonObject?)variables;
        foreach (var definition in operation.VariableDefinitions)
        {
            var problems = new List<string>();
            if (supplied is not null && supplied.TryGetPropertyValue(definition.Name, out var value))
            {
                coerced[definition.Name] = coercion.CoerceVariable(value, definition.Type, problems, definition.Name);
            }
            else if (definition.DefaultValue is not null)
            {
                coerced[definition.Name] = coercion.CoerceLiteral(definition.DefaultValue, definition.Type, null);
            }
            else if (definition.Type is NonNullTypeReference)
            {
                problems.Add($"{definition.Name}: Expected value to not be null");
            }

            if (problems.Count > 0)
            {
                errors.Add(new MondayGraphQLError(
                    $"Variable ${definition.Name} of type {definition.Type} was provided invalid value",
                    [definition.Location],
                    null,
                    new JsonObject
                    {
                        ["code"] = "variableValueInvalid",
                        ["value"] = supplied?[definition.Name]?.DeepClone(),
                        ["problems"] = new JsonArray(problems.Select(p => (JsonNode)new JsonObject { ["explanation"] = p }).ToArray()),
                    }));
            }
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        prepared = new PreparedOperation(document, operation, coerced);
        return [];
    }

    private static MondayGraphQLError VariablesNotAnObject(JsonNode variables) => MondayGraphQLError.WithCode(
        $"Variables must be a JSON object, got {variables.GetValueKind().ToString().ToLowerInvariant()} (JSON-encoded variables are rejected since API version 2025-04)",
        "InvalidVariablesException");

    private static OperationDefinition? SelectOperation(ExecutableDocument document, string? operationName, out MondayGraphQLError? error)
    {
        error = null;
        if (!string.IsNullOrEmpty(operationName))
        {
            var named = document.Operations.FirstOrDefault(o => o.Name == operationName);
            if (named is null)
            {
                error = MondayGraphQLError.WithCode($"No operation named \"{operationName}\"", "operationNotFound");
            }

            return named;
        }

        if (document.Operations.Count == 1)
        {
            return document.Operations[0];
        }

        error = MondayGraphQLError.WithCode(
            document.Operations.Count == 0 ? "No operations in query document" : "An operation name is required",
            "operationNotFound");
        return null;
    }

    private sealed class ValidationWalker(MondaySchema schema, ExecutableDocument document)
    {
        private readonly InputCoercion _coercion = new(schema);
        private readonly Dictionary<string, FragmentDefinition> _fragments = new(StringComparer.Ordinal);
        private readonly HashSet<string> _usedFragments = new(StringComparer.Ordinal);
        private OperationDefinition? _operation;
        private Dictionary<string, VariableDefinition> _variables = new(StringComparer.Ordinal);
        private HashSet<string> _usedVariables = new(StringComparer.Ordinal);
        private HashSet<string> _visitingFragments = new(StringComparer.Ordinal);

        public List<MondayGraphQLError> Errors { get; } = [];

        private string OperationLabel => _operation?.Name is { } name ? name : $"anonymous {_operation?.Kind.ToString().ToLowerInvariant() ?? "query"}";

        public void Run()
        {
            foreach (var fragment in document.Fragments)
            {
                if (!_fragments.TryAdd(fragment.Name, fragment))
                {
                    Error($"Fragment name \"{fragment.Name}\" must be unique", "fragmentNotUnique", fragment.Location, new() { ["fragmentName"] = fragment.Name });
                }
            }

            var operationNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var operation in document.Operations)
            {
                if (operation.Name is { } name && !operationNames.Add(name))
                {
                    Error($"Operation name \"{name}\" must be unique", "uniquelyNamedOperations", operation.Location, new() { ["operationName"] = name });
                }

                if (document.Operations.Count > 1 && operation.Name is null)
                {
                    Error("Operation name is required when multiple operations are present", "uniquelyNamedOperations", operation.Location);
                }

                ValidateOperation(operation);
            }

            foreach (var fragment in document.Fragments)
            {
                if (!_usedFragments.Contains(fragment.Name))
                {
                    Error($"Fragment {fragment.Name} was defined, but not used", "useAndDefineFragment", fragment.Location, new() { ["fragmentName"] = fragment.Name });
                }
            }
        }

        private void ValidateOperation(OperationDefinition operation)
        {
            _operation = operation;
            _variables = new Dictionary<string, VariableDefinition>(StringComparer.Ordinal);
            _usedVariables = new HashSet<string>(StringComparer.Ordinal);
            _visitingFragments = new HashSet<string>(StringComparer.Ordinal);
            foreach (var variable in operation.VariableDefinitions)
            {
                if (!_variables.TryAdd(variable.Name, variable))
                {
                    Error($"There can only be one variable named \"{variable.Name}\"", "variableNotUnique", variable.Location, new() { ["variableName"] = variable.Name });
                    continue;
                }

                var type = schema.FindType(variable.Type.NamedType);
                if (type is null || !type.IsInput)
                {
                    Error(
                        type is null ? $"{variable.Type.NamedType} isn't a defined input type (on ${variable.Name})" : $"{variable.Type.NamedType} isn't a valid input type (on ${variable.Name})",
                        "variableRequiresValidType", variable.Location, new() { ["typeName"] = variable.Type.NamedType, ["variableName"] = variable.Name });
                    continue;
                }

                if (variable.DefaultValue is not null && _coercion.LiteralProblem(variable.DefaultValue, variable.Type) is { } problem)
                {
                    Error($"Default value for ${variable.Name} doesn't match type {variable.Type}: {problem}", "defaultValueInvalidType", variable.Location,
                        new() { ["variableName"] = variable.Name, ["typeName"] = variable.Type.ToString() });
                }
            }

            ValidateDirectives(operation.Directives);
            MondayType root;
            if (operation.Kind == OperationKind.Query)
            {
                root = schema.QueryType;
            }
            else if (operation.Kind == OperationKind.Mutation)
            {
                root = schema.MutationType;
            }
            else
            {
                Error("Schema is not configured for subscriptions", "missingSubscriptionConfiguration", operation.Location);
                return;
            }

            ValidateSelectionSet(operation.SelectionSet, root);
            foreach (var variable in operation.VariableDefinitions.Where(v => !_usedVariables.Contains(v.Name)))
            {
                Error($"Variable ${variable.Name} is declared by {OperationLabel} but not used", "variableNotUsed", variable.Location, new() { ["variableName"] = variable.Name });
            }
        }

        private void ValidateSelectionSet(SelectionSet selectionSet, MondayType parent)
        {
            CheckFieldConflicts(selectionSet, parent);
            foreach (var selection in selectionSet.Selections)
            {
                ValidateDirectives(selection.Directives);
                switch (selection)
                {
                    case FieldSelection field:
                        ValidateField(field, parent);
                        break;
                    case InlineFragment inline:
                        {
                            var target = parent;
                            if (inline.TypeCondition is { } condition)
                            {
                                var conditionType = CheckFragmentType(condition, inline.Location);
                                if (conditionType is null)
                                {
                                    break;
                                }

                                CheckSpreadPossible(conditionType, parent, "Fragment on " + condition, inline.Location, null);
                                target = conditionType;
                            }

                            ValidateSelectionSet(inline.SelectionSet, target);
                            break;
                        }

                    case FragmentSpread spread:
                        ValidateSpread(spread, parent);
                        break;
                }
            }
        }

        /// <summary>
        /// Simplified "fields must merge": two selections with one response key in the same parent type must name the
        /// same field with the same arguments (sub-selections are checked where each field is validated).
        /// </summary>
        private void CheckFieldConflicts(SelectionSet selectionSet, MondayType parent)
        {
            var seen = new Dictionary<string, (FieldSelection Field, string ParentType)>(StringComparer.Ordinal);
            foreach (var (field, parentType) in FlattenFields(selectionSet, parent.Name, new HashSet<string>(StringComparer.Ordinal)))
            {
                if (!seen.TryGetValue(field.ResponseKey, out var first))
                {
                    seen[field.ResponseKey] = (field, parentType);
                    continue;
                }

                var sameParent = first.ParentType == parentType
                    || schema.FindType(first.ParentType)?.Kind != MondayTypeKind.Object
                    || schema.FindType(parentType)?.Kind != MondayTypeKind.Object;
                if (!sameParent || ReferenceEquals(first.Field, field))
                {
                    continue;
                }

                if (first.Field.Name != field.Name)
                {
                    Error($"Field '{field.ResponseKey}' has a field conflict: {first.Field.Name} or {field.Name}?", "fieldConflict", field.Location,
                        new() { ["fieldName"] = field.ResponseKey, ["conflicts"] = $"{first.Field.Name} or {field.Name}" });
                }
                else if (PrintArguments(first.Field) != PrintArguments(field))
                {
                    Error($"Field '{field.ResponseKey}' has an argument conflict: {PrintArguments(first.Field)} or {PrintArguments(field)}?", "fieldConflict", field.Location,
                        new() { ["fieldName"] = field.ResponseKey, ["conflicts"] = $"{PrintArguments(first.Field)} or {PrintArguments(field)}" });
                }
            }
        }

        private IEnumerable<(FieldSelection Field, string ParentType)> FlattenFields(SelectionSet selectionSet, string parentType, HashSet<string> visiting)
        {
            foreach (var selection in selectionSet.Selections)
            {
                switch (selection)
                {
                    case FieldSelection field:
                        yield return (field, parentType);
                        break;
                    case InlineFragment inline:
                        foreach (var nested in FlattenFields(inline.SelectionSet, inline.TypeCondition ?? parentType, visiting))
                        {
                            yield return nested;
                        }

                        break;
                    case FragmentSpread spread when _fragments.TryGetValue(spread.Name, out var fragment) && visiting.Add(spread.Name):
                        foreach (var nested in FlattenFields(fragment.SelectionSet, fragment.TypeCondition, visiting))
                        {
                            yield return nested;
                        }

                        visiting.Remove(spread.Name);
                        break;
                }
            }
        }

        private static string PrintArguments(FieldSelection field) =>
            "{" + string.Join(",", field.Arguments.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => $"{a.Name}:{Print(a.Value)}")) + "}";

        private void ValidateSpread(FragmentSpread spread, MondayType parent)
        {
            _usedFragments.Add(spread.Name);
            if (!_fragments.TryGetValue(spread.Name, out var fragment))
            {
                Error($"Fragment {spread.Name} was used, but not defined", "useAndDefineFragment", spread.Location, new() { ["fragmentName"] = spread.Name });
                return;
            }

            if (!_visitingFragments.Add(spread.Name))
            {
                Error($"Fragment {spread.Name} contains an infinite loop", "infiniteLoop", spread.Location, new() { ["fragmentName"] = spread.Name });
                return;
            }

            ValidateDirectives(fragment.Directives);
            var conditionType = CheckFragmentType(fragment.TypeCondition, fragment.Location);
            if (conditionType is not null)
            {
                CheckSpreadPossible(conditionType, parent, $"Fragment {spread.Name} on {fragment.TypeCondition}", spread.Location, spread.Name);
                ValidateSelectionSet(fragment.SelectionSet, conditionType);
            }

            _visitingFragments.Remove(spread.Name);
        }

        private MondayType? CheckFragmentType(string condition, SourceLocation location)
        {
            var type = schema.FindType(condition);
            if (type is null)
            {
                Error($"No such type {condition}, so it can't be a fragment condition", "undefinedType", location, new() { ["typeName"] = condition });
                return null;
            }

            if (!type.IsComposite)
            {
                Error($"Invalid fragment on type {condition} (must be Union, Interface or Object)", "fragmentOnNonCompositeType", location, new() { ["typeName"] = condition });
                return null;
            }

            return type;
        }

        private void CheckSpreadPossible(MondayType fragmentType, MondayType parent, string description, SourceLocation location, string? fragmentName)
        {
            var parentTypes = schema.PossibleObjectTypes(parent);
            if (!schema.PossibleObjectTypes(fragmentType).Overlaps(parentTypes))
            {
                var extra = new JsonObject { ["typeName"] = fragmentType.Name, ["parentName"] = parent.Name };
                if (fragmentName is not null)
                {
                    extra["fragmentName"] = fragmentName;
                }

                Errors.Add(MondayGraphQLError.WithCode($"{description} can't be spread inside {parent.Name}", "cannotSpreadFragment", location, extra));
            }
        }

        private void ValidateField(FieldSelection field, MondayType parent)
        {
            if (field.Name == "__typename")
            {
                if (field.SelectionSet is not null)
                {
                    Error("Selections can't be made on scalars (field '__typename' returns String but has selections)", "selectionMismatch", field.Location, new() { ["nodeName"] = "field '__typename'", ["typeName"] = "String" });
                }

                return;
            }

            if (!parent.Fields.TryGetValue(field.Name, out var definition))
            {
                Error($"Field '{field.Name}' doesn't exist on type '{parent.Name}'", "undefinedField", field.Location, new() { ["typeName"] = parent.Name, ["fieldName"] = field.Name });
                return;
            }

            ValidateArguments(field, definition);
            var returnType = schema.FindType(definition.Type.NamedType);
            if (returnType is null)
            {
                return;
            }

            if (returnType.IsLeaf && field.SelectionSet is not null)
            {
                Error($"Selections can't be made on {(returnType.Kind == MondayTypeKind.Enum ? "enums" : "scalars")} (field '{field.Name}' returns {returnType.Name} but has selections [{string.Join(", ", field.SelectionSet.Selections.OfType<FieldSelection>().Select(s => s.Name))}])",
                    "selectionMismatch", field.Location, new() { ["nodeName"] = $"field '{field.Name}'", ["typeName"] = returnType.Name });
            }
            else if (returnType.IsComposite && field.SelectionSet is null)
            {
                Error($"Field must have selections (field '{field.Name}' returns {returnType.Name} but has no selections. Did you mean '{field.Name} {{ ... }}'?)",
                    "selectionMismatch", field.Location, new() { ["nodeName"] = $"field '{field.Name}'", ["typeName"] = returnType.Name });
            }
            else if (field.SelectionSet is not null)
            {
                ValidateSelectionSet(field.SelectionSet, returnType);
            }
        }

        private void ValidateArguments(FieldSelection field, MondayField definition)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var argument in field.Arguments)
            {
                if (!seen.Add(argument.Name))
                {
                    Error($"There can be only one argument named \"{argument.Name}\"", "argumentNotUnique", argument.Location, new() { ["name"] = argument.Name });
                    continue;
                }

                if (!definition.Arguments.TryGetValue(argument.Name, out var argumentDefinition))
                {
                    Error($"Field '{field.Name}' doesn't accept argument '{argument.Name}'", "argumentNotAccepted", argument.Location,
                        new() { ["name"] = field.Name, ["typeName"] = "Field", ["argumentName"] = argument.Name });
                    continue;
                }

                ValidateValue(argument.Value, argumentDefinition, $"Argument '{argument.Name}' on Field '{field.Name}'", argument.Location,
                    new() { ["typeName"] = "Field", ["argumentName"] = argument.Name });
            }

            var missing = definition.Arguments.Values.Where(a => a.IsRequired && !seen.Contains(a.Name)).Select(a => a.Name).ToList();
            if (missing.Count > 0)
            {
                Error($"Field '{field.Name}' is missing required arguments: {string.Join(", ", missing)}", "missingRequiredArguments", field.Location,
                    new() { ["className"] = "Field", ["name"] = field.Name, ["arguments"] = string.Join(", ", missing) });
            }
        }

        private void ValidateValue(GraphQLValue value, MondayInputValue location, string description, SourceLocation errorLocation, JsonObject extra)
        {
            foreach (var variable in CollectVariables(value))
            {
                ValidateVariableUsage(variable, value, location);
            }

            var problem = _coercion.LiteralProblem(value, location.Type);
            if (problem is not null)
            {
                Errors.Add(MondayGraphQLError.WithCode(
                    $"{description} has an invalid value ({Print(value)}). Expected type '{location.Type}'.", "argumentLiteralsIncompatible", errorLocation, extra));
            }
        }

        private void ValidateVariableUsage(VariableReference variable, GraphQLValue containingValue, MondayInputValue argument)
        {
            _usedVariables.Add(variable.Name);
            if (!_variables.TryGetValue(variable.Name, out var definition))
            {
                Error($"Variable ${variable.Name} is used by {OperationLabel} but not declared", "variableNotDefined", variable.Location, new() { ["variableName"] = variable.Name });
                return;
            }

            var expected = FindExpectedType(containingValue, variable, argument.Type);
            if (expected is null)
            {
                return;
            }

            var hasDefault = definition.DefaultValue is not null && definition.DefaultValue is not NullLiteral;
            var locationHasDefault = ReferenceEquals(containingValue, variable) && argument.DefaultValue is not null;
            var usedType = definition.Type;
            if (expected is NonNullTypeReference && usedType is not NonNullTypeReference && (hasDefault || locationHasDefault))
            {
                usedType = new NonNullTypeReference(usedType);
            }

            if (!IsSubtype(usedType, expected))
            {
                var nullabilityOnly = Strip(usedType).ToString() == Strip(expected).ToString();
                Error(
                    nullabilityOnly
                        ? $"Nullability mismatch on variable ${variable.Name} and argument {argument.Name} ({definition.Type} / {expected})"
                        : $"Type mismatch on variable ${variable.Name} and argument {argument.Name} ({definition.Type} / {expected})",
                    "variableMismatch", variable.Location,
                    new() { ["variableName"] = variable.Name, ["typeName"] = definition.Type.ToString(), ["argumentName"] = argument.Name, ["errorMessage"] = nullabilityOnly ? "Nullability mismatch" : "Type mismatch" });
            }
        }

        private static TypeReference Strip(TypeReference type) => type switch
        {
            NonNullTypeReference nn => Strip(nn.InnerType),
            ListTypeReference l => new ListTypeReference(Strip(l.ItemType)),
            _ => type,
        };

        /// <summary>The type expected at the position where <paramref name="variable"/> occurs inside <paramref name="value"/>.</summary>
        private TypeReference? FindExpectedType(GraphQLValue value, VariableReference variable, TypeReference type)
        {
            if (ReferenceEquals(value, variable))
            {
                return type;
            }

            var inner = type is NonNullTypeReference nn ? nn.InnerType : type;
            switch (value)
            {
                case ListLiteral list:
                    {
                        var itemType = inner is ListTypeReference l ? l.ItemType : inner;
                        return list.Items.Select(item => FindExpectedType(item, variable, itemType)).FirstOrDefault(t => t is not null);
                    }

                case ObjectLiteral obj when schema.FindType(inner.NamedType) is { Kind: MondayTypeKind.InputObject } inputType:
                    foreach (var field in obj.Fields)
                    {
                        if (inputType.InputFields.TryGetValue(field.Name, out var fieldDefinition)
                            && FindExpectedType(field.Value, variable, fieldDefinition.Type) is { } found)
                        {
                            return found;
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }

        private bool IsSubtype(TypeReference variableType, TypeReference expected)
        {
            if (expected is NonNullTypeReference expectedNonNull)
            {
                return variableType is NonNullTypeReference variableNonNull && IsSubtype(variableNonNull.InnerType, expectedNonNull.InnerType);
            }

            if (variableType is NonNullTypeReference nonNull)
            {
                return IsSubtype(nonNull.InnerType, expected);
            }

            if (expected is ListTypeReference expectedList)
            {
                return variableType is ListTypeReference variableList && IsSubtype(variableList.ItemType, expectedList.ItemType);
            }

            if (variableType is ListTypeReference)
            {
                return false;
            }

            // Custom scalars such as JSON accept variables declared as String, which monday's own examples rely on.
            return variableType.NamedType == expected.NamedType
                || (expected.NamedType == "JSON" && variableType.NamedType == "String");
        }

        private static IEnumerable<VariableReference> CollectVariables(GraphQLValue value) => value switch
        {
            VariableReference v => [v],
            ListLiteral l => l.Items.SelectMany(CollectVariables),
            ObjectLiteral o => o.Fields.SelectMany(f => CollectVariables(f.Value)),
            _ => [],
        };

        private void ValidateDirectives(IReadOnlyList<Directive> directives)
        {
            foreach (var directive in directives)
            {
                if (directive.Name is not ("include" or "skip"))
                {
                    Error($"Directive @{directive.Name} is not defined", "undefinedDirective", directive.Location, new() { ["directiveName"] = directive.Name });
                    continue;
                }

                var ifArgument = directive.Arguments.FirstOrDefault(a => a.Name == "if");
                foreach (var extraArgument in directive.Arguments.Where(a => a.Name != "if"))
                {
                    Error($"Directive '{directive.Name}' doesn't accept argument '{extraArgument.Name}'", "argumentNotAccepted", extraArgument.Location,
                        new() { ["name"] = directive.Name, ["typeName"] = "Directive", ["argumentName"] = extraArgument.Name });
                }

                if (ifArgument is null)
                {
                    Error($"Directive '{directive.Name}' is missing required arguments: if", "missingRequiredArguments", directive.Location,
                        new() { ["className"] = "Directive", ["name"] = directive.Name, ["arguments"] = "if" });
                    continue;
                }

                var definition = new MondayInputValue("if", new NonNullTypeReference(new NamedTypeReference("Boolean")), null);
                ValidateValue(ifArgument.Value, definition, $"Argument 'if' on Directive '{directive.Name}'", ifArgument.Location,
                    new() { ["typeName"] = "Directive", ["argumentName"] = "if" });
            }
        }

        private void Error(string message, string code, SourceLocation location, JsonObject? extra = null) =>
            Errors.Add(MondayGraphQLError.WithCode(message, code, location, extra));

        private static string Print(GraphQLValue value) => value switch
        {
            VariableReference v => "$" + v.Name,
            IntLiteral i => i.Raw,
            FloatLiteral f => f.Raw,
            StringLiteral s => JsonSerializer.Serialize(s.Value),
            BooleanLiteral b => b.Value ? "true" : "false",
            NullLiteral => "null",
            EnumLiteral e => e.Name,
            ListLiteral l => "[" + string.Join(", ", l.Items.Select(Print)) + "]",
            ObjectLiteral o => "{" + string.Join(", ", o.Fields.Select(f => $"{f.Name}: {Print(f.Value)}")) + "}",
            _ => value.ToString() ?? string.Empty,
        };
    }
}
