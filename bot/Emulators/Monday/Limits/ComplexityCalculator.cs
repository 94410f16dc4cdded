using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Monday.GraphQL;

namespace DiscordLedgerBot.Emulators.Monday.Limits;

/// <summary>Static cost of an operation under <see cref="MondayComplexityOptions"/>'s model (an upper bound over fragments).</summary>
internal sealed class ComplexityCalculator(MondaySchema schema, MondayComplexityOptions options, PreparedOperation operation)
{
    private readonly InputCoercion _coercion = new(schema);

    public int Calculate()
    {
        var root = operation.Operation.Kind == OperationKind.Mutation ? schema.MutationType : schema.QueryType;
        var cost = SelectionCost(root, operation.Operation.SelectionSet, [], sizedByParent: false);
        return (int)Math.Min(cost, int.MaxValue);
    }

    /// <summary>True when the operation selects nothing but <c>complexity</c> (such calls weigh 0.1 on the daily limit).</summary>
    public bool IsComplexityOnly() => operation.Operation.SelectionSet.Selections.All(s => s is FieldSelection { Name: "complexity" or "__typename" });

    private long SelectionCost(MondayType parent, SelectionSet selectionSet, HashSet<string> visiting, bool sizedByParent)
    {
        long total = 0;
        foreach (var selection in selectionSet.Selections)
        {
            switch (selection)
            {
                case FieldSelection field when field.Name != "__typename" && parent.Fields.TryGetValue(field.Name, out var definition):
                    {
                        var returnType = schema.Types[definition.Type.NamedType];
                        var baseCost = options.FieldCosts.TryGetValue($"{parent.Name}.{field.Name}", out var configured)
                            ? configured
                            : ReferenceEquals(parent, schema.MutationType) ? options.DefaultMutationCost
                            : returnType.IsLeaf ? options.DefaultLeafFieldCost : options.DefaultObjectFieldCost;
                        // A page field (items_page: ItemsResponse) sizes its list child (items) through its own limit.
                        var sizesChildren = !IsList(definition.Type) && definition.Arguments.ContainsKey("limit");
                        var childCost = field.SelectionSet is null ? 0 : SelectionCost(returnType, field.SelectionSet, visiting, sizesChildren);
                        total = Saturate(total + baseCost + Saturate(Multiplier(definition, field, sizedByParent) * childCost));
                        break;
                    }

                case InlineFragment inline:
                    total = Saturate(total + SelectionCost(inline.TypeCondition is { } t ? schema.Types[t] : parent, inline.SelectionSet, visiting, sizedByParent));
                    break;
                case FragmentSpread spread when operation.Fragments.TryGetValue(spread.Name, out var fragment) && visiting.Add(spread.Name):
                    total = Saturate(total + SelectionCost(schema.Types[fragment.TypeCondition], fragment.SelectionSet, visiting, sizedByParent));
                    visiting.Remove(spread.Name);
                    break;
            }
        }

        return total;
    }

    private static long Saturate(long value) => Math.Min(value, int.MaxValue);

    private long Multiplier(MondayField definition, FieldSelection field, bool sizedByParent)
    {
        if (!IsList(definition.Type) && !definition.Arguments.ContainsKey("limit"))
        {
            return 1;
        }

        var arguments = field.Arguments.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal);
        if (arguments.TryGetValue("limit", out var limitLiteral) && definition.Arguments.TryGetValue("limit", out var limitDefinition)
            && _coercion.CoerceLiteral(limitLiteral, limitDefinition.Type, operation.Variables) is JsonValue limit && limit.TryGetValue<long>(out var size) && size > 0)
        {
            return size;
        }

        if (arguments.TryGetValue("ids", out var idsLiteral) && definition.Arguments.TryGetValue("ids", out var idsDefinition)
            && _coercion.CoerceLiteral(idsLiteral, idsDefinition.Type, operation.Variables) is JsonArray ids && ids.Count > 0)
        {
            return ids.Count;
        }

        if (definition.Arguments.TryGetValue("limit", out var withDefault) && withDefault.DefaultValue is IntLiteral defaultLimit
            && long.TryParse(defaultLimit.Raw, out var defaultSize))
        {
            return defaultSize;
        }

        return sizedByParent || !IsList(definition.Type) ? 1 : options.DefaultListSize;
    }

    private static bool IsList(TypeReference type) => type switch
    {
        NonNullTypeReference nn => IsList(nn.InnerType),
        ListTypeReference => true,
        _ => false,
    };
}
