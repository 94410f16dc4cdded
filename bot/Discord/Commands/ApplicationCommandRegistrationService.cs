using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Rest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord.Commands;

/// <summary>The commands this bot declares; registered with <see cref="ApplicationCommandServiceCollectionExtensions.AddDiscordApplicationCommands"/>.</summary>
public sealed record DeclaredApplicationCommands(IReadOnlyList<ApplicationCommand> Commands);

/// <summary>
/// Registers the declared commands when the host starts: to <c>Discord:GuildId</c> when set (development: instant),
/// otherwise globally. Invalid declarations stop the start with every problem listed; a Discord outage is logged and
/// the bot starts anyway, because the previously registered commands keep working.
/// </summary>
public sealed partial class ApplicationCommandRegistrationService(
    ApplicationCommandRegistrar registrar,
    DeclaredApplicationCommands declared,
    IOptions<DiscordOptions> discord,
    ILogger<ApplicationCommandRegistrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ApplicationCommandValidator.EnsureValid(declared.Commands);
        var options = discord.Value;
        var applicationId = Snowflake.Parse(options.ApplicationId, "Discord:ApplicationId");
        var scope = string.IsNullOrEmpty(options.GuildId)
            ? ApplicationCommandScope.Global(applicationId)
            : ApplicationCommandScope.Guild(applicationId, Snowflake.Parse(options.GuildId, "Discord:GuildId"));
        try
        {
            await registrar.RegisterAsync(scope, declared.Commands, cancellationToken);
        }
        catch (Exception exception) when (exception is DiscordRestException or HttpRequestException or TimeoutException)
        {
            LogRegistrationFailed(logger, exception, scope);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not register application commands ({Scope}); the previously registered set stays in effect")]
    private static partial void LogRegistrationFailed(ILogger logger, Exception exception, ApplicationCommandScope scope);
}

public static class ApplicationCommandServiceCollectionExtensions
{
    /// <summary>
    /// Declares the bot's commands and registers them at start (only when they differ from Discord's copy).
    /// Needs <c>AddDiscordClient</c> and <c>AddDiscordInteractions</c>.
    /// </summary>
    public static IServiceCollection AddDiscordApplicationCommands(this IServiceCollection services, IReadOnlyList<ApplicationCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        services.AddSingleton(new DeclaredApplicationCommands(commands));
        services.AddHostedService<ApplicationCommandRegistrationService>();
        return services;
    }
}
