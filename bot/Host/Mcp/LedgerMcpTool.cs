using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Api;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Discord.Rest;
using Json.Schema;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace DiscordLedgerBot.Mcp;

/// <summary>
/// One of <see cref="LedgerMcpTools"/> as the SDK serves it. Arguments are validated against the tool's own closed
/// schema first; every failure (bad argument, missing scope, read-only, rejected command) is a tool result with
/// isError, so the model reads why and the session goes on.
/// </summary>
public sealed partial class LedgerMcpTool : McpServerTool
{
    public const string ScopeClaim = "scope";

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    private readonly McpToolSpec _spec;
    private readonly JsonSchema _schema;

    public LedgerMcpTool(McpToolSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        var inputSchema = LedgerMcpTools.InputSchema(spec);
        _schema = JsonSchema.Build(JsonSerializer.SerializeToElement(inputSchema));
        ProtocolTool = new Tool
        {
            Name = spec.Name,
            Description = spec.Description,
            InputSchema = JsonSerializer.SerializeToElement(inputSchema),
            Annotations = new ToolAnnotations
            {
                ReadOnlyHint = spec.ReadOnly,
                DestructiveHint = spec.Destructive,
                // Every write is keyed by the request id: repeating the same request changes nothing more.
                IdempotentHint = true,
                OpenWorldHint = spec.Name.StartsWith("discord.", StringComparison.Ordinal) || spec.Name.StartsWith("github.", StringComparison.Ordinal) || spec.Name.StartsWith("aws.", StringComparison.Ordinal),
            },
        };
    }

    public override Tool ProtocolTool { get; }

    public override IReadOnlyList<object> Metadata { get; } = [];

    public McpToolSpec Spec => _spec;

    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arguments = new JsonObject();
        foreach (var (name, value) in request.Params?.Arguments ?? new Dictionary<string, JsonElement>())
        {
            arguments[name] = JsonNode.Parse(value.GetRawText());
        }

        var violations = Violations(arguments);
        if (violations.Count > 0)
        {
            return Error($"Invalid arguments for {_spec.Name}: {string.Join("; ", violations)}");
        }

        if (MissingScope(request.User, _spec.Scopes) is { } missing)
        {
            return Error($"{_spec.Name} needs the '{missing}' scope, which this token does not have.");
        }

        var services = request.Services ?? throw new InvalidOperationException("The MCP request has no services.");
        var call = new McpToolCall(arguments, IdempotencyKeyOf(request), services, cancellationToken);
        try
        {
            var result = await _spec.Handler(call);
            var selected = Select(result, call.Strings("fields"));
            return new CallToolResult
            {
                StructuredContent = JsonSerializer.SerializeToElement(selected),
                Content = [new TextContentBlock { Text = selected.ToJsonString() }],
            };
        }
        catch (McpToolArgumentException invalid)
        {
            return Error($"Invalid argument '{invalid.Argument}': {invalid.Message}");
        }
        catch (LedgerReadOnlyException readOnly)
        {
            return Error(readOnly.Message);
        }
        catch (LedgerCommandRejectedException rejected)
        {
            return Error($"Rejected ({LedgerCommandSubmitter.FieldOf(rejected.Rejection)}): {rejected.Rejection.Reason}");
        }
        catch (OutboxIdempotencyConflictException conflict)
        {
            return Error(conflict.Message);
        }
        catch (DiscordRestException discord)
        {
            return Error($"Discord refused the message: {discord.Message}");
        }
        catch (Core.GitHub.GitHubReadoutException github)
        {
            return Error(github.Message);
        }
        catch (Core.Aws.CloudWatchException cloudWatch)
        {
            return Error(cloudWatch.Message);
        }
    }

    /// <summary>
    /// <c>mcp:</c> + the session (when the transport has one) + the JSON-RPC request id: request ids restart at 1 in
    /// every session, so the session keeps two clients' "request 3" apart while a re-sent request keeps its key.
    /// </summary>
    public static string IdempotencyKeyOf(RequestContext<CallToolRequestParams> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = request.Server.SessionId is { Length: > 0 } id ? Sanitize(id) + ":" : ProcessInstance;
        var key = $"{LedgerSource.Mcp.ToWireName()}:{session}{Sanitize(request.JsonRpcRequest.Id.ToString())}";
        return key.Length <= LedgerKey.MaxLength ? key : key[..LedgerKey.MaxLength];
    }

    // A stdio server is one session for its whole life; this keeps two server runs' request ids apart.
    private static readonly string ProcessInstance = Guid.NewGuid().ToString("N")[..12] + ":";

    private static string Sanitize(string text) => new([.. text.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')]);

    /// <summary>The first of <paramref name="scopes"/> an HTTP caller lacks; null when it holds them all or is the stdio operator.</summary>
    public static string? MissingScope(ClaimsPrincipal? user, IReadOnlyList<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        // No authenticated user: the stdio transport, run by the operator on the bot's own configuration.
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        return scopes.FirstOrDefault(scope => !user.HasClaim(ScopeClaim, scope));
    }

    private List<string> Violations(JsonObject arguments)
    {
        var results = _schema.Evaluate(JsonSerializer.SerializeToElement(arguments), Evaluation);
        if (results.IsValid)
        {
            return [];
        }

        return [.. (results.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Keeps the compact fields (or the asked ones; "*" for all), inside each element of an "items" list too.</summary>
    private JsonObject Select(JsonObject result, IReadOnlyList<string> asked)
    {
        if (asked.Contains("*"))
        {
            return result;
        }

        var fields = asked.Count > 0 ? asked : _spec.CompactFields;
        if (result["items"] is JsonArray items && !fields.Contains("items"))
        {
            var projected = new JsonArray([.. items.Select(item => (JsonNode?)Project((JsonObject)item!, fields))]);
            return new JsonObject { ["count"] = result["count"]?.DeepClone(), ["items"] = projected };
        }

        return Project(result, fields);
    }

    private static JsonObject Project(JsonObject source, IReadOnlyList<string> fields) =>
        new(fields.Where(source.ContainsKey).Select(f => KeyValuePair.Create(f, source[f]?.DeepClone())));

    private static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };
}
