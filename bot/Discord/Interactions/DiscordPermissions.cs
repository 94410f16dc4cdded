using System.Globalization;

namespace DiscordLedgerBot.Discord.Interactions;

/// <summary>
/// Discord's permission bitset (a 64-bit value sent as a decimal string). Only the bits this bot reasons about are
/// named; unknown bits survive parsing and formatting untouched.
/// </summary>
[Flags]
#pragma warning disable CA1711 // "Permissions" is Discord's own name for the bitset.
public enum DiscordPermissions : ulong
#pragma warning restore CA1711
{
    None = 0,
    CreateInstantInvite = 1UL << 0,
    KickMembers = 1UL << 1,
    BanMembers = 1UL << 2,
    Administrator = 1UL << 3,
    ManageChannels = 1UL << 4,
    ManageGuild = 1UL << 5,
    AddReactions = 1UL << 6,
    ViewAuditLog = 1UL << 7,
    ViewChannel = 1UL << 10,
    SendMessages = 1UL << 11,
    ManageMessages = 1UL << 13,
    EmbedLinks = 1UL << 14,
    AttachFiles = 1UL << 15,
    ReadMessageHistory = 1UL << 16,
    MentionEveryone = 1UL << 17,
    Connect = 1UL << 20,
    Speak = 1UL << 21,
    ManageRoles = 1UL << 28,
    ManageWebhooks = 1UL << 29,
    UseApplicationCommands = 1UL << 31,
    ManageThreads = 1UL << 34,
    SendMessagesInThreads = 1UL << 38,
    ModerateMembers = 1UL << 40,
}

public static class DiscordPermissionsExtensions
{
    /// <summary>True when every bit of <paramref name="required"/> is present, or the holder is an Administrator (which implies all).</summary>
    public static bool Allows(this DiscordPermissions granted, DiscordPermissions required) =>
        (granted & DiscordPermissions.Administrator) != 0 || (granted & required) == required;

    /// <summary>The bits of <paramref name="required"/> that are absent (None when <see cref="Allows"/> is true).</summary>
    public static DiscordPermissions Missing(this DiscordPermissions granted, DiscordPermissions required) =>
        granted.Allows(required) ? DiscordPermissions.None : required & ~granted;

    /// <summary>The decimal-string form Discord uses on the wire.</summary>
    public static string ToWireString(this DiscordPermissions permissions) => ((ulong)permissions).ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses the decimal-string form; throws <see cref="FormatException"/> naming the bad value.</summary>
    public static DiscordPermissions ParsePermissions(string wire) =>
        ulong.TryParse(wire, NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
            ? (DiscordPermissions)bits
            : throw new FormatException($"'{wire}' is not a Discord permission bitset (decimal digits expected).");
}

/// <summary>Discord snowflake ids: 64-bit unsigned, sent as decimal strings.</summary>
public static class Snowflake
{
    public static ulong Parse(string value, string what) =>
        ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new FormatException($"{what} '{value}' is not a snowflake (decimal digits expected).");

    public static string ToWire(ulong id) => id.ToString(CultureInfo.InvariantCulture);
}
