using System.Text.Json;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Rest;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Discord.Commands;

/// <summary>Where commands are registered: one guild (instant, for development) or globally (production).</summary>
public sealed record ApplicationCommandScope(ulong ApplicationId, ulong? GuildId)
{
    public static ApplicationCommandScope Global(ulong applicationId) => new(applicationId, null);

    public static ApplicationCommandScope Guild(ulong applicationId, ulong guildId) => new(applicationId, guildId);

    public string RouteTemplate => GuildId is null
        ? "/applications/{application_id}/commands"
        : "/applications/{application_id}/guilds/{guild_id}/commands";

    public IReadOnlyDictionary<string, string> RouteValues => GuildId is { } guild
        ? new Dictionary<string, string> { ["application_id"] = Snowflake.ToWire(ApplicationId), ["guild_id"] = Snowflake.ToWire(guild) }
        : new Dictionary<string, string> { ["application_id"] = Snowflake.ToWire(ApplicationId) };

    public override string ToString() => GuildId is { } guild ? $"guild {guild}" : "global";
}

public enum CommandRegistrationOutcome
{
    /// <summary>Discord already had exactly the declared set; nothing was written (no daily-create quota spent).</summary>
    Unchanged,

    /// <summary>The declared set replaced what Discord had.</summary>
    Overwritten,
}

/// <summary>
/// Registers the declared commands at start: validates them, reads what Discord has, and bulk-overwrites only when
/// they differ, because every overwrite of new commands counts toward Discord's 200 creates per day.
/// </summary>
public sealed partial class ApplicationCommandRegistrar(IDiscordRest rest, ILogger<ApplicationCommandRegistrar> logger)
{
    /// <exception cref="InvalidApplicationCommandsException">A declaration breaks Discord's rules; nothing is sent.</exception>
    public async Task<CommandRegistrationOutcome> RegisterAsync(
        ApplicationCommandScope scope,
        IReadOnlyList<ApplicationCommand> commands,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ApplicationCommandValidator.EnsureValid(commands);

        var registered = await rest.SendAsync(new DiscordRestRequest(HttpMethod.Get, scope.RouteTemplate, scope.RouteValues), cancellationToken);
        var difference = "nothing registered yet";
        if (registered is { } existing && ApplicationCommandJson.AreEquivalent(commands, existing, out difference))
        {
            LogUnchanged(logger, commands.Count, scope);
            return CommandRegistrationOutcome.Unchanged;
        }

        await rest.SendAsync(
            new DiscordRestRequest(HttpMethod.Put, scope.RouteTemplate, scope.RouteValues, ApplicationCommandJson.ToJson(commands)),
            cancellationToken);
        LogOverwritten(logger, commands.Count, scope, difference);
        return CommandRegistrationOutcome.Overwritten;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Application commands ({Count}, {Scope}) already up to date; no overwrite")]
    private static partial void LogUnchanged(ILogger logger, int count, ApplicationCommandScope scope);

    [LoggerMessage(Level = LogLevel.Information, Message = "Application commands ({Count}, {Scope}) overwritten: {Difference}")]
    private static partial void LogOverwritten(ILogger logger, int count, ApplicationCommandScope scope, string difference);
}
