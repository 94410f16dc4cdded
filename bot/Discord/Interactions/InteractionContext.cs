using System.Text.Json;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;

namespace DiscordLedgerBot.Discord.Interactions;

/// <summary>What a handler gets: the parsed interaction and the follow-up channel bound to its token.</summary>
public sealed class InteractionContext
{
    private readonly InteractionWebhook _webhook;

    internal InteractionContext(Interaction interaction, long receivedAt, InteractionWebhook webhook)
    {
        Interaction = interaction;
        ReceivedAt = receivedAt;
        _webhook = webhook;
    }

    public Interaction Interaction { get; }

    /// <summary>TimeProvider timestamp of receipt; the 3-second and 15-minute deadlines count from here.</summary>
    public long ReceivedAt { get; }

    /// <summary>Posts an additional message (allowed once the initial response was sent). Returns the new message's id.</summary>
    /// <exception cref="InteractionTokenExpiredException">More than 15 minutes have passed.</exception>
    public Task<ulong?> FollowUpAsync(MessagePayload message, CancellationToken cancellationToken) =>
        _webhook.FollowUpAsync(Interaction, ReceivedAt, message, cancellationToken);

    /// <summary>Edits the initial response (or, for a deferred component update, the component's message).</summary>
    /// <exception cref="InteractionTokenExpiredException">More than 15 minutes have passed.</exception>
    public Task EditOriginalAsync(MessagePayload message, CancellationToken cancellationToken) =>
        _webhook.EditOriginalAsync(Interaction, ReceivedAt, message, cancellationToken);
}

/// <summary>The routes that answer an interaction with its token: the initial callback, the @original edit and follow-ups.</summary>
internal sealed class InteractionWebhook(IDiscordRest rest, TimeProvider time)
{
    public const string CallbackRoute = "/interactions/{interaction_id}/{interaction_token}/callback";
    public const string FollowUpRoute = "/webhooks/{webhook_id}/{webhook_token}";
    public const string OriginalRoute = "/webhooks/{webhook_id}/{webhook_token}/messages/@original";

    /// <summary>Discord invalidates the token 15 minutes after the interaction.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(15);

    public Task SendCallbackAsync(Interaction interaction, InteractionCallback callback, CancellationToken cancellationToken) =>
        rest.SendAsync(
            new DiscordRestRequest(
                HttpMethod.Post,
                CallbackRoute,
                new Dictionary<string, string>
                {
                    ["interaction_id"] = Snowflake.ToWire(interaction.Id),
                    ["interaction_token"] = interaction.Token.Value,
                },
                callback,
                Authenticated: false),
            cancellationToken);

    public async Task<ulong?> FollowUpAsync(Interaction interaction, long receivedAt, MessagePayload message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureTokenAlive(interaction, receivedAt, "send a follow-up");
        var created = await rest.SendAsync(
            new DiscordRestRequest(HttpMethod.Post, FollowUpRoute, WebhookValues(interaction), message, Authenticated: false),
            cancellationToken);
        return created is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("id", out var id) && id.GetString() is { } text
            ? Snowflake.Parse(text, "follow-up message id")
            : null;
    }

    public async Task EditOriginalAsync(Interaction interaction, long receivedAt, MessagePayload message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureTokenAlive(interaction, receivedAt, "edit the original response");

        // Visibility is fixed when the response is created; an edit may only touch SUPPRESS_EMBEDS.
        var flags = (message.Flags ?? 0) & ~MessageFlags.Ephemeral;
        await rest.SendAsync(
            new DiscordRestRequest(HttpMethod.Patch, OriginalRoute, WebhookValues(interaction), message with { Flags = flags == 0 ? null : flags }, Authenticated: false),
            cancellationToken);
    }

    private void EnsureTokenAlive(Interaction interaction, long receivedAt, string action)
    {
        var age = time.GetElapsedTime(receivedAt);
        if (age >= TokenLifetime)
        {
            throw new InteractionTokenExpiredException(
                $"Cannot {action} for {interaction.Describe()}: its token expired {TokenLifetime.TotalMinutes:0} minutes after the interaction (age {age.TotalMinutes:0.#} min).");
        }
    }

    private static Dictionary<string, string> WebhookValues(Interaction interaction) => new()
    {
        ["webhook_id"] = Snowflake.ToWire(interaction.ApplicationId),
        ["webhook_token"] = interaction.Token.Value,
    };
}
