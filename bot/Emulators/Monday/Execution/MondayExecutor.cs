using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Monday.GraphQL;

namespace DiscordLedgerBot.Emulators.Monday.Execution;

/// <summary>Values a request carries into execution (version routing, budget numbers for the complexity field).</summary>
internal sealed record MondayExecutionContext(MondayApiVersion Version, long UserId, ComplexitySnapshot Complexity, DateTimeOffset Now);

internal sealed record ComplexitySnapshot(int Before, int After, int Query, int ResetInSeconds);

/// <summary>A runtime object whose GraphQL type is decided per value (members of interfaces/unions).</summary>
internal interface ITypedSource
{
    string GraphQLTypeName { get; }
}

/// <summary>Result of executing one operation: <c>data</c> (null when a non-null root failed) and errors.</summary>
internal sealed record ExecutionResult(JsonObject? Data, IReadOnlyList<MondayGraphQLError> Errors, int MutationFieldsExecuted, IReadOnlyList<MondayItemEvent> ItemEvents, IReadOnlyList<WebhookRecord> WebhooksCreated);

/// <summary>
/// Executes a validated operation against <see cref="MondayStore"/> following the GraphQL execution algorithm:
/// field collection with fragments and @include/@skip, argument coercion with defaults, serial root fields, value
/// completion, and null propagation to the nearest nullable parent. The caller holds the store lock.
/// </summary>
internal sealed partial class MondayExecutor
{
    private readonly MondaySchema _schema;
    private readonly InputCoercion _coercion;
    private readonly MondayStore _store;
    private readonly MondayEmulatorOptions _options;
    private readonly MondayEmulatorStats _stats;
    private readonly List<MondayGraphQLError> _errors = [];
    private PreparedOperation _operation = null!;
    private MondayExecutionContext _context = null!;
    private bool _changed;
    private int _mutationFields;
    private readonly List<MondayItemEvent> _itemEvents = [];
    private readonly List<WebhookRecord> _webhooksCreated = [];

    public MondayExecutor(MondaySchema schema, MondayStore store, MondayEmulatorOptions options, MondayEmulatorStats stats)
    {
        _schema = schema;
        _coercion = new InputCoercion(schema);
        _store = store;
        _options = options;
        _stats = stats;
    }

    private MondayState State => _store.State;

    public ExecutionResult Execute(PreparedOperation operation, MondayExecutionContext context)
    {
        _operation = operation;
        _context = context;
        _errors.Clear();
        _itemEvents.Clear();
        _webhooksCreated.Clear();
        _changed = false;
        _mutationFields = 0;
        var rootType = operation.Operation.Kind == OperationKind.Mutation ? _schema.MutationType : _schema.QueryType;
        JsonObject? data;
        try
        {
            data = ExecuteSelectionSet(rootType, null, [operation.Operation.SelectionSet], []);
        }
        catch (NullPropagation)
        {
            data = null;
        }

        if (_changed)
        {
            _store.Save();
        }

        return new ExecutionResult(data, [.. _errors], _mutationFields, [.. _itemEvents], [.. _webhooksCreated]);
    }

    /// <summary>
    /// An edit "made in monday's UI": column values (and optionally a group) changed without an API call, so no budget,
    /// no request count, but updated_at moves and webhooks fire. The caller holds the store lock.
    /// </summary>
    public IReadOnlyList<MondayItemEvent> EditDirectly(long itemId, JsonObject values, string? groupId, MondayExecutionContext context)
    {
        _context = context;
        _itemEvents.Clear();
        var item = State.Items.FirstOrDefault(i => i.Id == itemId && i.State != "deleted") ?? throw MondayApiException.ItemNotFound(itemId.ToString(CultureInfo.InvariantCulture));
        var board = State.Boards.First(b => b.Id == item.BoardId);
        if (values.Count > 0)
        {
            ApplyColumnValues(board, item, values, createLabels: false, isNew: false);
        }

        if (groupId is not null)
        {
            MoveItemToGroup(new JsonObject { ["item_id"] = item.Id.ToString(CultureInfo.InvariantCulture), ["group_id"] = groupId });
        }

        _store.Save();
        return [.. _itemEvents];
    }

    private sealed class NullPropagation : Exception;

    private JsonObject ExecuteSelectionSet(MondayType objectType, object? source, IEnumerable<SelectionSet> selectionSets, List<object> path)
    {
        var grouped = new Dictionary<string, List<FieldSelection>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var selectionSet in selectionSets)
        {
            CollectFields(objectType, selectionSet, grouped, order, new HashSet<string>(StringComparer.Ordinal));
        }

