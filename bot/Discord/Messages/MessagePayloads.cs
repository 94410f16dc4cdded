using System.Text.Json.Serialization;

namespace DiscordLedgerBot.Discord.Messages;

/// <summary>
/// A message body for channel messages, interaction responses, follow-ups and edits. Built by
/// <see cref="MessageBuilder"/>, which guarantees Discord's limits; <see cref="AllowedMentions"/> is always present.
/// </summary>
public sealed record MessagePayload
{
    [JsonPropertyName("content")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; init; }

    [JsonPropertyName("embeds")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EmbedPayload>? Embeds { get; init; }

    [JsonPropertyName("components")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ActionRowPayload>? Components { get; init; }

    [JsonPropertyName("allowed_mentions")]
    public required AllowedMentionsPayload AllowedMentions { get; init; }

    [JsonPropertyName("flags")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Flags { get; init; }

    /// <summary>Makes the message a reply (e.g. to the voice message it answers).</summary>
    [JsonPropertyName("message_reference")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MessageReferencePayload? MessageReference { get; init; }

    [JsonIgnore]
    public bool IsEphemeral => Flags is { } flags && (flags & MessageFlags.Ephemeral) != 0;
}

/// <summary>
/// A reply's reference. <see cref="FailIfNotExists"/> false: if the message was deleted meanwhile, the reply is still
/// posted as a plain message rather than refused.
/// </summary>
public sealed record MessageReferencePayload(
    [property: JsonPropertyName("message_id")] string MessageId,
    [property: JsonPropertyName("fail_if_not_exists")] bool FailIfNotExists = false);

/// <summary>Message flag bits we set.</summary>
public static class MessageFlags
{
    public const int SuppressEmbeds = 1 << 2;
    public const int Ephemeral = 1 << 6;
}

/// <summary>Which mentions in the message may ping. <c>parse</c> is always serialized, so "nothing" is explicit.</summary>
public sealed record AllowedMentionsPayload(
    [property: JsonPropertyName("parse")] IReadOnlyList<string> Parse,
    [property: JsonPropertyName("users"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Users = null,
    [property: JsonPropertyName("roles"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Roles = null,
    [property: JsonPropertyName("replied_user"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? RepliedUser = null);

public sealed record EmbedPayload
{
    [JsonPropertyName("title")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Title { get; init; }

    [JsonPropertyName("description")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; init; }

    [JsonPropertyName("url")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; init; }

    [JsonPropertyName("color")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Color { get; init; }

    /// <summary>ISO 8601 (round-trip "o" format).</summary>
    [JsonPropertyName("timestamp")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Timestamp { get; init; }

    [JsonPropertyName("fields")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EmbedFieldPayload>? Fields { get; init; }

    [JsonPropertyName("footer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EmbedFooterPayload? Footer { get; init; }

    [JsonPropertyName("author")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EmbedAuthorPayload? Author { get; init; }

    /// <summary>The characters that count toward the 6000-per-message embed total.</summary>
    [JsonIgnore]
    public int CountedLength =>
        (Title?.Length ?? 0) + (Description?.Length ?? 0) + (Footer?.Text.Length ?? 0) + (Author?.Name.Length ?? 0) +
        (Fields?.Sum(embedField => embedField.Name.Length + embedField.Value.Length) ?? 0);
}

public sealed record EmbedFieldPayload(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("inline")] bool Inline);

public sealed record EmbedFooterPayload([property: JsonPropertyName("text")] string Text);

public sealed record EmbedAuthorPayload(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url = null);

/// <summary>Component type numbers (legacy components).</summary>
public static class ComponentTypes
{
    public const int ActionRow = 1;
    public const int Button = 2;
    public const int StringSelect = 3;
    public const int TextInput = 4;
}

/// <summary>A component inside an action row. Serialized by its runtime type (no discriminator property is added).</summary>
[JsonDerivedType(typeof(ButtonPayload))]
[JsonDerivedType(typeof(StringSelectPayload))]
[JsonDerivedType(typeof(TextInputPayload))]
public abstract record ComponentPayload([property: JsonPropertyName("type")] int Type)
{
    /// <summary>The custom_id this component reports back with, or null (link buttons).</summary>
    [JsonIgnore]
    public abstract string? InteractiveId { get; }
}

public sealed record ActionRowPayload(
    [property: JsonPropertyName("components")] IReadOnlyList<ComponentPayload> Components)
{
    [JsonPropertyName("type")]
    public int Type => ComponentTypes.ActionRow;
}

public enum ButtonStyle
{
    Primary = 1,
    Secondary = 2,
    Success = 3,
    Danger = 4,
    Link = 5,
}

public sealed record ButtonPayload(
    [property: JsonPropertyName("style")] ButtonStyle Style,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("custom_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CustomId,
    [property: JsonPropertyName("url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url,
    [property: JsonPropertyName("disabled")] bool Disabled) : ComponentPayload(ComponentTypes.Button)
{
    [JsonIgnore]
    public override string? InteractiveId => CustomId;
}

public sealed record StringSelectPayload(
    [property: JsonPropertyName("custom_id")] string CustomId,
    [property: JsonPropertyName("options")] IReadOnlyList<SelectOptionPayload> Options,
    [property: JsonPropertyName("placeholder"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Placeholder,
    [property: JsonPropertyName("min_values")] int MinValues,
    [property: JsonPropertyName("max_values")] int MaxValues,
    [property: JsonPropertyName("disabled")] bool Disabled) : ComponentPayload(ComponentTypes.StringSelect)
{
    [JsonIgnore]
    public override string? InteractiveId => CustomId;
}

public sealed record SelectOptionPayload(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonPropertyName("default")] bool Default);

public enum TextInputStyle
{
    Short = 1,
    Paragraph = 2,
}

public sealed record TextInputPayload(
    [property: JsonPropertyName("custom_id")] string CustomId,
    [property: JsonPropertyName("style")] TextInputStyle Style,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("required")] bool Required,
    [property: JsonPropertyName("min_length"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MinLength,
    [property: JsonPropertyName("max_length"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxLength,
    [property: JsonPropertyName("placeholder"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Placeholder,
    [property: JsonPropertyName("value"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Value) : ComponentPayload(ComponentTypes.TextInput)
{
    [JsonIgnore]
    public override string? InteractiveId => CustomId;
}

/// <summary>The data of a MODAL callback (type 9).</summary>
public sealed record ModalPayload(
    [property: JsonPropertyName("custom_id")] string CustomId,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("components")] IReadOnlyList<ActionRowPayload> Components);
