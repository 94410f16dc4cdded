using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>Runs the gateway for the host's lifetime. A fatal close is logged and stops the host: retrying cannot fix it.</summary>
public sealed partial class DiscordGatewayHostedService(IDiscordGateway gateway, IHostApplicationLifetime lifetime, ILogger<DiscordGatewayHostedService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await gateway.RunAsync(stoppingToken);
        }
        catch (GatewayFatalException exception)
        {
            LogFatal(logger, exception.Message);
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Discord gateway stopped: {Reason}")]
    private static partial void LogFatal(ILogger logger, string reason);
}
