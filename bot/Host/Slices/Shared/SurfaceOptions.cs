using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Slices.Shared;

/// <summary>
/// Section "Surface": who may do what from Discord and where cards go. Authority comes from the member's Discord
/// permissions and roles on every interaction, so a Discord member needs no monday seat to use the ledger.
/// </summary>
public sealed class SurfaceOptions
{
    public const string SectionName = "Surface";

    /// <summary>When set, every item card is posted in this channel instead of the channel the item was created in.</summary>
    public string? LedgerChannelId { get; set; }

    /// <summary>Members holding any of these permission bits are moderators (registry overrides, escalation buttons).</summary>
    public DiscordPermissions ModeratorPermissions { get; set; } = DiscordPermissions.ManageMessages;

    /// <summary>Members with any of these roles are moderators too.</summary>
    public IList<string> ModeratorRoleIds { get; } = [];

    /// <summary>When non-empty, only members with one of these roles (or moderators) may write to the ledger.</summary>
    public IList<string> WriterRoleIds { get; } = [];

    /// <summary>Discord user id → monday user (id, email or exact name), for teams that map people in configuration.</summary>
    public IDictionary<string, string> Owners { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Link to a monday item; {board} and {item} are replaced.</summary>
    public string MondayItemUrl { get; set; } = "https://monday.com/boards/{board}/pulses/{item}";
}
