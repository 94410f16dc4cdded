using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DiscordLedgerBot.Emulators.Discord.OpenApi;

/// <summary>
/// Validates JSON instances against the subset of JSON Schema (2020-12 as embedded in OpenAPI 3.1) that Discord's
/// published spec uses. JsonSchema.Net is not obtainable here, so this is deliberately small: every keyword the spec
/// contains is either enforced or listed as an annotation, and <see cref="EnsureSupported"/> rejects anything else so a
/// newer spec cannot silently weaken validation.
/// </summary>
public sealed class JsonSchemaSubsetValidator
{
    /// <summary>Keywords that constrain an instance and are enforced here.</summary>
    public static readonly IReadOnlySet<string> AssertionKeywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "$ref", "type", "const", "enum", "format", "pattern",
        "properties", "required", "additionalProperties", "minProperties", "maxProperties",
        "items", "minItems", "maxItems", "uniqueItems",
        "minLength", "maxLength", "minimum", "maximum",
        "oneOf", "anyOf", "allOf",
    };

    /// <summary>
    /// Keywords that carry no assertion. <c>x-discord-union: "oneOf"</c> marks Discord's intent on an <c>anyOf</c>; the
    /// standard <c>anyOf</c> semantics are applied because the alternatives it marks are loose partials that overlap.
    /// </summary>
    public static readonly IReadOnlySet<string> AnnotationKeywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "description", "title", "default", "example", "examples", "deprecated", "readOnly", "writeOnly",
        "contentEncoding", "contentMediaType", "x-discord-union",
    };

    /// <summary>Formats enforced (<c>double</c>, <c>snowflake</c> and <c>nonce</c> add nothing beyond type/pattern/length).</summary>
    public static readonly IReadOnlySet<string> KnownFormats = new HashSet<string>(StringComparer.Ordinal)
    {
        "int32", "int64", "double", "date-time", "uri", "snowflake", "nonce",
    };

    private const string ComponentsPrefix = "#/";

    private readonly JsonElement _document;
    private readonly Dictionary<string, Regex> _patterns = new(StringComparer.Ordinal);

    /// <param name="document">The whole document <c>$ref</c>s resolve against (e.g. the OpenAPI file's root).</param>
    public JsonSchemaSubsetValidator(JsonElement document) => _document = document;

    /// <summary>
    /// Discord's spec types several decimal-string fields as integers (e.g. <c>default_member_permissions</c>) and
    /// the upstream README says the API accepts integer-parseable strings there. When true (the default), a string of
    /// decimal digits satisfies <c>type: integer</c> and its value is checked against minimum/maximum.
    /// </summary>
    public bool AcceptIntegerStrings { get; init; } = true;

    /// <summary>Throws <see cref="NotSupportedException"/> naming every keyword or format this validator does not know.</summary>
    public static void EnsureSupported(JsonElement schemaRoot, string where)
    {
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        CollectUnsupported(schemaRoot, where, problems);
        if (problems.Count > 0)
        {
            throw new NotSupportedException(
                $"The schema uses JSON Schema features this validator does not implement: {string.Join("; ", problems.Take(20))}");
        }
    }

    public IReadOnlyList<string> Validate(JsonElement instance, JsonElement schema)
    {
        var errors = new List<string>();
        ValidateNode(instance, schema, "$", errors);
        return errors;
    }

    private static void CollectUnsupported(JsonElement schema, string where, SortedSet<string> problems)
    {
        if (schema.ValueKind == JsonValueKind.True || schema.ValueKind == JsonValueKind.False)
        {
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{where}: a schema must be an object or boolean");
            return;
        }

        foreach (var property in schema.EnumerateObject())
        {
            var name = property.Name;
            if (!AssertionKeywords.Contains(name) && !AnnotationKeywords.Contains(name))
            {
                problems.Add($"{where}: keyword '{name}'");
                continue;
            }

            switch (name)
            {
                case "properties":
                    foreach (var child in property.Value.EnumerateObject())
                    {
                        CollectUnsupported(child.Value, $"{where}/properties/{child.Name}", problems);
                    }

                    break;
                case "items" or "additionalProperties":
                    CollectUnsupported(property.Value, $"{where}/{name}", problems);
                    break;
                case "oneOf" or "anyOf" or "allOf":
                    var index = 0;
                    foreach (var child in property.Value.EnumerateArray())
                    {
                        CollectUnsupported(child, $"{where}/{name}/{index++}", problems);
                    }

                    break;
                case "format" when !KnownFormats.Contains(property.Value.GetString() ?? string.Empty):
                    problems.Add($"{where}: format '{property.Value.GetString()}'");
                    break;
                case "$ref" when !(property.Value.GetString() ?? string.Empty).StartsWith(ComponentsPrefix, StringComparison.Ordinal):
                    problems.Add($"{where}: non-local $ref '{property.Value.GetString()}'");
                    break;
                default:
                    break;
            }
        }
    }

    private void ValidateNode(JsonElement instance, JsonElement schema, string path, List<string> errors)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: no value is allowed here");
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            ValidateNode(instance, Resolve(reference.GetString()!), path, errors);
        }

        if (schema.TryGetProperty("type", out var type) && !MatchesType(instance, type))
        {
            errors.Add($"{path}: expected {DescribeType(type)} but found {Describe(instance)}");
            return;
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElementEquality.AreEqual(instance, constant))
        {
            errors.Add($"{path}: must equal {constant.GetRawText()}");
        }

        if (schema.TryGetProperty("enum", out var allowed) &&
            !allowed.EnumerateArray().Any(candidate => JsonElementEquality.AreEqual(instance, candidate)))
        {
            errors.Add($"{path}: {instance.GetRawText()} is not one of {allowed.GetRawText()}");
        }

        ValidateCombinators(instance, schema, path, errors);

        switch (instance.ValueKind)
        {
            case JsonValueKind.Object:
                ValidateObject(instance, schema, path, errors);
                break;
            case JsonValueKind.Array:
                ValidateArray(instance, schema, path, errors);
                break;
            case JsonValueKind.String:
                ValidateString(instance, schema, path, errors);
                break;
            case JsonValueKind.Number when instance.TryGetDecimal(out var number):
                ValidateNumber(number, instance.GetRawText(), schema, path, errors);
                break;
            case JsonValueKind.Number:
                errors.Add($"{path}: {instance.GetRawText()} is outside any range Discord accepts");
                break;
            default:
                break;
        }
    }

    private void ValidateCombinators(JsonElement instance, JsonElement schema, string path, List<string> errors)
    {
        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var part in allOf.EnumerateArray())
            {
                ValidateNode(instance, part, path, errors);
            }
        }

        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            var outcomes = anyOf.EnumerateArray().Select(alternative => Validate(instance, alternative, path)).ToList();
            if (!outcomes.Any(result => result.Count == 0))
            {
                errors.Add($"{path}: matches none of the {outcomes.Count} anyOf alternatives; closest: {Closest(outcomes)}");
            }
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var outcomes = oneOf.EnumerateArray().Select(alternative => Validate(instance, alternative, path)).ToList();
            var matches = outcomes.Count(result => result.Count == 0);
            if (matches == 0)
            {
                errors.Add($"{path}: matches none of the {outcomes.Count} oneOf alternatives; closest: {Closest(outcomes)}");
            }
            else if (matches > 1)
            {
                errors.Add($"{path}: matches {matches} oneOf alternatives but must match exactly one");
            }
        }
    }

    private List<string> Validate(JsonElement instance, JsonElement schema, string path)
    {
        var errors = new List<string>();
        ValidateNode(instance, schema, path, errors);
        return errors;
    }

    // A branch rejected only for its type says least about what is wrong, so branches of the right type are shown first.
    private static string Closest(List<List<string>> outcomes) =>
        string.Join(" | ", outcomes
            .OrderBy(result => result.Count == 1 && result[0].Contains(": expected ", StringComparison.Ordinal) ? 1 : 0)
            .ThenBy(result => result.Count)
            .First()
            .Take(3));

    private void ValidateObject(JsonElement instance, JsonElement schema, string path, List<string> errors)
    {
        var count = 0;
        schema.TryGetProperty("properties", out var properties);
        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var member in instance.EnumerateObject())
        {
            count++;
            var memberPath = $"{path}.{member.Name}";
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(member.Name, out var memberSchema))
            {
                ValidateNode(member.Value, memberSchema, memberPath, errors);
            }
            else if (additional.ValueKind == JsonValueKind.False)
            {
                errors.Add($"{memberPath}: property is not allowed");
            }
            else if (additional.ValueKind == JsonValueKind.Object)
            {
                ValidateNode(member.Value, additional, memberPath, errors);
            }
        }

        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray())
            {
                if (!instance.TryGetProperty(name.GetString()!, out _))
                {
                    errors.Add($"{path}: required property '{name.GetString()}' is missing");
                }
            }
        }

        if (schema.TryGetProperty("minProperties", out var min) && count < min.GetInt32())
        {
            errors.Add($"{path}: needs at least {min.GetInt32()} properties (has {count})");
        }

        if (schema.TryGetProperty("maxProperties", out var max) && count > max.GetInt32())
        {
            errors.Add($"{path}: allows at most {max.GetInt32()} properties (has {count})");
        }
    }

    private void ValidateArray(JsonElement instance, JsonElement schema, string path, List<string> errors)
    {
        var length = instance.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var min) && length < min.GetInt32())
        {
            errors.Add($"{path}: needs at least {min.GetInt32()} items (has {length})");
        }

        if (schema.TryGetProperty("maxItems", out var max) && length > max.GetInt32())
        {
            errors.Add($"{path}: allows at most {max.GetInt32()} items (has {length})");
        }

        if (schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in instance.EnumerateArray())
            {
                ValidateNode(item, items, $"{path}[{index++}]", errors);
            }
        }

        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            var seen = instance.EnumerateArray().ToList();
            for (var i = 0; i < seen.Count; i++)
            {
                for (var j = i + 1; j < seen.Count; j++)
                {
                    if (JsonElementEquality.AreEqual(seen[i], seen[j]))
                    {
                        errors.Add($"{path}: items {i} and {j} are equal but items must be unique");
                    }
                }
            }
        }
    }

    private void ValidateString(JsonElement instance, JsonElement schema, string path, List<string> errors)
    {
        var text = instance.GetString()!;
        var length = CountCodePoints(text);
        if (schema.TryGetProperty("minLength", out var min) && length < min.GetInt32())
        {
            errors.Add($"{path}: string shorter than {min.GetInt32()} (was {length})");
        }

        if (schema.TryGetProperty("maxLength", out var max) && length > max.GetInt32())
        {
            errors.Add($"{path}: string longer than {max.GetInt32()} (was {length})");
        }

        if (schema.TryGetProperty("pattern", out var pattern) && !PatternFor(pattern.GetString()!).IsMatch(text))
        {
            errors.Add($"{path}: '{Shorten(text)}' does not match {pattern.GetString()}");
        }

        if (schema.TryGetProperty("format", out var format))
        {
            var ok = format.GetString() switch
            {
                "date-time" => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _),
                "uri" => Uri.TryCreate(text, UriKind.Absolute, out _),
                _ => true,
            };
            if (!ok)
            {
                errors.Add($"{path}: '{Shorten(text)}' is not a valid {format.GetString()}");
            }
        }

        if (IsIntegerString(text) && SchemaAllowsOnlyIntegerNotString(schema) &&
            decimal.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            ValidateNumber(value, text, schema, path, errors);
        }
    }

    private static void ValidateNumber(decimal value, string raw, JsonElement schema, string path, List<string> errors)
    {
        if (schema.TryGetProperty("minimum", out var min) && value < min.GetDecimal())
        {
            errors.Add($"{path}: {raw} is less than the minimum {min.GetRawText()}");
        }

        if (schema.TryGetProperty("maximum", out var max) && value > max.GetDecimal())
        {
            errors.Add($"{path}: {raw} is greater than the maximum {max.GetRawText()}");
        }

        if (schema.TryGetProperty("format", out var format))
        {
            var ok = format.GetString() switch
            {
                "int32" => value is >= int.MinValue and <= int.MaxValue,
                "int64" => value is >= long.MinValue and <= long.MaxValue,
                _ => true,
            };
            if (!ok)
            {
                errors.Add($"{path}: {raw} does not fit {format.GetString()}");
            }
        }
    }

    private bool MatchesType(JsonElement instance, JsonElement type)
    {
        if (type.ValueKind == JsonValueKind.Array)
        {
            return type.EnumerateArray().Any(single => MatchesSingleType(instance, single.GetString()!));
        }

        return MatchesSingleType(instance, type.GetString()!);
    }

    private bool MatchesSingleType(JsonElement instance, string type) => type switch
    {
        "null" => instance.ValueKind == JsonValueKind.Null,
        "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => instance.ValueKind == JsonValueKind.Object,
        "array" => instance.ValueKind == JsonValueKind.Array,
        "string" => instance.ValueKind == JsonValueKind.String,
        "number" => instance.ValueKind == JsonValueKind.Number,
        "integer" => (instance.ValueKind == JsonValueKind.Number && instance.TryGetDecimal(out var value) && decimal.Truncate(value) == value)
            || (AcceptIntegerStrings && instance.ValueKind == JsonValueKind.String && IsIntegerString(instance.GetString()!)),
        _ => throw new NotSupportedException($"Unknown JSON Schema type '{type}'."),
    };

    private static bool SchemaAllowsOnlyIntegerNotString(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return false;
        }

        var names = type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).ToList()
            : [type.GetString()];
        return names.Contains("integer") && !names.Contains("string");
    }

    private static bool IsIntegerString(string text)
    {
        var digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
        return digits.Length is > 0 and <= 28 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    private JsonElement Resolve(string reference)
    {
        var current = _document;
        foreach (var segment in reference[ComponentsPrefix.Length..].Split('/'))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (!current.TryGetProperty(name, out current))
            {
                throw new InvalidOperationException($"$ref '{reference}' does not resolve.");
            }
        }

        return current;
    }

    private Regex PatternFor(string pattern)
    {
        lock (_patterns)
        {
            if (!_patterns.TryGetValue(pattern, out var regex))
            {
                regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                _patterns[pattern] = regex;
            }

            return regex;
        }
    }

    private static int CountCodePoints(string text)
    {
        var count = 0;
        foreach (var unused in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");

    private static string DescribeType(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString())) : type.GetString()!;

    private static string Describe(JsonElement instance) => instance.ValueKind switch
    {
        JsonValueKind.String => $"string \"{Shorten(instance.GetString()!)}\"",
        JsonValueKind.Number => $"number {instance.GetRawText()}",
        _ => instance.ValueKind.ToString().ToLowerInvariant(),
    };
}

/// <summary>JSON Schema equality: numbers by value, objects regardless of member order.</summary>
internal static class JsonElementEquality
{
    public static bool AreEqual(JsonElement left, JsonElement right)
    {
        if (left.ValueKind != right.ValueKind)
        {
            return false;
        }

        switch (left.ValueKind)
        {
            case JsonValueKind.Number:
                return left.GetDecimal() == right.GetDecimal();
            case JsonValueKind.String:
                return string.Equals(left.GetString(), right.GetString(), StringComparison.Ordinal);
            case JsonValueKind.Array:
                return left.GetArrayLength() == right.GetArrayLength() &&
                    left.EnumerateArray().Zip(right.EnumerateArray()).All(pair => AreEqual(pair.First, pair.Second));
            case JsonValueKind.Object:
                var leftMembers = left.EnumerateObject().ToList();
                return leftMembers.Count == right.EnumerateObject().Count() &&
                    leftMembers.All(member => right.TryGetProperty(member.Name, out var other) && AreEqual(member.Value, other));
            default:
                return true;
        }
    }
}
