using System.Globalization;

namespace DiscordLedgerBot.Discord.Messages;

/// <summary>
/// Mention policy for a message. Every payload carries one explicitly: the default <see cref="None"/> pings nobody,
/// so text from the ledger (which may contain "@everyone" or role mentions) can never notify people by accident.
/// </summary>
public sealed record AllowedMentions
{
    private AllowedMentions(IReadOnlyList<ulong> users, IReadOnlyList<ulong> roles)
    {
        UserIds = users;
        RoleIds = roles;
    }

    /// <summary>No mention pings anyone (<c>{"parse":[]}</c>).</summary>
    public static AllowedMentions None { get; } = new([], []);

    public IReadOnlyList<ulong> UserIds { get; }

    public IReadOnlyList<ulong> RoleIds { get; }

    /// <summary>Only the listed users and roles may be pinged (at most 100 of each).</summary>
    public static AllowedMentions Only(IEnumerable<ulong>? userIds = null, IEnumerable<ulong>? roleIds = null)
    {
        var users = (userIds ?? []).Distinct().ToList();
        var roles = (roleIds ?? []).Distinct().ToList();
        if (users.Count > DiscordLimits.AllowedMentionIds || roles.Count > DiscordLimits.AllowedMentionIds)
        {
            throw new DiscordLimitException($"allowed_mentions lists at most {DiscordLimits.AllowedMentionIds} users and {DiscordLimits.AllowedMentionIds} roles.");
        }

        return new AllowedMentions(users, roles);
    }

    public AllowedMentionsPayload ToPayload() => new(
        Parse: [],
        Users: UserIds.Count == 0 ? null : [.. UserIds.Select(id => id.ToString(CultureInfo.InvariantCulture))],
        Roles: RoleIds.Count == 0 ? null : [.. RoleIds.Select(id => id.ToString(CultureInfo.InvariantCulture))]);
}
