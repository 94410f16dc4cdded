using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace DiscordLedgerBot.Emulators.Discord.OpenApi;

/// <summary>
/// Checks Discord traffic against Discord's official OpenAPI 3.1 document with JsonSchema.Net (JSON Schema 2020-12):
/// request bodies against an operation's request schema, response bodies against the schema of the status code
/// answered, and gateway dispatches against <c>gateway-dispatches.schema.json</c> (written from the gateway facts; it
/// refers into the spec's component schemas, since the spec covers HTTP only).
/// </summary>
public sealed class DiscordOpenApiValidator
{
    /// <summary>Where the spec is registered; <c>$ref</c>s into it use this base.</summary>
    public static readonly Uri SpecUri = new("https://discord.com/api/v10/openapi.json");

    /// <summary>
    /// The spec as applied to request bodies. Discord's spec types several decimal-string fields as integers (e.g.
    /// <c>default_member_permissions</c>) and its README says the API accepts integer-parseable strings there, so in
    /// this copy every integer type also admits a string of decimal digits (ranges are then not checked).
    /// </summary>
    public static readonly Uri RequestSpecUri = new("https://discord.com/api/v10/openapi.requests.json");

    public static readonly Uri GatewaySchemaUri = new("https://discord-ledger-bot.invalid/schemas/gateway-dispatches.json");

