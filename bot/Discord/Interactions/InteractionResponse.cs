using System.Text.Json.Serialization;
using DiscordLedgerBot.Discord.Messages;

namespace DiscordLedgerBot.Discord.Interactions;

/// <summary>Interaction callback types (protocol facts section 4).</summary>
public enum InteractionCallbackType
{
    Pong = 1,
    ChannelMessageWithSource = 4,
    DeferredChannelMessageWithSource = 5,
    DeferredUpdateMessage = 6,
    UpdateMessage = 7,
    ApplicationCommandAutocompleteResult = 8,
    Modal = 9,
}

/// <summary>The body of an initial response: POSTed to the callback route, or written as the HTTP endpoint's reply.</summary>
public sealed record InteractionCallback(
    [property: JsonPropertyName("type")] InteractionCallbackType Type,
    [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Data = null)
{
    public static InteractionCallback Pong { get; } = new(InteractionCallbackType.Pong);
}

/// <summary>A choice offered while the user types an autocomplete option; <see cref="Value"/> is a string, long or double.</summary>
public sealed record AutocompleteChoice(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] object Value);

public sealed record AutocompleteResultPayload([property: JsonPropertyName("choices")] IReadOnlyList<AutocompleteChoice> Choices);

/// <summary>What a handler wants shown. The dispatcher turns it into the initial callback, or into an edit/follow-up after an automatic deferral.</summary>
public abstract record InteractionResponse
{
    /// <summary>A new message replying to the interaction (type 4; after deferral, an edit of the deferred reply).</summary>
    public static InteractionResponse Message(MessagePayload message) => new MessageResponse(message ?? throw new ArgumentNullException(nameof(message)));

    /// <summary>Shorthand for a plain-text reply.</summary>
    public static InteractionResponse Text(string content, bool ephemeral = false) => Message(MessageBuilder.Text(content, ephemeral));

    /// <summary>Edits the message whose component was used (type 7; components only).</summary>
    public static InteractionResponse UpdateMessage(MessagePayload message) => new UpdateMessageResponse(message ?? throw new ArgumentNullException(nameof(message)));

    /// <summary>Acknowledges a component without visible change (type 6).</summary>
    public static InteractionResponse Acknowledge() => new AcknowledgeResponse();

    /// <summary>Autocomplete suggestions (type 8); more than 25 are cut to the first 25, names to 100 characters.</summary>
    public static InteractionResponse Autocomplete(IEnumerable<AutocompleteChoice> choices) =>
        new AutocompleteResponse([.. (choices ?? throw new ArgumentNullException(nameof(choices)))
            .Take(DiscordLimits.AutocompleteChoices)
            .Select(choice => choice with
            {
                Name = DiscordText.Truncate(choice.Name, DiscordLimits.ChoiceNameLength),
                Value = choice.Value is string text ? DiscordText.Truncate(text, DiscordLimits.ChoiceStringValueLength) : choice.Value,
            })]);

    /// <summary>Opens a modal (type 9). Must be the initial response, so the handler has to be fast.</summary>
    public static InteractionResponse Modal(ModalPayload modal) => new ModalResponse(modal ?? throw new ArgumentNullException(nameof(modal)));

    internal sealed record MessageResponse(MessagePayload Payload) : InteractionResponse;

    internal sealed record UpdateMessageResponse(MessagePayload Payload) : InteractionResponse;

    internal sealed record AcknowledgeResponse : InteractionResponse;

    internal sealed record AutocompleteResponse(IReadOnlyList<AutocompleteChoice> Choices) : InteractionResponse;

    internal sealed record ModalResponse(ModalPayload Payload) : InteractionResponse;
}

/// <summary>
/// Thrown by handlers when the user's input is wrong. Its message is shown to the user (ephemerally) as is, so it must
/// say what was wrong and how to fix it; any other exception shows a generic apology instead.
/// </summary>
public sealed class InteractionInputException(string userMessage) : Exception(userMessage);

/// <summary>A follow-up or edit was attempted more than 15 minutes after the interaction, when Discord no longer accepts its token.</summary>
public sealed class InteractionTokenExpiredException(string message) : InvalidOperationException(message);
