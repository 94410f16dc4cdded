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