    private const string ApiPrefix = "/api/v10";

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true };

    private readonly JsonElement _spec;
    private readonly JsonElement _gateway;
    private readonly BuildOptions _build;
    private readonly List<PathTemplate> _templates;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly Lock _buildGate = new();

    private DiscordOpenApiValidator(JsonElement spec, JsonElement requestSpec, JsonElement gateway)
    {
        _spec = spec;
        _gateway = gateway;
        _build = CreateBuildOptions();
        _build.SchemaRegistry.Register(SpecUri, new JsonElementBaseDocument(spec, SpecUri));
        _build.SchemaRegistry.Register(RequestSpecUri, new JsonElementBaseDocument(requestSpec, RequestSpecUri));
        _build.SchemaRegistry.Register(GatewaySchemaUri, new JsonElementBaseDocument(gateway, GatewaySchemaUri));
        _templates = [.. spec.GetProperty("paths").EnumerateObject().Select(path => new PathTemplate(path.Name, path.Value))];
    }

    /// <summary>The gateway dispatches <see cref="ValidateDispatch"/> has a schema for.</summary>
    public IReadOnlyCollection<string> KnownDispatches =>
        [.. _gateway.GetProperty("$defs").EnumerateObject().Select(definition => definition.Name).Where(name => name.ToUpperInvariant() == name)];

    /// <summary>
    /// JSON Schema 2020-12 where unknown keywords are an error (a newer spec cannot silently weaken validation) and the
    /// spec's one extension keyword, <c>x-discord-union</c>, is an annotation. Formats are asserted.
    /// </summary>
    public static BuildOptions CreateBuildOptions() => new()
    {
        SchemaRegistry = new SchemaRegistry(),
        Dialect = Dialect.Draft202012.With([new AnnotationOnlyKeyword("x-discord-union")], allowUnknownKeywords: false),
    };

    /// <summary>Reads the spec and builds every schema in it once, so an unsupported keyword fails here, not mid-test.</summary>
    /// <exception cref="JsonSchemaException">The spec uses a keyword JSON Schema 2020-12 does not define.</exception>
    public static DiscordOpenApiValidator Load(string openApiPath)
    {
        var spec = JsonNode.Parse(File.ReadAllText(openApiPath))!;
        ApplyDocumentedCorrections(spec);
        var requestSpec = spec.DeepClone();
        AdmitIntegerStrings(requestSpec);
        using var gatewayStream = Assembly.GetExecutingAssembly().GetManifestResourceStream("discord.gateway-dispatches.schema.json")
            ?? throw new InvalidOperationException("The gateway dispatch schema is not embedded.");

        // The documents are never disposed on purpose: their elements back every schema for the validator's lifetime.
        var validator = new DiscordOpenApiValidator(
            JsonSerializer.SerializeToElement(spec),
            JsonSerializer.SerializeToElement(requestSpec),
            JsonDocument.Parse(gatewayStream).RootElement);
        foreach (var name in validator._spec.GetProperty("components").GetProperty("schemas").EnumerateObject().Select(schema => schema.Name))
        {
            validator.SchemaAt(SpecUri, ["components", "schemas", name]);
        }

        foreach (var dispatch in validator.KnownDispatches)
        {
            validator.SchemaAt(GatewaySchemaUri, ["$defs", dispatch]);
        }

        return validator;
    }

    /// <summary>The spec's path template and operationId that a concrete request maps to, or null when none does.</summary>
    public (string Template, string? OperationId)? FindOperation(HttpMethod method, string concretePath)
    {
        var match = Match(method, concretePath);
        return match is null ? null : (match.Value.Template.Template, match.Value.Operation.TryGetProperty("operationId", out var id) ? id.GetString() : null);
    }

    /// <summary>
    /// Request body violations (empty when Discord would accept it). A request to an unknown path/method, a body where
    /// the operation takes none, or a missing body where one is required, are violations too.
    /// </summary>
    public IReadOnlyList<string> Validate(HttpMethod method, string concretePath, JsonNode? body)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(concretePath);
        if (Match(method, concretePath) is not { } match)
        {
            return [$"{method} {concretePath}: no operation in Discord's OpenAPI spec matches"];
        }

        var (template, operation, methodName) = match;

        var label = $"{method} {template.Template}";
        if (!operation.TryGetProperty("requestBody", out var requestBody) || !requestBody.GetProperty("content").TryGetProperty("application/json", out _))
        {
            return body is null ? [] : [$"{label}: the operation takes no JSON body"];
        }

        if (body is null)
        {
            return requestBody.TryGetProperty("required", out var flag) && flag.ValueKind == JsonValueKind.True ? [$"{label}: a JSON body is required"] : [];
        }

        var schema = SchemaAt(RequestSpecUri, ["paths", template.Template, methodName, "requestBody", "content", "application/json", "schema"]);
        return Evaluate(schema, body, label);
    }

    /// <summary>
    /// Response violations: the status must be one the operation documents (<c>4XX</c> covers client errors), and the
    /// body must match that response's schema; a status documented without content must come without a body.
    /// </summary>
    public IReadOnlyList<string> ValidateResponse(HttpMethod method, string concretePath, int statusCode, JsonNode? body)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(concretePath);
        if (Match(method, concretePath) is not { } match)
        {
            return [$"{method} {concretePath}: no operation in Discord's OpenAPI spec matches"];
        }

        var (template, operation, methodName) = match;

        var label = $"{method} {template.Template} → {statusCode}";
        var responses = operation.GetProperty("responses");
        var key = new[] { statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{statusCode / 100}XX" }
            .FirstOrDefault(candidate => responses.TryGetProperty(candidate, out _));
        if (key is null)
        {
            return [$"{label}: the operation documents no such status"];
        }

        string[] location = ["paths", template.Template, methodName, "responses", key];
        var response = responses.GetProperty(key);
        if (response.TryGetProperty("$ref", out var reference))
        {
            location = [.. reference.GetString()!.TrimStart('#', '/').Split('/')];
            response = _spec;
            foreach (var segment in location)
            {
                response = response.GetProperty(segment);
            }
        }

        if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/json", out _))
        {
            return body is null ? [] : [$"{label}: the response has no body in the spec"];
        }

        if (body is null)
        {
            return [$"{label}: a JSON body is required"];
        }

        return Evaluate(SchemaAt(SpecUri, [.. location, "content", "application/json", "schema"]), body, label);
    }

    /// <summary>Validates <paramref name="instance"/> against <c>#/components/schemas/{schemaName}</c> of the spec.</summary>
    public IReadOnlyList<string> ValidateSchema(string schemaName, JsonNode? instance) =>
        Evaluate(SchemaAt(SpecUri, ["components", "schemas", schemaName]), instance, schemaName);

    /// <summary>Validates the <c>d</c> of a dispatch; an event without a schema is itself a violation.</summary>
    public IReadOnlyList<string> ValidateDispatch(string eventName, JsonNode? data)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        return _gateway.GetProperty("$defs").TryGetProperty(eventName, out _)
            ? Evaluate(SchemaAt(GatewaySchemaUri, ["$defs", eventName]), data, "dispatch " + eventName)
            : [$"dispatch {eventName}: no schema for this event"];
    }

    /// <summary>Every violation of <paramref name="schema"/>, as "label: /instance/path: keyword: message".</summary>
    public static IReadOnlyList<string> Evaluate(JsonSchema schema, JsonNode? instance, string label)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var results = schema.Evaluate(JsonSerializer.SerializeToElement(instance), Evaluation);
        var violations = new List<string>();
        Collect(results, label, violations);
        return violations;
    }

    // Only failing nodes are walked: a oneOf that matched reports its non-matching alternatives as failed children.
    private static void Collect(EvaluationResults node, string label, List<string> violations)
    {
        if (node.IsValid)
        {
            return;
        }

        foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
        {
            violations.Add($"{label}: {(node.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {keyword}: {message}");
        }

        foreach (var child in node.Details ?? [])
        {
            Collect(child, label, violations);
        }
    }

    /// <summary>
    /// Where the spec contradicts Discord's developer docs, the docs win (the spec's own README says so). The one such
    /// place our traffic reaches: field errors inside a 50035 <c>errors</c> tree carry string codes
    /// (<c>{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}</c> in the docs' Error Messages section),
    /// while the spec reuses its top-level Error schema with an integer code there.
    /// </summary>
    private static void ApplyDocumentedCorrections(JsonNode spec)
    {
        var innerErrors = spec["components"]!["schemas"]!["InnerErrors"]!["properties"]!["_errors"]!;
        innerErrors["items"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["code"] = new JsonObject { ["type"] = "string" }, ["message"] = new JsonObject { ["type"] = "string" } },
            ["required"] = new JsonArray("code", "message"),
        };
    }

    private static void AdmitIntegerStrings(JsonNode node)
    {
        switch (node)
        {
            case JsonObject schema:
                if (schema["type"] is JsonValue { } single && single.TryGetValue<string>(out var name) && name == "integer")
                {
                    schema["type"] = new JsonArray("integer", "string");
                    schema["pattern"] ??= "^-?[0-9]+$";
                }
                else if (schema["type"] is JsonArray types && types.Any(type => type?.GetValue<string>() == "integer"))
                {
                    types.Add("string");
                    schema["pattern"] ??= "^-?[0-9]+$";
                }

                foreach (var (_, child) in schema.ToList())
                {
                    if (child is not null)
                    {
                        AdmitIntegerStrings(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    if (child is not null)
                    {
                        AdmitIntegerStrings(child);
                    }
                }

                break;
        }
    }

    private JsonSchema SchemaAt(Uri document, string[] pointer)
    {
        var fragment = string.Concat(pointer.Select(segment => "/" + Uri.EscapeDataString(segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));
        var reference = document + "#" + fragment;
        if (_schemas.TryGetValue(reference, out var cached))
        {
            return cached;
        }

        // Building registers into the shared registry, which is not safe to do concurrently.
        lock (_buildGate)
        {
            return _schemas.GetOrAdd(reference, _ => JsonSchema.Build(JsonSerializer.SerializeToElement(new JsonObject { ["$ref"] = reference }), _build));
        }
    }

    private (PathTemplate Template, JsonElement Operation, string Method)? Match(HttpMethod method, string concretePath)
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
            .Select(template => ((PathTemplate, JsonElement, string)?)(template, template.Operations.GetProperty(methodName), methodName))
            .FirstOrDefault();
    }

    /// <summary>A keyword that asserts nothing (OpenAPI extensions such as <c>x-discord-union</c>).</summary>
    private sealed class AnnotationOnlyKeyword(string name) : IKeywordHandler
    {
        public string Name => name;

        public object? ValidateKeywordValue(JsonElement value) => null;

        public void BuildSubschemas(KeywordData keyword, BuildContext context)
        {
        }

        public KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context) => KeywordEvaluation.Ignore;
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
