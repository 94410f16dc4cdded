using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord.Interactions;

/// <summary>Where the initial response goes: the REST callback route (gateway delivery) or the HTTP reply (HTTP delivery).</summary>
public interface IInteractionCallbackSink
{
    Task SendAsync(Interaction interaction, InteractionCallback callback, CancellationToken cancellationToken);
}

/// <summary>How one interaction was answered.</summary>
/// <param name="AckLatency">Receipt to initial response handed over; null when no response was possible.</param>
/// <param name="Deferred">True when the handler was slower than the threshold and an automatic deferral was sent.</param>
public sealed record InteractionDispatchResult(TimeSpan? AckLatency, bool Deferred);

/// <summary>
/// Answers interactions: routes each to its handler, sends the initial response within Discord's 3 seconds (deferring
/// automatically when the handler is slower than <see cref="DiscordInteractionsOptions.InteractionDeferAfter"/>, then
/// delivering its result as an edit or follow-up), and turns handler failures into ephemeral error replies that say
/// what was wrong without internals. It is the gateway's <c>INTERACTION_CREATE</c> responder and is called by the HTTP
/// endpoint (<see cref="InteractionEndpointExtensions.MapDiscordInteractions"/>).
/// </summary>
public sealed partial class InteractionDispatcher : IGatewayEventHandler<InteractionCreated>
{
    /// <summary>Discord's deadline for the initial response.</summary>
    public static readonly TimeSpan InitialResponseDeadline = TimeSpan.FromSeconds(3);

    internal const string UnexpectedFailureMessage = "Sorry, that failed unexpectedly on our side. It has been logged; please try again in a moment.";

    private readonly InteractionRouter _router;
    private readonly InteractionWebhook _webhook;
    private readonly TimeProvider _time;
    private readonly TimeSpan _deferAfter;
    private readonly ILogger<InteractionDispatcher> _logger;
    private readonly RestCallbackSink _restSink;

    public InteractionDispatcher(
        InteractionRouter router,
        IDiscordRest rest,
        TimeProvider time,
        IOptions<DiscordInteractionsOptions> options,
        ILogger<InteractionDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _router = router;
        _time = time;
        _deferAfter = options.Value.InteractionDeferAfter;
        _logger = logger;
        _webhook = new InteractionWebhook(rest, time);
        _restSink = new RestCallbackSink(_webhook);
    }

    /// <summary>Gateway delivery: the initial response is POSTed to the callback route.</summary>
    public async Task HandleAsync(InteractionCreated gatewayEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gatewayEvent);
        Interaction interaction;
        try
        {
            interaction = InteractionParser.Parse(gatewayEvent.Interaction);
        }
        catch (InteractionParseException exception)
        {
            LogUnparseable(_logger, exception);
            return;
        }

