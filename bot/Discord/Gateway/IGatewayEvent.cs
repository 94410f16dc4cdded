namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>A typed gateway dispatch (op 0) turned into a notification, after MODiX's pattern.</summary>
#pragma warning disable CA1040 // A marker interface is the point: handlers are selected by event type.
public interface IGatewayEvent
{
}
#pragma warning restore CA1040

/// <summary>A small responder for one kind of gateway event. Several handlers may handle the same event.</summary>
public interface IGatewayEventHandler<in TEvent>
    where TEvent : IGatewayEvent
{
    Task HandleAsync(TEvent gatewayEvent, CancellationToken cancellationToken);
}
