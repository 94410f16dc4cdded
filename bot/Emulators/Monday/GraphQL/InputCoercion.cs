using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Monday.GraphQL;

/// <summary>
/// GraphQL input coercion against the monday schema: literal checks for validation, JSON variable coercion,
/// and turning argument literals (with variables substituted) into JSON for resolvers.
/// </summary>
internal sealed class InputCoercion(MondaySchema schema)
{
    /// <summary>Describes why <paramref name="value"/> is not a valid literal of <paramref name="type"/>; null when valid. Variables are not checked here.</summary>
    public string? LiteralProblem(GraphQLValue value, TypeReference type)
    {
        if (value is VariableReference)
        {
            return null;
        }

        if (type is NonNullTypeReference nonNull)
        {
            return value is NullLiteral ? "Expected value to not be null" : LiteralProblem(value, nonNull.InnerType);
        }

        if (value is NullLiteral)
        {
            return null;
        }

        if (type is ListTypeReference list)
        {
            if (value is ListLiteral items)
            {
                return items.Items.Select(item => LiteralProblem(item, list.ItemType)).FirstOrDefault(p => p is not null);
            }

            return LiteralProblem(value, list.ItemType);
        }

        var named = schema.FindType(type.NamedType);
        if (named is null)
        {
            return $"Unknown type {type.NamedType}";
        }

        switch (named.Kind)
        {
            case MondayTypeKind.Enum:
                return value is EnumLiteral e && named.EnumValues.Contains(e.Name) ? null : $"Expected one of {string.Join(", ", named.EnumValues)}";
            case MondayTypeKind.InputObject:
                {
                    if (value is not ObjectLiteral obj)
                    {
                        return $"Expected an input object of type {named.Name}";
                    }

                    foreach (var field in obj.Fields)
                    {
                        if (!named.InputFields.TryGetValue(field.Name, out var definition))
                        {
                            return $"Field '{field.Name}' is not defined on {named.Name}";
                        }

                        var problem = LiteralProblem(field.Value, definition.Type);
                        if (problem is not null)
                        {
                            return problem;
                        }
                    }

                    var missing = named.InputFields.Values.FirstOrDefault(f => f.IsRequired && obj.Fields.All(o => o.Name != f.Name));
                    return missing is null ? null : $"Missing required field '{missing.Name}' on {named.Name}";
                }

            case MondayTypeKind.Scalar:
                return ScalarLiteralProblem(value, named.Name);
            default:
                return $"{named.Name} is not an input type";
        }
    }

