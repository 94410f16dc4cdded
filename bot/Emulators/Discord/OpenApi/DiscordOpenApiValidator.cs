using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Discord.OpenApi;

/// <summary>
/// Checks request bodies against Discord's official OpenAPI 3.1 document: the concrete path is matched to the spec's
/// path template, and the body is validated against that operation's <c>application/json</c> request schema.
/// Used by tests and the Discord emulator so that every body we produce is one Discord would accept.
/// </summary>
public sealed class DiscordOpenApiValidator
{
    private const string ApiPrefix = "/api/v10";

    private readonly JsonSchemaSubsetValidator _schemas;
    private readonly List<PathTemplate> _templates;

    // The JsonDocument is never disposed on purpose: its elements back every schema for the validator's lifetime.
    private DiscordOpenApiValidator(JsonDocument document)
    {
        _schemas = new JsonSchemaSubsetValidator(document.RootElement);
        _templates = [.. document.RootElement.GetProperty("paths").EnumerateObject().Select(path => new PathTemplate(path.Name, path.Value))];
    }

    /// <summary>Reads the spec and checks that every schema in it uses only keywords the validator implements.</summary>
    /// <exception cref="NotSupportedException">The spec uses a JSON Schema keyword or format this validator does not enforce.</exception>
    public static DiscordOpenApiValidator Load(string openApiPath)
    {
        using var stream = File.OpenRead(openApiPath);
        var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        foreach (var schema in root.GetProperty("components").GetProperty("schemas").EnumerateObject())
        {
            JsonSchemaSubsetValidator.EnsureSupported(schema.Value, $"#/components/schemas/{schema.Name}");
        }

        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object))
            {
                if (TryGetJsonRequestSchema(operation.Value, out var schema))
                {
                    JsonSchemaSubsetValidator.EnsureSupported(schema, $"{operation.Name.ToUpperInvariant()} {path.Name}");
                }
            }
        }

        return new DiscordOpenApiValidator(document);
    }

    /// <summary>The spec's path template and operationId that a concrete request maps to, or null when none does.</summary>
    public (string Template, string? OperationId)? FindOperation(HttpMethod method, string concretePath)
    {
        var match = Match(method, concretePath);
        return match is null ? null : (match.Value.Template.Template, match.Value.Operation.TryGetProperty("operationId", out var id) ? id.GetString() : null);
    }

    /// <summary>
    /// Returns every violation (empty when the body is acceptable). A request to an unknown path/method, a body where
    /// the operation takes none, or a missing body where one is required, are violations too.
    /// </summary>
    public IReadOnlyList<string> Validate(HttpMethod method, string concretePath, JsonNode? body)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(concretePath);
        var match = Match(method, concretePath);
        if (match is null)
        {
            return [$"{method} {concretePath}: no operation in Discord's OpenAPI spec matches"];
        }

        var (template, operation) = match.Value;
        var label = $"{method} {template.Template}";
        if (!TryGetJsonRequestSchema(operation, out var schema))
        {
            return body is null ? [] : [$"{label}: the operation takes no JSON body"];
        }

        if (body is null)
        {
            var required = operation.GetProperty("requestBody").TryGetProperty("required", out var flag) && flag.ValueKind == JsonValueKind.True;
            return required ? [$"{label}: a JSON body is required"] : [];
        }

        var instance = JsonSerializer.SerializeToElement(body);
        return [.. _schemas.Validate(instance, schema).Select(error => $"{label}: {error}")];
    }

    private (PathTemplate Template, JsonElement Operation)? Match(HttpMethod method, string concretePath)
    {
        var path = concretePath.Split('?', 2)[0];
        if (path.StartsWith(ApiPrefix, StringComparison.Ordinal))
        {
            path = path[ApiPrefix.Length..];
        }

        var segments = path.Trim('/').Split('/');
        var methodName = method.Method.ToLowerInvariant();
        return _templates
            .Where(template => template.Matches(segments) && template.Operations.TryGetProperty(methodName, out _))
            .OrderByDescending(template => template.LiteralCount)
            .Select(template => ((PathTemplate, JsonElement)?)(template, template.Operations.GetProperty(methodName)))
            .FirstOrDefault();
    }

    private static bool TryGetJsonRequestSchema(JsonElement operation, out JsonElement schema)
    {
        schema = default;
        return operation.TryGetProperty("requestBody", out var requestBody)
            && requestBody.TryGetProperty("content", out var content)
            && content.TryGetProperty("application/json", out var json)
            && json.TryGetProperty("schema", out schema);
    }

    private sealed class PathTemplate
    {
        private readonly string[] _segments;

        public PathTemplate(string template, JsonElement operations)
        {
            Template = template;
            Operations = operations;
            _segments = template.Trim('/').Split('/');
            LiteralCount = _segments.Count(segment => !IsParameter(segment));
        }

        public string Template { get; }

        public JsonElement Operations { get; }

        public int LiteralCount { get; }

        public bool Matches(string[] concrete)
        {
            if (concrete.Length != _segments.Length)
            {
                return false;
            }

            for (var i = 0; i < concrete.Length; i++)
            {
                if (concrete[i].Length == 0 || (!IsParameter(_segments[i]) && !string.Equals(_segments[i], concrete[i], StringComparison.Ordinal)))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsParameter(string segment) => segment.StartsWith('{') && segment.EndsWith('}');
    }
}
