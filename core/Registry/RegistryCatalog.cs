using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>A validated registry catalog: the declared workflows and the tools that serve them.</summary>
public sealed record RegistryCatalog(IReadOnlyList<string> Workflows, IReadOnlyList<ToolDefinition> Tools);

/// <summary>Bad registry input. <see cref="Errors"/> names the tool and field of every problem found, not just the first.</summary>
public sealed class RegistryValidationException : Exception
{
    public RegistryValidationException(IReadOnlyList<string> errors)
        : base(errors.Count == 1 ? errors[0] : $"{errors.Count} registry errors: " + string.Join("; ", errors)) => Errors = errors;

    public RegistryValidationException()
        : this(["Invalid registry input."])
    {
    }

    public RegistryValidationException(string message)
        : this([message])
    {
    }

    public RegistryValidationException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    public IReadOnlyList<string> Errors { get; }
}

/// <summary>Parses and strictly validates the declarative registry JSON and converts tools both ways.</summary>
public static partial class RegistryCatalogParser
{
    public const int MaxTools = 500;

    /// <summary>JSON settings shared by the catalog file, the admin API and the stores: camelCase, unknown fields rejected.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    public static async Task<RegistryCatalog> LoadFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new RegistryValidationException($"Registry catalog file '{path}' does not exist.");
        }

        await using var stream = File.OpenRead(path);
        var document = await DeserializeAsync<RegistryCatalogDocument>(stream, path, cancellationToken);
        return Validate(document);
    }

    public static RegistryCatalog Parse(string json)
    {
        RegistryCatalogDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<RegistryCatalogDocument>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new RegistryValidationException(DescribeJsonError("registry catalog", ex), ex);
        }

        return Validate(document);
    }

    public static RegistryCatalog Validate(RegistryCatalogDocument? document)
    {
        var errors = new List<string>();
        if (document is null)
        {
            throw new RegistryValidationException("The registry catalog is empty.");
        }

        var workflows = ValidateWorkflowVocabulary(document.Workflows, errors);
        var tools = new List<ToolDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (document.Tools is null)
        {
            errors.Add("tools: is required (an array, may be empty).");
        }
        else if (document.Tools.Count > MaxTools)
        {
            errors.Add($"tools: at most {MaxTools} tools are supported, got {document.Tools.Count}.");
        }
        else
        {
            for (var i = 0; i < document.Tools.Count; i++)
            {
                var tool = ToDefinition(document.Tools[i], i, workflows, errors);
                if (tool is null)
                {
                    continue;
                }

                if (!seen.Add(tool.Id))
                {
                    errors.Add($"tool '{tool.Id}': id is declared more than once.");
                    continue;
                }

                tools.Add(tool);
            }
        }

        if (errors.Count > 0)
        {
            throw new RegistryValidationException(errors);
        }

        return new RegistryCatalog(workflows, tools);
    }

    /// <summary>Validates one tool (admin API, onboarding) against the declared workflows.</summary>
    public static ToolDefinition ValidateTool(ToolDocument? document, IReadOnlyCollection<string> declaredWorkflows)
    {
        var errors = new List<string>();
        if (document is null)
        {
            throw new RegistryValidationException("The tool definition is empty.");
        }

        var tool = ToDefinition(document, null, declaredWorkflows, errors);
        if (tool is null || errors.Count > 0)
        {
            throw new RegistryValidationException(errors);
        }

        return tool;
    }

    public static ToolDocument ToDocument(ToolDefinition tool)
    {
        var check = tool.HealthCheck;
        return new ToolDocument
        {
            Id = tool.Id,
            DisplayName = tool.DisplayName,
            Surface = tool.Surface.ToString().ToLowerInvariant(),
            Owner = tool.Owner,
            Lifecycle = tool.Lifecycle.ToString().ToLowerInvariant(),
            Workflows = tool.Workflows,
            Affordances = tool.Affordances,
            Flags = tool.Flags,
            HealthCheck = new HealthCheckDocument
            {
                Kind = check.Kind.ToString().ToLowerInvariant(),
                IntervalSeconds = (int)check.Interval.TotalSeconds,
                TimeoutMs = (int)check.Timeout.TotalMilliseconds,
                Url = check.Kind == HealthCheckKind.Http ? check.Url?.ToString() : null,
                ExpectedStatus = check.Kind == HealthCheckKind.Http ? check.ExpectedStatus : null,
                Host = check.Kind == HealthCheckKind.Tcp ? check.Host : null,
                Port = check.Kind == HealthCheckKind.Tcp ? check.Port : null,
                Executable = check.Kind == HealthCheckKind.Command ? check.Executable : null,
                Arguments = check.Kind == HealthCheckKind.Command ? check.Arguments : null,
                ExpectedExitCode = check.Kind == HealthCheckKind.Command ? check.ExpectedExitCode : null,
                MaxAgeSeconds = check.Kind == HealthCheckKind.Ttl ? (int)check.MaxHeartbeatAge.TotalSeconds : null,
            },
            Damping = new DampingDocument
            {
                SuccessesToPass = tool.Damping.SuccessesToPass,
                FailuresToCritical = tool.Damping.FailuresToCritical,
                WarningLatencyMs = (int)tool.Damping.WarningLatency.TotalMilliseconds,
            },
            FallbackPriority = tool.FallbackPriority,
            Staleness = new StalenessDocument
            {
                StaleAfterSeconds = (int)tool.Staleness.StaleAfter.TotalSeconds,
                PruneAfterSeconds = tool.Staleness.PruneAfter is { } prune ? (int)prune.TotalSeconds : null,
            },
        };
    }

    /// <summary>Reads one tool document (e.g. a filled-in onboarding template) with the strict JSON settings.</summary>
    public static Task<ToolDocument?> DeserializeToolAsync(Stream stream, string what, CancellationToken cancellationToken) =>
        DeserializeAsync<ToolDocument>(stream, what, cancellationToken);

    internal static async Task<T?> DeserializeAsync<T>(Stream stream, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, JsonOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new RegistryValidationException(DescribeJsonError(what, ex), ex);
        }
    }

    /// <summary>Turns a System.Text.Json failure into "where: what" without echoing the payload.</summary>
    public static string DescribeJsonError(string what, JsonException ex)
    {
        var path = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
        var reason = ex.Message.Contains("could not be mapped", StringComparison.Ordinal)
            ? "unknown field"
            : ex.Message.Contains("could not be converted", StringComparison.Ordinal) ? "wrong type" : "malformed JSON";
        return $"{what}: {reason} at {path} (line {(ex.LineNumber ?? 0) + 1}).";
    }

    private static List<string> ValidateWorkflowVocabulary(IReadOnlyList<string>? workflows, List<string> errors)
    {
        var result = new List<string>();
        if (workflows is null || workflows.Count == 0)
        {
            errors.Add("workflows: declare at least one workflow name (e.g. \"code-edit\").");
            return result;
        }

        foreach (var workflow in workflows)
        {
            if (workflow is null || !NamePattern().IsMatch(workflow))
            {
                errors.Add($"workflows: '{workflow}' is not a valid name (lowercase letters, digits and '-', at most 63 characters).");
            }
            else if (result.Contains(workflow, StringComparer.Ordinal))
            {
                errors.Add($"workflows: '{workflow}' is declared more than once.");
            }
            else
            {
                result.Add(workflow);
            }
        }

        return result;
    }

    private static ToolDefinition? ToDefinition(ToolDocument? doc, int? index, IReadOnlyCollection<string> declaredWorkflows, List<string> errors)
    {
        var start = errors.Count;
        if (doc is null)
        {
            errors.Add($"tools[{index}]: is null.");
            return null;
        }

        var label = doc.Id is { Length: > 0 } ? $"tool '{doc.Id}'" : index is null ? "tool" : $"tools[{index}]";
        void Fail(string field, string problem) => errors.Add($"{label}: {field} {problem}");

        if (doc.Id is null || !NamePattern().IsMatch(doc.Id))
        {
            Fail("id", "is required: lowercase letters, digits and '-', at most 63 characters.");
        }

        if (string.IsNullOrWhiteSpace(doc.DisplayName) || doc.DisplayName.Length > 100)
        {
            Fail("displayName", "is required (1-100 characters).");
        }

        var surface = ParseEnum<SurfaceKind>(doc.Surface, "surface", "cursor, mcp, local, other", Fail);
        if (string.IsNullOrWhiteSpace(doc.Owner))
        {
            Fail("owner", "is required (a team or person accountable for the tool).");
        }

        var lifecycle = ParseEnum<ToolLifecycle>(doc.Lifecycle, "lifecycle", "experimental, production, deprecated", Fail);
        var workflows = new List<string>();
        if (doc.Workflows is null || doc.Workflows.Count == 0)
        {
            Fail("workflows", "must list at least one workflow the tool serves.");
        }
        else
        {
            foreach (var workflow in doc.Workflows)
            {
                if (!declaredWorkflows.Contains(workflow))
                {
                    Fail("workflows", $"contains '{workflow}', which is not a declared workflow (declared: {string.Join(", ", declaredWorkflows)}).");
                }
                else if (!workflows.Contains(workflow, StringComparer.Ordinal))
                {
                    workflows.Add(workflow);
                }
            }
        }

        var affordances = new List<string>();
        foreach (var affordance in doc.Affordances ?? [])
        {
            if (affordance is null || !NamePattern().IsMatch(affordance))
            {
                Fail("affordances", $"contains '{affordance}', which is not a valid name (lowercase letters, digits and '-').");
            }
            else if (!affordances.Contains(affordance, StringComparer.Ordinal))
            {
                affordances.Add(affordance);
            }
        }

        var flags = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (name, value) in doc.Flags ?? new Dictionary<string, bool>())
        {
            if (!NamePattern().IsMatch(name))
            {
                Fail("flags", $"contains '{name}', which is not a valid flag name.");
            }
            else
            {
                flags[name] = value;
            }
        }

        var check = ValidateCheck(doc.HealthCheck, Fail);
        var damping = ValidateDamping(doc.Damping, Fail);
        var priority = doc.FallbackPriority ?? 100;
        if (priority is < 0 or > 1000)
        {
            Fail("fallbackPriority", $"must be between 0 and 1000, got {priority}.");
        }

        var staleness = ValidateStaleness(doc.Staleness, check, Fail);
        if (errors.Count > start || surface is null || lifecycle is null || check is null)
        {
            return null;
        }

        return new ToolDefinition
        {
            Id = doc.Id!,
            DisplayName = doc.DisplayName!.Trim(),
            Surface = surface.Value,
            Owner = doc.Owner!.Trim(),
            Lifecycle = lifecycle.Value,
            Workflows = workflows,
            Affordances = affordances,
            Flags = flags,
            HealthCheck = check,
            Damping = damping,
            FallbackPriority = priority,
            Staleness = staleness,
        };
    }

    private static HealthCheckDefinition? ValidateCheck(HealthCheckDocument? doc, Action<string, string> fail)
    {
        if (doc is null)
        {
            fail("healthCheck", "is required.");
            return null;
        }

        var kind = ParseEnum<HealthCheckKind>(doc.Kind, "healthCheck.kind", "http, tcp, command, ttl", fail);
        var interval = doc.IntervalSeconds ?? 30;
        if (interval is < 1 or > 3600)
        {
            fail("healthCheck.intervalSeconds", $"must be between 1 and 3600, got {interval}.");
        }

        var timeout = doc.TimeoutMs ?? 5000;
        if (timeout < 1 || timeout > 60_000 || timeout >= interval * 1000L)
        {
            fail("healthCheck.timeoutMs", $"must be between 1 and 60000 and shorter than the interval ({interval} s), got {timeout}.");
        }

        var definition = new HealthCheckDefinition
        {
            Kind = kind ?? HealthCheckKind.Http,
            Interval = TimeSpan.FromSeconds(interval),
            Timeout = TimeSpan.FromMilliseconds(timeout),
        };
        switch (kind)
        {
            case HealthCheckKind.Http:
                if (!Uri.TryCreate(doc.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    fail("healthCheck.url", $"must be an absolute http(s) URL, got '{doc.Url}'.");
                    return null;
                }

                var status = doc.ExpectedStatus ?? 200;
                if (status is < 100 or > 599)
                {
                    fail("healthCheck.expectedStatus", $"must be an HTTP status code (100-599), got {status}.");
                }

                return definition with { Url = url, ExpectedStatus = status };
            case HealthCheckKind.Tcp:
                if (string.IsNullOrWhiteSpace(doc.Host))
                {
                    fail("healthCheck.host", "is required for a tcp check.");
                }

                if (doc.Port is not (>= 1 and <= 65535))
                {
                    fail("healthCheck.port", $"must be between 1 and 65535 for a tcp check, got {doc.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}.");
                }

                return definition with { Host = doc.Host, Port = doc.Port ?? 0 };
            case HealthCheckKind.Command:
                if (string.IsNullOrWhiteSpace(doc.Executable))
                {
                    fail("healthCheck.executable", "is required for a command check.");
                }

                return definition with { Executable = doc.Executable, Arguments = doc.Arguments ?? [], ExpectedExitCode = doc.ExpectedExitCode ?? 0 };
            case HealthCheckKind.Ttl:
                if (doc.MaxAgeSeconds is not (>= 1 and <= 86_400))
                {
                    fail("healthCheck.maxAgeSeconds", "is required for a ttl check (1-86400 seconds a heartbeat stays valid).");
                }

                return definition with { MaxHeartbeatAge = TimeSpan.FromSeconds(doc.MaxAgeSeconds ?? 0) };
            default:
                return null;
        }
    }

    private static DampingPolicy ValidateDamping(DampingDocument? doc, Action<string, string> fail)
    {
        var policy = new DampingPolicy();
        if (doc is null)
        {
            return policy;
        }

        var successes = doc.SuccessesToPass ?? policy.SuccessesToPass;
        var failures = doc.FailuresToCritical ?? policy.FailuresToCritical;
        var warningMs = doc.WarningLatencyMs ?? (int)policy.WarningLatency.TotalMilliseconds;
        if (successes is < 1 or > 20)
        {
            fail("damping.successesToPass", $"must be between 1 and 20, got {successes}.");
        }

        if (failures is < 1 or > 20)
        {
            fail("damping.failuresToCritical", $"must be between 1 and 20, got {failures}.");
        }

        if (warningMs is < 1 or > 600_000)
        {
            fail("damping.warningLatencyMs", $"must be between 1 and 600000, got {warningMs}.");
        }

        return new DampingPolicy { SuccessesToPass = successes, FailuresToCritical = failures, WarningLatency = TimeSpan.FromMilliseconds(warningMs) };
    }

    private static StalenessPolicy ValidateStaleness(StalenessDocument? doc, HealthCheckDefinition? check, Action<string, string> fail)
    {
        var staleAfter = doc?.StaleAfterSeconds ?? 300;
        var minimum = check is null ? 1 : (int)Math.Max(check.Interval.TotalSeconds, check.MaxHeartbeatAge.TotalSeconds) * 2;
        if (staleAfter < minimum || staleAfter > 604_800)
        {
            fail("staleness.staleAfterSeconds", $"must be at least twice the check interval (or heartbeat max age), i.e. >= {minimum}, and at most 604800; got {staleAfter}.");
        }

        if (doc?.PruneAfterSeconds is { } prune && prune is < 60 or > 2_592_000)
        {
            fail("staleness.pruneAfterSeconds", $"must be between 60 and 2592000 when given, got {prune}.");
        }

        return new StalenessPolicy
        {
            StaleAfter = TimeSpan.FromSeconds(staleAfter),
            PruneAfter = doc?.PruneAfterSeconds is { } p ? TimeSpan.FromSeconds(p) : null,
        };
    }

    private static T? ParseEnum<T>(string? raw, string field, string allowed, Action<string, string> fail)
        where T : struct, Enum
    {
        if (raw is not null && raw.Length > 0 && raw.All(char.IsLower) && Enum.TryParse<T>(raw, ignoreCase: true, out var value))
        {
            return value;
        }

        fail(field, raw is null ? $"is required (one of: {allowed})." : $"'{raw}' is not one of: {allowed}.");
        return null;
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            WriteIndented = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