    private static string? ScalarLiteralProblem(GraphQLValue value, string scalar) => scalar switch
    {
        "Int" => value is IntLiteral i && int.TryParse(i.Raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : "Expected an Int",
        "Float" => value is IntLiteral or FloatLiteral ? null : "Expected a Float",
        "String" => value is StringLiteral ? null : "Expected a String",
        "Boolean" => value is BooleanLiteral ? null : "Expected a Boolean",
        "ID" => value is StringLiteral or IntLiteral ? null : "Expected an ID",
        _ => value is EnumLiteral && scalar != "JSON" && scalar != "CompareValue" ? $"Expected a {scalar}" : null,
    };

    /// <summary>Coerces a JSON variable value to <paramref name="type"/>; returns the problem text on failure.</summary>
    public JsonNode? CoerceVariable(JsonNode? value, TypeReference type, List<string> problems, string path)
    {
        if (type is NonNullTypeReference nonNull)
        {
            if (value is null)
            {
                problems.Add($"{path}: Expected value to not be null");
                return null;
            }

            return CoerceVariable(value, nonNull.InnerType, problems, path);
        }

        if (value is null)
        {
            return null;
        }

        if (type is ListTypeReference list)
        {
            if (value is JsonArray array)
            {
                var result = new JsonArray();
                for (var i = 0; i < array.Count; i++)
                {
                    result.Add(CoerceVariable(array[i], list.ItemType, problems, $"{path}[{i}]"));
                }

                return result;
            }

            return new JsonArray(CoerceVariable(value, list.ItemType, problems, path));
        }

        var named = schema.FindType(type.NamedType);
        switch (named?.Kind)
        {
            case MondayTypeKind.Enum:
                if (value is JsonValue ev && ev.TryGetValue<string>(out var enumName) && named.EnumValues.Contains(enumName))
                {
                    return JsonValue.Create(enumName);
                }

                problems.Add($"{path}: Expected \"{value.ToJsonString()}\" to be one of: {string.Join(", ", named.EnumValues)}");
                return null;
            case MondayTypeKind.InputObject:
                {
                    if (value is not JsonObject obj)
                    {
                        problems.Add($"{path}: Expected value to be an object of type {named.Name}");
                        return null;
                    }

                    var result = new JsonObject();
                    foreach (var (key, fieldValue) in obj)
                    {
                        if (!named.InputFields.TryGetValue(key, out var definition))
                        {
                            problems.Add($"{path}.{key}: Field is not defined on {named.Name}");
                            continue;
                        }

                        result[key] = CoerceVariable(fieldValue, definition.Type, problems, $"{path}.{key}");
                    }

                    foreach (var definition in named.InputFields.Values.Where(f => !obj.ContainsKey(f.Name)))
                    {
                        if (definition.DefaultValue is not null)
                        {
                            result[definition.Name] = CoerceLiteral(definition.DefaultValue, definition.Type, null);
                        }
                        else if (definition.Type is NonNullTypeReference)
                        {
                            problems.Add($"{path}.{definition.Name}: Expected value to not be null");
                        }
                    }

                    return result;
                }

            case MondayTypeKind.Scalar:
                return CoerceScalarVariable(value, named.Name, problems, path);
            default:
                problems.Add($"{path}: {type.NamedType} is not an input type");
                return null;
        }
    }

    private static JsonNode? CoerceScalarVariable(JsonNode value, string scalar, List<string> problems, string path)
    {
        var kind = value.GetValueKind();
        switch (scalar)
        {
            case "Int":
                if (kind == JsonValueKind.Number && value.AsValue().TryGetValue<int>(out var i))
                {
                    return JsonValue.Create(i);
                }

                if (kind == JsonValueKind.Number && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
                {
                    return JsonValue.Create((int)d);
                }

                break;
            case "Float":
                if (kind == JsonValueKind.Number)
                {
                    return JsonValue.Create(value.GetValue<double>());
                }

                break;
            case "String":
                if (kind == JsonValueKind.String)
                {
                    return value.DeepClone();
                }

                break;
            case "Boolean":
                if (kind is JsonValueKind.True or JsonValueKind.False)
                {
                    return value.DeepClone();
                }

                break;
            case "ID":
                if (kind == JsonValueKind.String)
                {
                    return value.DeepClone();
                }

                if (kind == JsonValueKind.Number && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
                {
                    return JsonValue.Create(id.ToString(CultureInfo.InvariantCulture));
                }

                break;
            default:
                return value.DeepClone();
        }

        problems.Add($"{path}: Could not coerce value {value.ToJsonString()} to {scalar}");
        return null;
    }

    /// <summary>
    /// Converts a (validated) literal to JSON, substituting variables from <paramref name="variables"/>. A variable that was not
    /// supplied yields <see cref="Absent"/> so callers can apply argument defaults.
    /// </summary>
    public JsonNode? CoerceLiteral(GraphQLValue value, TypeReference type, JsonObject? variables)
    {
        if (value is VariableReference variable)
        {
            return variables is not null && variables.TryGetPropertyValue(variable.Name, out var supplied) ? supplied?.DeepClone() : null;
        }

        var inner = type is NonNullTypeReference nn ? nn.InnerType : type;
        if (value is NullLiteral)
        {
            return null;
        }

        if (inner is ListTypeReference list)
        {
            return value is ListLiteral items
                ? new JsonArray(items.Items.Select(item => CoerceLiteral(item, list.ItemType, variables)).ToArray())
                : new JsonArray(CoerceLiteral(value, list.ItemType, variables));
        }

        var named = schema.FindType(inner.NamedType);
        if (named?.Kind == MondayTypeKind.InputObject && value is ObjectLiteral obj)
        {
            var result = new JsonObject();
            foreach (var field in obj.Fields)
            {
                if (named.InputFields.TryGetValue(field.Name, out var definition))
                {
                    if (field.Value is VariableReference v && (variables is null || !variables.ContainsKey(v.Name)))
                    {
                        if (definition.DefaultValue is not null)
                        {
                            result[field.Name] = CoerceLiteral(definition.DefaultValue, definition.Type, null);
                        }

                        continue;
                    }

                    result[field.Name] = CoerceLiteral(field.Value, definition.Type, variables);
                }
            }

            foreach (var definition in named.InputFields.Values.Where(f => f.DefaultValue is not null && !result.ContainsKey(f.Name)))
            {
                result[definition.Name] = CoerceLiteral(definition.DefaultValue!, definition.Type, null);
            }

            return result;
        }

        return value switch
        {
            IntLiteral i when named?.Name is "ID" => JsonValue.Create(i.Raw),
            IntLiteral i when named?.Name is "Float" => JsonValue.Create(double.Parse(i.Raw, CultureInfo.InvariantCulture)),
            IntLiteral i => long.TryParse(i.Raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? JsonValue.Create(l) : JsonValue.Create(double.Parse(i.Raw, CultureInfo.InvariantCulture)),
            FloatLiteral f => JsonValue.Create(double.Parse(f.Raw, CultureInfo.InvariantCulture)),
            StringLiteral s => JsonValue.Create(s.Value),
            BooleanLiteral b => JsonValue.Create(b.Value),
            EnumLiteral e => JsonValue.Create(e.Name),
            ListLiteral items => new JsonArray(items.Items.Select(item => CoerceLiteral(item, new NamedTypeReference(inner.NamedType), variables)).ToArray()),
            ObjectLiteral o => new JsonObject(o.Fields.Select(f => KeyValuePair.Create(f.Name, CoerceLiteral(f.Value, new NamedTypeReference("JSON"), variables)))),
            _ => null,
        };
    }
}
