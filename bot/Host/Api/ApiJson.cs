using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiscordLedgerBot.Api;

/// <summary>The API's JSON: web defaults (camelCase), unknown body members refused so a typo is a 400, not a silent no-op.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Reads the request body as <typeparamref name="T"/>; on failure the 400 names the field that broke it.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadBodyAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!(request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ApiProblems.BadRequest("body", "Send the body as application/json."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return value is null ? (null, ApiProblems.BadRequest("body", "The body is empty.")) : (value, null);
        }
        catch (JsonException invalid)
        {
            return (null, ApiProblems.BadRequest(FieldOf(invalid), Describe(invalid)));
        }
    }

    private static string FieldOf(JsonException invalid)
    {
        // An unknown member is reported at its parent's path; its name is in the message.
        if (invalid.Message.Contains("could not be mapped", StringComparison.Ordinal)
            && invalid.Message.Split('\'') is { Length: > 2 } parts)
        {
            return parts[1];
        }

        var path = invalid.Path?.TrimStart('$').TrimStart('.');
        return string.IsNullOrEmpty(path) ? "body" : path;
    }

    private static string Describe(JsonException invalid) =>
        invalid.Message.Contains("could not be mapped", StringComparison.Ordinal)
            ? $"Unknown field '{FieldOf(invalid)}'."
            : invalid.Path is { Length: > 1 } path ? $"The value at {path} is not valid: {invalid.Message.Split(" Path:")[0]}" : $"The body is not valid JSON: {invalid.Message.Split(" Path:")[0]}";
}
