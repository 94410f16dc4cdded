using System.Text.Json;

namespace DiscordLedgerBot.Core.Monday;

/// <summary>What the root <c>complexity { before after query reset_in_x_seconds }</c> field reported.</summary>
public sealed record ComplexityReading(long Before, long After, long Query, int ResetInSeconds);

/// <summary>A parsed monday answer: data, classified errors, complexity reading and replay flag.</summary>
public sealed class MondayResponse
{
    private MondayResponse(int statusCode, JsonElement? data, IReadOnlyList<MondayError> errors, ComplexityReading? complexity, bool replayed, string? requestId)
    {
        StatusCode = statusCode;
        Data = data;
        Errors = errors;
        Complexity = complexity;
        Replayed = replayed;
        RequestId = requestId;
    }

    public int StatusCode { get; }

    /// <summary>The <c>data</c> object, null when monday returned none.</summary>
    public JsonElement? Data { get; }

    public IReadOnlyList<MondayError> Errors { get; }

    public ComplexityReading? Complexity { get; }

    /// <summary>monday answered from its idempotency cache (<c>Idempotency-Replayed: true</c>).</summary>
    public bool Replayed { get; }

    public string? RequestId { get; }

    /// <summary>Errors that concern the whole request rather than one aliased field.</summary>
    public IEnumerable<MondayError> RequestErrors =>
        Data is null ? Errors : Errors.Where(e => e.Alias is null);

    public bool IsRequestFailure => StatusCode is < 200 or >= 300 || RequestErrors.Any();

    /// <summary>The field <paramref name="alias"/> of <c>data</c>, when present and not null.</summary>
    public JsonElement? Field(string alias) =>
        Data is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty(alias, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public IEnumerable<MondayError> ErrorsFor(string alias) => Errors.Where(e => e.Alias == alias);

    public static MondayResponse Parse(MondayRawResponse raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var replayed = string.Equals(raw.Header("Idempotency-Replayed"), "true", StringComparison.OrdinalIgnoreCase);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(raw.Body);
        }
        catch (JsonException)
        {
            // A proxy's HTML page or a truncated body: classify by HTTP status alone.
            var kind = MondayErrorClassifier.Classify(null, null, raw.StatusCode == 200 ? 502 : raw.StatusCode);
            return new MondayResponse(raw.StatusCode, null, [new MondayError($"HTTP {raw.StatusCode} with a body that is not JSON", null, [], null, kind)], null, replayed, null);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new MondayResponse(raw.StatusCode, null, [new MondayError("Response body is not a JSON object", null, [], null, MondayErrorKind.Transient)], null, replayed, null);
            }

            JsonElement? data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d.Clone() : null;
            var errors = ParseErrors(root, raw.StatusCode);
            ComplexityReading? complexity = null;
            if (data is { } dataElement && dataElement.TryGetProperty("complexity", out var c) && c.ValueKind == JsonValueKind.Object)
            {
                complexity = new ComplexityReading(
                    ReadLong(c, "before"), ReadLong(c, "after"), ReadLong(c, "query"), (int)ReadLong(c, "reset_in_x_seconds"));
            }

            string? requestId = root.TryGetProperty("extensions", out var ext) && ext.ValueKind == JsonValueKind.Object
                && ext.TryGetProperty("request_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            if (errors.Count == 0 && raw.StatusCode is < 200 or >= 300)
            {
                errors = [new MondayError($"HTTP {raw.StatusCode}", null, [], null, MondayErrorClassifier.Classify(null, null, raw.StatusCode))];
            }

            return new MondayResponse(raw.StatusCode, data, errors, complexity, replayed, requestId);
        }
    }

    private static List<MondayError> ParseErrors(JsonElement root, int status)
    {
        var errors = new List<MondayError>();
        if (root.TryGetProperty("errors", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var error in array.EnumerateArray())
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    // Legacy shape: errors[] of strings next to a top-level error_code.
                    var legacyCode = root.TryGetProperty("error_code", out var lc) && lc.ValueKind == JsonValueKind.String ? lc.GetString() : null;
                    errors.Add(new MondayError(error.GetString() ?? string.Empty, legacyCode, [], null,
                        MondayErrorClassifier.Classify(legacyCode, error.GetString(), status)));
                    continue;
                }

                if (error.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? string.Empty : string.Empty;
                string? code = null;
                TimeSpan? retryIn = null;
                if (error.TryGetProperty("extensions", out var extensions) && extensions.ValueKind == JsonValueKind.Object)
                {
                    code = extensions.TryGetProperty("code", out var cd) && cd.ValueKind == JsonValueKind.String ? cd.GetString() : null;
                    retryIn = ReadSeconds(extensions, "retry_in_seconds");
                    if (retryIn is null && extensions.TryGetProperty("error_data", out var errorData) && errorData.ValueKind == JsonValueKind.Object)
                    {
                        retryIn = ReadSeconds(errorData, "retry_in_seconds");
                    }
                }

                var path = new List<string>();
                if (error.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.Array)
                {
                    path.AddRange(p.EnumerateArray().Select(segment => segment.ToString()));
                }

                errors.Add(new MondayError(message, code, path, retryIn, MondayErrorClassifier.Classify(code, message, status)));
            }
        }
        else if (root.TryGetProperty("error_code", out var legacy) && legacy.ValueKind == JsonValueKind.String)
        {
            var message = root.TryGetProperty("error_message", out var em) && em.ValueKind == JsonValueKind.String ? em.GetString() ?? string.Empty : string.Empty;
            errors.Add(new MondayError(message, legacy.GetString(), [], null, MondayErrorClassifier.Classify(legacy.GetString(), message, status)));
        }

        return errors;
    }

    private static TimeSpan? ReadSeconds(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static long ReadLong(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : 0;
}
