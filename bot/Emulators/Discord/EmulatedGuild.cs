namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>A user of the emulated world (a person or the bot).</summary>
public sealed record EmulatedUser(string Id, string Username, string? GlobalName = null, bool Bot = false);

/// <summary>A guild role; the role whose id equals the guild id is @everyone.</summary>
public sealed record EmulatedRole(string Id, string Name, ulong Permissions, int Position, bool Managed = false, string? BotId = null);

/// <summary>Whom a permission overwrite applies to (Discord's overwrite <c>type</c>).</summary>
public enum EmulatedOverwriteTarget
{
    Role = 0,
    Member = 1,
}

public sealed record EmulatedPermissionOverwrite(string Id, EmulatedOverwriteTarget Target, ulong Allow, ulong Deny);

/// <summary>A guild channel: <paramref name="Type"/> 0 text, 2 voice, 4 category (Discord's channel types).</summary>
public sealed record EmulatedChannel(
    string Id,
    string Name,
    int Type,
    int Position,
    string? ParentId = null,
    string? Topic = null,
    IReadOnlyList<EmulatedPermissionOverwrite>? Overwrites = null)
{
    public IReadOnlyList<EmulatedPermissionOverwrite> PermissionOverwrites => Overwrites ?? [];
}

public sealed record EmulatedMember(EmulatedUser User, IReadOnlyList<string> RoleIds, DateTimeOffset JoinedAt, string? Nick = null);