        var result = new JsonObject();
        foreach (var key in order)
        {
            var fields = grouped[key];
            path.Add(key);
            result[key] = ExecuteField(objectType, source, fields, path);
            path.RemoveAt(path.Count - 1);
        }

        return result;
    }

    private void CollectFields(MondayType objectType, SelectionSet selectionSet, Dictionary<string, List<FieldSelection>> grouped, List<string> order, HashSet<string> visitedFragments)
    {
        foreach (var selection in selectionSet.Selections)
        {
            if (!ShouldInclude(selection.Directives))
            {
                continue;
            }

            switch (selection)
            {
                case FieldSelection field:
                    if (!grouped.TryGetValue(field.ResponseKey, out var list))
                    {
                        grouped[field.ResponseKey] = list = [];
                        order.Add(field.ResponseKey);
                    }

                    list.Add(field);
                    break;
                case InlineFragment inline when inline.TypeCondition is null || _schema.DoesTypeApply(inline.TypeCondition, objectType.Name):
                    CollectFields(objectType, inline.SelectionSet, grouped, order, visitedFragments);
                    break;
                case FragmentSpread spread when visitedFragments.Add(spread.Name)
                    && _operation.Fragments.TryGetValue(spread.Name, out var fragment)
                    && _schema.DoesTypeApply(fragment.TypeCondition, objectType.Name):
                    CollectFields(objectType, fragment.SelectionSet, grouped, order, visitedFragments);
                    break;
            }
        }
    }

    private bool ShouldInclude(IReadOnlyList<Directive> directives)
    {
        foreach (var directive in directives)
        {
            var condition = directive.Arguments.FirstOrDefault(a => a.Name == "if")?.Value;
            var value = condition is not null
                && (_coercion.CoerceLiteral(condition, new NamedTypeReference("Boolean"), _operation.Variables)?.GetValue<bool>() ?? false);
            if ((directive.Name == "skip" && value) || (directive.Name == "include" && !value))
            {
                return false;
            }
        }

        return true;
    }

    private JsonNode? ExecuteField(MondayType objectType, object? source, List<FieldSelection> fields, List<object> path)
    {
        var field = fields[0];
        if (field.Name == "__typename")
        {
            return JsonValue.Create(objectType.Name);
        }

        var definition = objectType.Fields[field.Name];
        try
        {
            var arguments = CoerceArguments(definition, field);
            var value = Resolve(objectType, definition, source, arguments);
            return Complete(definition.Type, fields, value, path, $"{objectType.Name}.{field.Name}");
        }
        catch (MondayApiException e)
        {
            _errors.Add(new MondayGraphQLError(e.Message, [field.Location], [.. path], e.ToExtensions()));
            if (definition.Type is NonNullTypeReference)
            {
                throw new NullPropagation();
            }

            return null;
        }
        catch (NullPropagation) when (definition.Type is not NonNullTypeReference)
        {
            return null;
        }
    }

    private JsonObject CoerceArguments(MondayField definition, FieldSelection field)
    {
        var arguments = new JsonObject();
        foreach (var argument in definition.Arguments.Values)
        {
            var supplied = field.Arguments.FirstOrDefault(a => a.Name == argument.Name);
            var variableMissing = supplied?.Value is VariableReference v && !_operation.Variables.ContainsKey(v.Name);
            if (supplied is not null && !variableMissing)
            {
                arguments[argument.Name] = _coercion.CoerceLiteral(supplied.Value, argument.Type, _operation.Variables);
            }
            else if (argument.DefaultValue is not null)
            {
                arguments[argument.Name] = _coercion.CoerceLiteral(argument.DefaultValue, argument.Type, null);
            }
        }

        // Round-trip so every value is JSON-element backed: numbers then read as int, long or double alike.
        return JsonNode.Parse(arguments.ToJsonString())!.AsObject();
    }

    private JsonNode? Complete(TypeReference type, List<FieldSelection> fields, object? value, List<object> path, string fieldLabel)
    {
        if (type is NonNullTypeReference nonNull)
        {
            var completed = Complete(nonNull.InnerType, fields, value, path, fieldLabel);
            if (completed is null)
            {
                if (value is null)
                {
                    _errors.Add(new MondayGraphQLError($"Cannot return null for non-nullable field {fieldLabel}", [fields[0].Location], [.. path], null));
                }

                throw new NullPropagation();
            }

            return completed;
        }

        if (value is null)
        {
            return null;
        }

        if (type is ListTypeReference list)
        {
            var array = new JsonArray();
            var index = 0;
            foreach (var item in (System.Collections.IEnumerable)value)
            {
                path.Add(index++);
                try
                {
                    array.Add(Complete(list.ItemType, fields, item, path, fieldLabel));
                }
                finally
                {
                    path.RemoveAt(path.Count - 1);
                }
            }

            return array;
        }

        var named = _schema.Types[type.NamedType];
        if (named.IsLeaf)
        {
            return SerializeLeaf(named, value);
        }

        var runtimeType = value is ITypedSource typed ? _schema.Types[typed.GraphQLTypeName] : named;
        var selectionSets = fields.Select(f => f.SelectionSet).OfType<SelectionSet>().ToList();
        return ExecuteSelectionSet(runtimeType, value, selectionSets, path);
    }

    private static JsonNode? SerializeLeaf(MondayType type, object value)
    {
        if (value is JsonNode node)
        {
            return type.Name switch
            {
                "ID" when node.GetValueKind() == JsonValueKind.Number => JsonValue.Create(node.ToJsonString()),
                _ => node.DeepClone(),
            };
        }

        return type.Name switch
        {
            "ID" => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
            "Int" => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
            "Float" => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            "Boolean" => JsonValue.Create((bool)value),
            _ => value switch
            {
                string s => JsonValue.Create(s),
                DateTimeOffset d => JsonValue.Create(d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
                bool b => JsonValue.Create(b),
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                double d => JsonValue.Create(d),
                _ => JsonValue.Create(value.ToString()),
            },
        };
    }

    private object? Resolve(MondayType objectType, MondayField definition, object? source, JsonObject args)
    {
        if (source is JsonObject json)
        {
            return json[definition.Name];
        }

        var resolved = objectType.Name switch
        {
            "Query" => ResolveQuery(definition.Name, args),
            "Mutation" => ResolveMutation(definition.Name, args),
            _ => ResolveObject(objectType.Name, definition.Name, source!, args),
        };
        if (resolved is Unresolved)
        {
            if (definition.Type is NonNullTypeReference)
            {
                throw new MondayApiException(
                    "EmulatorUnsupportedField",
                    $"Field '{objectType.Name}.{definition.Name}' is valid in monday's schema but not implemented by the emulator");
            }

            return null;
        }

        return resolved;
    }

    /// <summary>Marks a schema field the emulator does not model (null for nullable fields, an error otherwise).</summary>
    private sealed class Unresolved
    {
        public static readonly Unresolved Instance = new();
    }

    private static long RequireId(JsonObject args, string name)
    {
        var node = args[name];
        if (node is null)
        {
            throw MondayApiException.InvalidArgument($"{name} is required");
        }

        if (!ColumnValues.TryGetLong(node, out var id))
        {
            throw MondayApiException.InvalidArgument($"{name} must be a numeric ID, got {node.ToJsonString()}");
        }

        return id;
    }

    private static long? OptionalId(JsonObject args, string name) => args[name] is null ? null : RequireId(args, name);

    private static string? OptionalString(JsonObject args, string name) => args[name]?.GetValue<string>();

    private static int OptionalInt(JsonObject args, string name, int fallback) =>
        args[name] is { } node ? (int)node.GetValue<long>() : fallback;

    private static bool OptionalBool(JsonObject args, string name) => args[name]?.GetValue<bool>() ?? false;

    private static List<long> IdList(JsonObject args, string name)
    {
        if (args[name] is not JsonArray array)
        {
            return [];
        }

        var ids = new List<long>();
        foreach (var node in array)
        {
            if (!ColumnValues.TryGetLong(node, out var id))
            {
                throw MondayApiException.InvalidArgument($"{name} must contain numeric IDs, got {node?.ToJsonString() ?? "null"}");
            }

            ids.Add(id);
        }

        return ids;
    }

    private static List<string> StringList(JsonObject args, string name) =>
        args[name] is JsonArray array ? array.Select(n => n?.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : n?.ToJsonString() ?? string.Empty).ToList() : [];

    /// <summary>Reads a JSON-scalar argument: a string holding JSON (monday's documented form) or a JSON value given directly.</summary>
    private static JsonNode? ParseJsonArgument(JsonNode? node, string name, string exceptionCode)
    {
        if (node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            return node.DeepClone();
        }

        try
        {
            return JsonNode.Parse(node.GetValue<string>());
        }
        catch (JsonException)
        {
            throw new MondayApiException(exceptionCode, $"{name} is not valid JSON", new JsonObject { [name] = node.GetValue<string>() });
        }
    }

    private void MarkChanged() => _changed = true;
}
