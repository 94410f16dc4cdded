using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Outbox;

/// <summary>
/// Turns ledger commands into outbox payloads and back. The record's <see cref="Storage.OutboxRecord.CommandKind"/>
/// (the command's <see cref="LedgerCommand.Operation"/>) is the discriminator; the payload is the command's own JSON
/// (camelCase, enums as wire names), so a record written by one version stays readable by the next as long as a kind's
/// fields only grow.
/// </summary>
public static class OutboxCommandCodec
{
    private static readonly Dictionary<string, Type> TypesByKind = new(StringComparer.Ordinal)
    {
        ["create"] = typeof(CreateLedgerEntry),
        ["status"] = typeof(ChangeLedgerStatus),
        ["details"] = typeof(UpdateLedgerDetails),
        ["comment"] = typeof(CommentOnLedgerEntry),
        ["followup"] = typeof(AddLedgerFollowUp),
        ["escalate"] = typeof(EscalateLedgerEntry),
        ["archive"] = typeof(ArchiveLedgerEntry),
        ["move"] = typeof(MoveLedgerEntry),
    };

    private static readonly JsonSerializerOptions Json = CreateOptions();

    /// <summary>The kinds this codec reads and writes (one per concrete <see cref="LedgerCommand"/>).</summary>
    public static IReadOnlyCollection<string> Kinds => TypesByKind.Keys;

    /// <summary>The payload JSON of <paramref name="command"/>; its kind is <see cref="LedgerCommand.Operation"/>.</summary>
    public static string Serialize(LedgerCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!TypesByKind.TryGetValue(command.Operation, out var type) || type != command.GetType())
        {
            throw new ArgumentException($"Command type {command.GetType().Name} (operation '{command.Operation}') has no outbox encoding.", nameof(command));
        }

        return JsonSerializer.Serialize(command, type, Json);
    }

    /// <summary>
    /// <paramref name="payloadJson"/> carrying the W3C trace context of the surface that recorded it, so the flush that
    /// sends the command much later can link its span to that request's trace. Appended as the last property: the
    /// command itself is unchanged and <see cref="WithoutOrigin"/> gives back the exact original text.
    /// </summary>
    public static string WithOrigin(string payloadJson, ActivityContext origin)
    {
        ArgumentNullException.ThrowIfNull(payloadJson);
        if (origin == default || payloadJson.Length < 2 || payloadJson[^1] != '}' || payloadJson.Contains(OriginProperty, StringComparison.Ordinal))
        {
            return payloadJson;
        }

        var traceParent = $"00-{origin.TraceId.ToHexString()}-{origin.SpanId.ToHexString()}-{(int)origin.TraceFlags:x2}";
        var separator = payloadJson == "{}" ? string.Empty : ",";
        return string.Concat(payloadJson[..^1], separator, OriginProperty, traceParent, "\"}");
    }

    /// <summary>The payload as <see cref="Serialize"/> wrote it, without the trace context <see cref="WithOrigin"/> added.</summary>
    public static string WithoutOrigin(string payloadJson)
    {
        ArgumentNullException.ThrowIfNull(payloadJson);
        var at = payloadJson.LastIndexOf(OriginProperty, StringComparison.Ordinal);
        if (at < 0)
        {
            return payloadJson;
        }

        return string.Concat(payloadJson[..at].TrimEnd(','), "}");
    }

    /// <summary>The trace context <see cref="WithOrigin"/> recorded, if any.</summary>
    public static ActivityContext? OriginOf(string payloadJson)
    {
        ArgumentNullException.ThrowIfNull(payloadJson);
        var at = payloadJson.LastIndexOf(OriginProperty, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var start = at + OriginProperty.Length;
        var end = payloadJson.IndexOf('"', start);
        return end > start && ActivityContext.TryParse(payloadJson[start..end], traceState: null, out var origin) ? origin : null;
    }

    /// <summary>Reads a payload back; throws <see cref="OutboxPayloadException"/> when the kind is unknown or the JSON does not fit it.</summary>
    public static LedgerCommand Deserialize(string kind, string payloadJson)
    {
        ArgumentNullException.ThrowIfNull(payloadJson);
        if (kind is null || !TypesByKind.TryGetValue(kind, out var type))
        {
            throw new OutboxPayloadException($"Unknown command kind '{kind}'; known kinds: {string.Join(", ", TypesByKind.Keys)}.");
        }

        try
        {
            return JsonSerializer.Deserialize(payloadJson, type, Json) as LedgerCommand
                ?? throw new OutboxPayloadException($"The '{kind}' payload is JSON null.");
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException or NotSupportedException)
        {
            throw new OutboxPayloadException($"The '{kind}' payload cannot be read: {exception.Message}", exception);
        }
    }

    // No command has a property of this name; readers skip it like any unknown member.
    private const string OriginProperty = "\"traceParent\":\"";

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OmitOperation } },
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new LedgerKeyJsonConverter());
        options.MakeReadOnly();
        return options;
    }

    // Operation is derived from the type, which the record's kind already names.
    private static void OmitOperation(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object || !typeof(LedgerCommand).IsAssignableFrom(typeInfo.Type))
        {
            return;
        }

        var operation = typeInfo.Properties.FirstOrDefault(p => p.Name == "operation");
        if (operation is not null)
        {
            typeInfo.Properties.Remove(operation);
        }
    }

    private sealed class LedgerKeyJsonConverter : JsonConverter<LedgerKey>
    {
        public override LedgerKey Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new JsonException("A ledger key must be a JSON string.");
            return LedgerKey.TryParse(text, out var key, out var error) ? key : throw new JsonException(error);
        }

        public override void Write(Utf8JsonWriter writer, LedgerKey value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
    }
}

/// <summary>A stored payload that cannot be turned back into a command; the record is dead-lettered, never guessed at.</summary>
public sealed class OutboxPayloadException : Exception
{
    public OutboxPayloadException(string message)
        : base(message)
    {
    }

    public OutboxPayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