/// <summary>
/// A guild as the emulator serves it (GUILD_CREATE, <c>GET /guilds/{id}/...</c>, interaction members). The bot must be
/// one of <see cref="Members"/>; permissions are computed from roles and overwrites the way Discord computes them.
/// </summary>
public sealed record EmulatedGuild(
    string Id,
    string Name,
    string OwnerId,
    IReadOnlyList<EmulatedRole> Roles,
    IReadOnlyList<EmulatedChannel> Channels,
    IReadOnlyList<EmulatedMember> Members)
{
    /// <summary>Fixed ids of <see cref="Realistic"/>; all outside the range the emulator generates ids in.</summary>
    public static class Ids
    {
        public static readonly string Application = SnowflakeGenerator.Fixture(1);
        public static readonly string Guild = SnowflakeGenerator.Fixture(10);
        public static readonly string ModeratorsRole = SnowflakeGenerator.Fixture(11);
        public static readonly string MembersRole = SnowflakeGenerator.Fixture(12);
        public static readonly string BotRole = SnowflakeGenerator.Fixture(13);
        public static readonly string Category = SnowflakeGenerator.Fixture(20);
        public static readonly string General = SnowflakeGenerator.Fixture(21);
        public static readonly string Ledger = SnowflakeGenerator.Fixture(22);
        public static readonly string ModeratorsOnly = SnowflakeGenerator.Fixture(23);
        public static readonly string Voice = SnowflakeGenerator.Fixture(24);
        public static readonly string Owner = SnowflakeGenerator.Fixture(30);
        public static readonly string Moderator = SnowflakeGenerator.Fixture(31);
        public static readonly string Member = SnowflakeGenerator.Fixture(32);
        public static readonly string Visitor = SnowflakeGenerator.Fixture(33);
    }

    /// <summary>Every permission bit Discord defines up to bit 50 (what an administrator or the owner has).</summary>
    public const ulong AllPermissions = (1UL << 51) - 1;

    public EmulatedRole EveryoneRole => Roles.Single(role => role.Id == Id);

    public EmulatedMember? FindMember(string userId) => Members.FirstOrDefault(member => member.User.Id == userId);

    public EmulatedChannel? FindChannel(string channelId) => Channels.FirstOrDefault(channel => channel.Id == channelId);

    /// <summary>
    /// "Ledger HQ": a category with #general, #ledger (only moderators and the bot post; members use commands) and
    /// #moderators (hidden from everyone else, the bot included), a voice channel, Moderators and Members roles, an
    /// owner, a moderator, a member, a visitor whose only permissions are @everyone's (read-only), and the bot.
    /// </summary>
    public static EmulatedGuild Realistic(string botUserId, string botUserName)
    {
        const ulong read = DiscordPermission.ViewChannel | DiscordPermission.ReadMessageHistory;
        const ulong takePart = DiscordPermission.SendMessages | DiscordPermission.AddReactions | DiscordPermission.EmbedLinks
            | DiscordPermission.AttachFiles | DiscordPermission.UseApplicationCommands | DiscordPermission.CreatePublicThreads
            | DiscordPermission.SendMessagesInThreads | DiscordPermission.Connect | DiscordPermission.Speak;
        const ulong moderate = DiscordPermission.ManageMessages | DiscordPermission.ManageThreads | DiscordPermission.KickMembers
            | DiscordPermission.ModerateMembers | DiscordPermission.MentionEveryone;
        var joined = new DateTimeOffset(2016, 5, 2, 9, 0, 0, TimeSpan.Zero);
        var guildId = Ids.Guild;
        return new EmulatedGuild(
            guildId,
            "Ledger HQ",
            Ids.Owner,
            [
                new EmulatedRole(guildId, "@everyone", read, 0),
                new EmulatedRole(Ids.MembersRole, "Members", takePart, 1),
                new EmulatedRole(Ids.ModeratorsRole, "Moderators", takePart | moderate, 2),
                new EmulatedRole(Ids.BotRole, botUserName, read | takePart | DiscordPermission.ManageThreads, 3, Managed: true, BotId: botUserId),
            ],
            [
                new EmulatedChannel(Ids.Category, "Ledger", 4, 0),
                new EmulatedChannel(Ids.General, "general", 0, 1, Ids.Category, "Anything goes"),
                new EmulatedChannel(Ids.Ledger, "ledger", 0, 2, Ids.Category, "Ledger updates from the bot",
                [
                    new EmulatedPermissionOverwrite(guildId, EmulatedOverwriteTarget.Role, 0, DiscordPermission.SendMessages),
                    new EmulatedPermissionOverwrite(Ids.ModeratorsRole, EmulatedOverwriteTarget.Role, DiscordPermission.SendMessages, 0),
                    new EmulatedPermissionOverwrite(botUserId, EmulatedOverwriteTarget.Member, DiscordPermission.SendMessages, 0),
                ]),
                new EmulatedChannel(Ids.ModeratorsOnly, "moderators", 0, 3, Ids.Category, "Moderators only",
                [
                    new EmulatedPermissionOverwrite(guildId, EmulatedOverwriteTarget.Role, 0, DiscordPermission.ViewChannel),
                    new EmulatedPermissionOverwrite(Ids.ModeratorsRole, EmulatedOverwriteTarget.Role, DiscordPermission.ViewChannel, 0),
                ]),
                new EmulatedChannel(Ids.Voice, "Standup", 2, 4, Ids.Category),
            ],
            [
                new EmulatedMember(new EmulatedUser(Ids.Owner, "ada", "Ada"), [Ids.ModeratorsRole], joined),
                new EmulatedMember(new EmulatedUser(Ids.Moderator, "grace", "Grace"), [Ids.ModeratorsRole], joined.AddDays(3)),
                new EmulatedMember(new EmulatedUser(Ids.Member, "linus", "Linus"), [Ids.MembersRole], joined.AddDays(10), Nick: "Linus T."),
                new EmulatedMember(new EmulatedUser(Ids.Visitor, "visitor", null), [], joined.AddYears(9)),
                new EmulatedMember(new EmulatedUser(botUserId, botUserName, null, Bot: true), [Ids.BotRole], joined.AddDays(1)),
            ]);
    }

    /// <summary>Guild-level permissions: @everyone's plus every role's; the owner and administrators have all.</summary>
    public ulong BasePermissions(string userId)
    {
        if (userId == OwnerId)
        {
            return AllPermissions;
        }

        var member = FindMember(userId);
        var permissions = EveryoneRole.Permissions;
        foreach (var role in Roles.Where(role => member?.RoleIds.Contains(role.Id) == true))
        {
            permissions |= role.Permissions;
        }

        return (permissions & DiscordPermission.Administrator) != 0 ? AllPermissions : permissions;
    }

    /// <summary>
    /// Permissions in a channel, in Discord's order: base, then the @everyone overwrite, then all role overwrites
    /// (denies before allows), then the member's own overwrite. Administrators and the owner skip overwrites.
    /// </summary>
    public ulong PermissionsIn(string userId, string channelId)
    {
        var permissions = BasePermissions(userId);
        if (permissions == AllPermissions || FindChannel(channelId) is not { } channel)
        {
            return permissions;
        }

        var overwrites = channel.PermissionOverwrites;
        if (overwrites.FirstOrDefault(o => o.Target == EmulatedOverwriteTarget.Role && o.Id == Id) is { } everyone)
        {
            permissions = (permissions & ~everyone.Deny) | everyone.Allow;
        }

        var roleIds = FindMember(userId)?.RoleIds ?? [];
        var roleOverwrites = overwrites.Where(o => o.Target == EmulatedOverwriteTarget.Role && roleIds.Contains(o.Id)).ToList();
        var denied = roleOverwrites.Aggregate(0UL, (bits, o) => bits | o.Deny);
        var allowed = roleOverwrites.Aggregate(0UL, (bits, o) => bits | o.Allow);
        permissions = (permissions & ~denied) | allowed;
        if (overwrites.FirstOrDefault(o => o.Target == EmulatedOverwriteTarget.Member && o.Id == userId) is { } own)
        {
            permissions = (permissions & ~own.Deny) | own.Allow;
        }

        // Without VIEW_CHANNEL a member has no permissions in the channel at all.
        return (permissions & DiscordPermission.ViewChannel) == 0 ? 0 : permissions;
    }
}

/// <summary>Discord's permission bits the emulator uses (developer docs, "Permissions").</summary>
public static class DiscordPermission
{
    public const ulong KickMembers = 1UL << 1;
    public const ulong Administrator = 1UL << 3;
    public const ulong AddReactions = 1UL << 6;
    public const ulong ViewChannel = 1UL << 10;
    public const ulong SendMessages = 1UL << 11;
    public const ulong ManageMessages = 1UL << 13;
    public const ulong EmbedLinks = 1UL << 14;
    public const ulong AttachFiles = 1UL << 15;
    public const ulong ReadMessageHistory = 1UL << 16;
    public const ulong MentionEveryone = 1UL << 17;
    public const ulong Connect = 1UL << 20;
    public const ulong Speak = 1UL << 21;
    public const ulong UseApplicationCommands = 1UL << 31;
    public const ulong ManageThreads = 1UL << 34;
    public const ulong CreatePublicThreads = 1UL << 35;
    public const ulong CreatePrivateThreads = 1UL << 36;
    public const ulong SendMessagesInThreads = 1UL << 38;
    public const ulong ModerateMembers = 1UL << 40;
}

/// <summary>Gateway intent bits the emulator honours when deciding whom to send an event (gateway facts §1).</summary>
internal static class GatewayIntent
{
    public const int Guilds = 1 << 0;
}
