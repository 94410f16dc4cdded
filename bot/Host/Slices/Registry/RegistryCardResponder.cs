using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Slices.Ledger;

namespace DiscordLedgerBot.Slices.Registry;

/// <summary>
/// Keeps posted tool cards current: every health, circuit or override change edits the tool's card in place, and a
/// tool going critical or recovering from critical is said once in the card's channel (no mentions, no firehose).
/// </summary>
public sealed partial class RegistryCardResponder(
    IEventBus bus,
    CapabilityRegistry registry,
    CardStore cards,
    IDiscordRest rest,
    ILogger<RegistryCardResponder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = bus.Subscribe<RegistryEvent>("registry-cards");
        try
        {
            await foreach (var registryEvent in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                var toolId = registryEvent switch
                {
                    ToolHealthChanged health => health.ToolId,
                    CircuitStateChanged circuit => circuit.ToolId,
                    OverrideChanged change => change.Override.ToolId,
                    ToolStale stale => stale.ToolId,
                    _ => null,
                };
                if (toolId is null)
                {
                    continue;
                }

                try
                {
                    await RefreshAsync(toolId, registryEvent, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // One card that cannot be edited must not stop the others.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    LogRefreshFailed(logger, exception, toolId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    private async Task RefreshAsync(string toolId, RegistryEvent registryEvent, CancellationToken cancellationToken)
    {
        if (await cards.FindAsync(RegistryModule.CardKey(toolId), cancellationToken) is not { } location || registry.FindTool(toolId) is not { } tool)
        {
            return;
        }

        await rest.SendAsync(
            new DiscordRestRequest(HttpMethod.Patch, CardResponder.ChannelMessageRoute, new Dictionary<string, string> { ["channel_id"] = location.ChannelId, ["message_id"] = location.MessageId }, ToolCard.Message(tool)),
            cancellationToken);
        if (registryEvent is ToolHealthChanged change && (change.Current == HealthStatus.Critical || change.Previous == HealthStatus.Critical))
        {
            var text = change.Current == HealthStatus.Critical
                ? $"🔴 Tool **{toolId}** went critical: {change.Detail}"
                : $"🟢 Tool **{toolId}** recovered ({change.Current.ToString().ToLowerInvariant()}).";
            await rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, CardResponder.ChannelMessagesRoute, new Dictionary<string, string> { ["channel_id"] = location.ChannelId }, MessageBuilder.Text(text)), cancellationToken);
        }
    }

    [LoggerMessage(EventId = 6031, Level = LogLevel.Error, Message = "Could not refresh the registry card of {ToolId}")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string toolId);
}
