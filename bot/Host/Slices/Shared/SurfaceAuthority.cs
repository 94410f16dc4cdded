using System.Text.Json;
using DiscordLedgerBot.Discord.Interactions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Shared;

/// <summary>What a member may do from Discord.</summary>
public enum SurfaceRight
{
    Write,
    Override,
    Setup,
    Escalate,
}

/// <summary>
/// Decides, from the interaction itself (member.permissions and member.roles as Discord computed them), whether the
/// member holds a right. Nothing in a custom_id or an option is trusted for this. Every decision is logged.
/// </summary>
public sealed partial class SurfaceAuthority(IOptionsMonitor<SurfaceOptions> options, ILogger<SurfaceAuthority> logger)
{
    /// <summary>Throws an <see cref="InteractionInputException"/> explaining what is missing when the member lacks <paramref name="right"/>.</summary>
    public void Require(Interaction interaction, SurfaceRight right)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        var denial = Deny(interaction, right);
        LogDecision(logger, interaction.User?.Id ?? 0, right, interaction.Describe(), denial is null ? "allowed" : "denied");
        if (denial is not null)
        {
            throw new InteractionInputException(denial);
        }
    }

    public bool Holds(Interaction interaction, SurfaceRight right) => Deny(interaction, right) is null;

    private string? Deny(Interaction interaction, SurfaceRight right)
    {
        var settings = options.CurrentValue;
        var permissions = interaction.MemberPermissions ?? DiscordPermissions.None;
        var roles = RolesOf(interaction);
        var moderator = (permissions & (settings.ModeratorPermissions | DiscordPermissions.Administrator)) != 0
            || roles.Any(settings.ModeratorRoleIds.Contains);
        return right switch
        {
            SurfaceRight.Override when !moderator =>
                "Only moderators can do this (registry overrides, escalation buttons, notify settings): you need the moderator role or the Manage Messages permission in this channel. Nothing was changed.",
            SurfaceRight.Setup when !permissions.Allows(DiscordPermissions.ManageGuild) =>
                "/ledger setup needs the Manage Server permission. Nothing was changed.",
            SurfaceRight.Write or SurfaceRight.Escalate when interaction.GuildId is null =>
                "The ledger is used from a server channel, not from direct messages.",
            SurfaceRight.Write or SurfaceRight.Escalate when settings.WriterRoleIds.Count > 0 && !moderator && !roles.Any(settings.WriterRoleIds.Contains) =>
                "Writing to the ledger needs one of the ledger writer roles on this server. Ask a moderator to give you one. Nothing was recorded.",
            _ => null,
        };
    }

    private static IReadOnlyList<string> RolesOf(Interaction interaction) =>
        interaction.Raw.ValueKind == JsonValueKind.Object
        && interaction.Raw.TryGetProperty("member", out var member)
        && member.ValueKind == JsonValueKind.Object
        && member.TryGetProperty("roles", out var roles)
        && roles.ValueKind == JsonValueKind.Array
            ? [.. roles.EnumerateArray().Select(role => role.GetString() ?? string.Empty)]
            : [];

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Authority: user {UserId} {Right} on {Interaction}: {Decision}")]
    private static partial void LogDecision(ILogger logger, ulong userId, SurfaceRight right, string interaction, string decision);
}