        await DispatchAsync(interaction, gatewayEvent.ReceivedAt, cancellationToken);
    }

    /// <summary>Answers one interaction, POSTing the initial response to the callback route (gateway delivery).</summary>
    public Task<InteractionDispatchResult> DispatchAsync(Interaction interaction, long receivedAt, CancellationToken cancellationToken) =>
        DispatchAsync(interaction, receivedAt, _restSink, cancellationToken);

    /// <summary>Answers one interaction; returns once its handler's result has been delivered (or failed to be).</summary>
    public async Task<InteractionDispatchResult> DispatchAsync(
        Interaction interaction,
        long receivedAt,
        IInteractionCallbackSink sink,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        ArgumentNullException.ThrowIfNull(sink);
        if (interaction.Type == InteractionType.Ping)
        {
            return new(await RespondAsync(sink, interaction, InteractionCallback.Pong, receivedAt, cancellationToken), Deferred: false);
        }

        var age = _time.GetElapsedTime(receivedAt);
        if (age >= InitialResponseDeadline)
        {
            LogTooLate(_logger, interaction.Describe(), age.TotalMilliseconds);
            return new(null, Deferred: false);
        }

        var route = _router.Find(interaction);
        if (route is null)
        {
            LogNoRoute(_logger, interaction.Describe());
            var missing = interaction.Type == InteractionType.ApplicationCommandAutocomplete
                ? new InteractionCallback(InteractionCallbackType.ApplicationCommandAutocompleteResult, new AutocompleteResultPayload([]))
                : ErrorCallback($"Nothing here handles {interaction.Describe()} any more. The command or button may be outdated.");
            return new(await RespondAsync(sink, interaction, missing, receivedAt, cancellationToken), Deferred: false);
        }

        var context = new InteractionContext(interaction, receivedAt, _webhook);
        var handlerTask = Task.Run(() => route.Handler(context, cancellationToken), cancellationToken);
        using (var deferralTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var atOnce = route.Options.DeferAtOnce && interaction.Type == InteractionType.ApplicationCommand;
            var remaining = atOnce ? TimeSpan.Zero : _deferAfter - age;
            var deferral = remaining > TimeSpan.Zero ? Task.Delay(remaining, _time, deferralTimer.Token) : Task.CompletedTask;
            await Task.WhenAny(handlerTask, deferral);
            if (handlerTask.IsCompleted)
            {
                await deferralTimer.CancelAsync();
                var outcome = await CompleteAsync(handlerTask, interaction, cancellationToken);
                return new(await RespondAsync(sink, interaction, InitialCallbackFor(interaction, outcome), receivedAt, cancellationToken), Deferred: false);
            }
        }

        var deferredAs = DeferralFor(interaction, route);
        if (!route.Options.DeferAtOnce)
        {
            LogDeferring(_logger, interaction.Describe(), deferredAs.Type);
        }

        var ackLatency = await RespondAsync(sink, interaction, deferredAs, receivedAt, cancellationToken);
        var late = await CompleteAsync(handlerTask, interaction, cancellationToken);
        if (ackLatency is not null)
        {
            await DeliverAfterDeferralAsync(interaction, receivedAt, deferredAs.Type, late, cancellationToken);
        }

        return new(ackLatency, Deferred: true);
    }

    private async Task<InteractionResponse> CompleteAsync(Task<InteractionResponse> handlerTask, Interaction interaction, CancellationToken cancellationToken)
    {
        try
        {
            return await handlerTask ?? throw new InvalidOperationException("The handler returned no response.");
        }
        catch (InteractionInputException exception)
        {
            return new ErrorResponse(exception.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any handler bug becomes a logged error and a polite reply, never a silent "interaction failed".
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogHandlerFailed(_logger, exception, interaction.Describe());
            return new ErrorResponse(UnexpectedFailureMessage);
        }
    }

    private InteractionCallback InitialCallbackFor(Interaction interaction, InteractionResponse response)
    {
        var isComponent = interaction.Type == InteractionType.MessageComponent;
        var fromMessage = isComponent || interaction.MessageId is not null;
        var isAutocomplete = interaction.Type == InteractionType.ApplicationCommandAutocomplete;
        switch (response)
        {
            case InteractionResponse.AutocompleteResponse autocomplete when isAutocomplete:
                return new(InteractionCallbackType.ApplicationCommandAutocompleteResult, new AutocompleteResultPayload(autocomplete.Choices));
            case not null when isAutocomplete:
                // Autocomplete cannot show messages; an empty list is the only safe answer.
                if (response is not ErrorResponse)
                {
                    LogWrongResponse(_logger, interaction.Describe(), response.GetType().Name);
                }

                return new(InteractionCallbackType.ApplicationCommandAutocompleteResult, new AutocompleteResultPayload([]));
            case ErrorResponse error:
                return ErrorCallback(error.UserMessage);
            case InteractionResponse.MessageResponse message:
                return new(InteractionCallbackType.ChannelMessageWithSource, message.Payload);
            case InteractionResponse.UpdateMessageResponse update when fromMessage:
                return new(InteractionCallbackType.UpdateMessage, update.Payload);
            case InteractionResponse.UpdateMessageResponse update:
                return new(InteractionCallbackType.ChannelMessageWithSource, update.Payload);
            case InteractionResponse.AcknowledgeResponse when fromMessage:
                return new(InteractionCallbackType.DeferredUpdateMessage);
            case InteractionResponse.AcknowledgeResponse:
                return new(InteractionCallbackType.ChannelMessageWithSource, MessageBuilder.Text("Done.", ephemeral: true));
            case InteractionResponse.ModalResponse modal when interaction.Type != InteractionType.ModalSubmit:
                return new(InteractionCallbackType.Modal, modal.Payload);
            default:
                LogWrongResponse(_logger, interaction.Describe(), response?.GetType().Name ?? "nothing");
                return ErrorCallback(UnexpectedFailureMessage);
        }
    }

    private static InteractionCallback DeferralFor(Interaction interaction, InteractionRouter.Route route) => interaction.Type switch
    {
        InteractionType.ApplicationCommandAutocomplete =>
            new(InteractionCallbackType.ApplicationCommandAutocompleteResult, new AutocompleteResultPayload([])),
        InteractionType.MessageComponent => new(InteractionCallbackType.DeferredUpdateMessage),
        _ => new(
            InteractionCallbackType.DeferredChannelMessageWithSource,
            route.Options.DeferEphemeral ? new DeferredMessageData(MessageFlags.Ephemeral) : null),
    };

    private async Task DeliverAfterDeferralAsync(
        Interaction interaction,
        long receivedAt,
        InteractionCallbackType deferredAs,
        InteractionResponse response,
        CancellationToken cancellationToken)
    {
        try
        {
            switch (deferredAs, response)
            {
                case (InteractionCallbackType.ApplicationCommandAutocompleteResult, _):
                    LogAutocompleteTooSlow(_logger, interaction.Describe());
                    break;
                case (InteractionCallbackType.DeferredUpdateMessage, ErrorResponse error):
                    await _webhook.FollowUpAsync(interaction, receivedAt, MessageBuilder.Text(error.UserMessage, ephemeral: true), cancellationToken);
                    break;
                case (_, ErrorResponse error):
                    await _webhook.EditOriginalAsync(interaction, receivedAt, MessageBuilder.Text(error.UserMessage), cancellationToken);
                    break;
                case (InteractionCallbackType.DeferredUpdateMessage, InteractionResponse.MessageResponse message):
                    await _webhook.FollowUpAsync(interaction, receivedAt, message.Payload, cancellationToken);
                    break;
                case (_, InteractionResponse.MessageResponse message):
                    await _webhook.EditOriginalAsync(interaction, receivedAt, message.Payload, cancellationToken);
                    break;
                case (_, InteractionResponse.UpdateMessageResponse update):
                    await _webhook.EditOriginalAsync(interaction, receivedAt, update.Payload, cancellationToken);
                    break;
                case (InteractionCallbackType.DeferredUpdateMessage, InteractionResponse.AcknowledgeResponse):
                    break;
                case (_, InteractionResponse.AcknowledgeResponse):
                    await _webhook.EditOriginalAsync(interaction, receivedAt, MessageBuilder.Text("Done."), cancellationToken);
                    break;
                default:
                    // A modal (or autocomplete list) can only be the initial response, which the deferral already used.
                    LogWrongResponse(_logger, interaction.Describe(), response.GetType().Name);
                    await _webhook.EditOriginalAsync(interaction, receivedAt, MessageBuilder.Text(UnexpectedFailureMessage), cancellationToken);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Delivery failures (expired token, Discord errors) are logged; there is no one else to tell.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogDeliveryFailed(_logger, exception, interaction.Describe());
        }
    }

    private async Task<TimeSpan?> RespondAsync(
        IInteractionCallbackSink sink,
        Interaction interaction,
        InteractionCallback callback,
        long receivedAt,
        CancellationToken cancellationToken)
    {
        try
        {
            await sink.SendAsync(interaction, callback, cancellationToken);
            var latency = _time.GetElapsedTime(receivedAt);
            DiscordTelemetry.InteractionAckLatency.Record(latency.TotalMilliseconds, new KeyValuePair<string, object?>("callback", callback.Type.ToString()));
            LogAcknowledged(_logger, interaction.Describe(), callback.Type, latency.TotalMilliseconds);
            return latency;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A rejected callback (e.g. token already used) is logged; the gateway must go on.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogCallbackFailed(_logger, exception, interaction.Describe(), callback.Type);
            return null;
        }
    }

    private static InteractionCallback ErrorCallback(string message) =>
        new(InteractionCallbackType.ChannelMessageWithSource, MessageBuilder.Text(message, ephemeral: true));

    private sealed record ErrorResponse(string UserMessage) : InteractionResponse;

    private sealed record DeferredMessageData([property: System.Text.Json.Serialization.JsonPropertyName("flags")] int Flags);

    private sealed class RestCallbackSink(InteractionWebhook webhook) : IInteractionCallbackSink
    {
        public Task SendAsync(Interaction interaction, InteractionCallback callback, CancellationToken cancellationToken) =>
            webhook.SendCallbackAsync(interaction, callback, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring an INTERACTION_CREATE that could not be parsed")]
    private static partial void LogUnparseable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interaction {Interaction} arrived {AgeMs} ms after receipt, past Discord's 3 s deadline; not answered")]
    private static partial void LogTooLate(ILogger logger, string interaction, double ageMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No handler is mapped for {Interaction}")]
    private static partial void LogNoRoute(ILogger logger, string interaction);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handler for {Interaction} is slow; deferring with callback {CallbackType}")]
    private static partial void LogDeferring(ILogger logger, string interaction, InteractionCallbackType callbackType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Answered {Interaction} with callback {CallbackType} after {LatencyMs} ms")]
    private static partial void LogAcknowledged(ILogger logger, string interaction, InteractionCallbackType callbackType, double latencyMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler for {Interaction} failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string interaction);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler for {Interaction} returned {ResponseKind}, which this interaction cannot take at this point")]
    private static partial void LogWrongResponse(ILogger logger, string interaction, string responseKind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Autocomplete for {Interaction} was too slow; an empty list was sent")]
    private static partial void LogAutocompleteTooSlow(ILogger logger, string interaction);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not deliver the deferred result of {Interaction}")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string interaction);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord refused the initial response {CallbackType} to {Interaction}")]
    private static partial void LogCallbackFailed(ILogger logger, Exception exception, string interaction, InteractionCallbackType callbackType);
}
