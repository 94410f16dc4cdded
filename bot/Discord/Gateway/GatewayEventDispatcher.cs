using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>
/// Hands each event to every registered <see cref="IGatewayEventHandler{TEvent}"/> in a fresh DI scope.
/// A failing handler is logged and skipped: it never reaches the gateway loop.
/// </summary>
public sealed partial class GatewayEventDispatcher(IServiceScopeFactory scopeFactory, ILogger<GatewayEventDispatcher> logger)
{
    public Task DispatchAsync(IGatewayEvent gatewayEvent, CancellationToken cancellationToken) => gatewayEvent switch
    {
        InteractionCreated e => InvokeHandlersAsync(e, cancellationToken),
        Ready e => InvokeHandlersAsync(e, cancellationToken),
        Resumed e => InvokeHandlersAsync(e, cancellationToken),
        GuildCreated e => InvokeHandlersAsync(e, cancellationToken),
        VoiceStateUpdated e => InvokeHandlersAsync(e, cancellationToken),
        VoiceServerUpdated e => InvokeHandlersAsync(e, cancellationToken),
        UnknownDispatch e => InvokeHandlersAsync(e, cancellationToken),
        _ => throw new ArgumentException($"No dispatch route for {gatewayEvent.GetType().Name}.", nameof(gatewayEvent)),
    };

    private async Task InvokeHandlersAsync<TEvent>(TEvent gatewayEvent, CancellationToken cancellationToken)
        where TEvent : IGatewayEvent
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        foreach (var handler in scope.ServiceProvider.GetServices<IGatewayEventHandler<TEvent>>())
        {
            try
            {
                await handler.HandleAsync(gatewayEvent, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A responder's bug must not take the gateway down; it is logged with the event type.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogHandlerFailed(logger, exception, handler.GetType().Name, typeof(TEvent).Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Gateway event handler {Handler} failed on {EventType}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string handler, string eventType);
}
