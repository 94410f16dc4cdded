using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Discord.Commands;

public enum ApplicationCommandType
{
    ChatInput = 1,
    User = 2,
    Message = 3,
}

public enum ApplicationCommandOptionType
{
    SubCommand = 1,
    SubCommandGroup = 2,
    String = 3,
    Integer = 4,
    Boolean = 5,
    User = 6,
    Channel = 7,
    Role = 8,
    Mentionable = 9,
    Number = 10,
    Attachment = 11,
}

/// <summary>Where a command may be used (global commands only).</summary>
public enum InteractionContextType
{
    Guild = 0,
    BotDm = 1,
    PrivateChannel = 2,
}

public enum ApplicationIntegrationType
{
    GuildInstall = 0,
    UserInstall = 1,
}

public enum ChannelType
{
    GuildText = 0,
    Dm = 1,
    GuildVoice = 2,
    GroupDm = 3,
    GuildCategory = 4,
    GuildAnnouncement = 5,
    AnnouncementThread = 10,
    PublicThread = 11,
    PrivateThread = 12,
    GuildStageVoice = 13,
    GuildDirectory = 14,
    GuildForum = 15,
    GuildMedia = 16,
}

/// <summary>
/// A command as declared in code. Build with <see cref="ApplicationCommandBuilder"/>; check with
/// <see cref="ApplicationCommandValidator"/> (the registrar does so before any call to Discord).
/// </summary>
/// <param name="DefaultMemberPermissions">Null = everyone may use it; <see cref="DiscordPermissions.None"/> = administrators only.</param>
/// <param name="Contexts">Null leaves Discord's default.</param>
/// <param name="IntegrationTypes">Null leaves Discord's default.</param>
public sealed record ApplicationCommand(
    ApplicationCommandType Type,
    string Name,
    string Description,
    IReadOnlyList<ApplicationCommandOption> Options,
    DiscordPermissions? DefaultMemberPermissions = null,
    IReadOnlyList<InteractionContextType>? Contexts = null,
    IReadOnlyList<ApplicationIntegrationType>? IntegrationTypes = null,
    bool Nsfw = false);

/// <summary>One option, subcommand or subcommand group.</summary>
public sealed record ApplicationCommandOption(ApplicationCommandOptionType Type, string Name, string Description)
{
    public bool Required { get; init; }

    public bool Autocomplete { get; init; }

    public IReadOnlyList<ApplicationCommandChoice>? Choices { get; init; }

    /// <summary>For subcommands and groups: their options / subcommands.</summary>
    public IReadOnlyList<ApplicationCommandOption>? Options { get; init; }

    public int? MinLength { get; init; }

    public int? MaxLength { get; init; }

    /// <summary>Integer options hold whole numbers here (within ±(2^53-1)).</summary>
    public double? MinValue { get; init; }

    public double? MaxValue { get; init; }

    public IReadOnlyList<ChannelType>? ChannelTypes { get; init; }
}

/// <summary>A fixed choice; <see cref="Value"/> is a string, long or double matching the option's type.</summary>
public sealed record ApplicationCommandChoice(string Name, object Value)
{
    public static ApplicationCommandChoice Of(string name, string value) => new(name, value);

    public static ApplicationCommandChoice Of(string name, long value) => new(name, value);

    public static ApplicationCommandChoice Of(string name, double value) => new(name, value);
}
