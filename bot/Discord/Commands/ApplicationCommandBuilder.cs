using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Discord.Commands;

/// <summary>
/// Declares application commands in code:
/// <code>
/// ApplicationCommandBuilder.ChatInput("ledger", "Work with the ledger")
///     .WithDefaultMemberPermissions(DiscordPermissions.ManageGuild)
///     .AddSubcommand("add", "Add an item", o => o.AddString("title", "Item title", required: true, maxLength: 100))
///     .Build();
/// </code>
/// The builder records what is declared; <see cref="ApplicationCommandValidator"/> enforces Discord's rules.
/// </summary>
public sealed class ApplicationCommandBuilder
{
    private readonly ApplicationCommandType _type;
    private readonly string _name;
    private readonly string _description;
    private readonly ApplicationCommandOptionsBuilder _options = new();
    private DiscordPermissions? _defaultMemberPermissions;
    private List<InteractionContextType>? _contexts;
    private List<ApplicationIntegrationType>? _integrationTypes;
    private bool _nsfw;

    private ApplicationCommandBuilder(ApplicationCommandType type, string name, string description)
    {
        _type = type;
        _name = name;
        _description = description;
    }

    public static ApplicationCommandBuilder ChatInput(string name, string description) => new(ApplicationCommandType.ChatInput, name, description);

    /// <summary>A right-click "Apps" command on a user; the name may contain capitals and spaces.</summary>
    public static ApplicationCommandBuilder UserContext(string name) => new(ApplicationCommandType.User, name, string.Empty);

    /// <summary>A right-click "Apps" command on a message; the name may contain capitals and spaces.</summary>
    public static ApplicationCommandBuilder MessageContext(string name) => new(ApplicationCommandType.Message, name, string.Empty);

    /// <param name="permissions"><see cref="DiscordPermissions.None"/> limits the command to administrators.</param>
    public ApplicationCommandBuilder WithDefaultMemberPermissions(DiscordPermissions permissions)
    {
        _defaultMemberPermissions = permissions;
        return this;
    }

    public ApplicationCommandBuilder InContexts(params InteractionContextType[] contexts)
    {
        _contexts = [.. contexts];
        return this;
    }

    public ApplicationCommandBuilder ForIntegrationTypes(params ApplicationIntegrationType[] integrationTypes)
    {
        _integrationTypes = [.. integrationTypes];
        return this;
    }

    public ApplicationCommandBuilder AsNsfw()
    {
        _nsfw = true;
        return this;
    }

    /// <summary>Adds plain options (for a command without subcommands).</summary>
    public ApplicationCommandBuilder WithOptions(Action<ApplicationCommandOptionsBuilder> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options(_options);
        return this;
    }

    public ApplicationCommandBuilder AddSubcommand(string name, string description, Action<ApplicationCommandOptionsBuilder>? options = null)
    {
        _options.AddSubcommand(name, description, options);
        return this;
    }

    public ApplicationCommandBuilder AddSubcommandGroup(string name, string description, Action<SubcommandGroupBuilder> subcommands)
    {
        ArgumentNullException.ThrowIfNull(subcommands);
        var group = new SubcommandGroupBuilder();
        subcommands(group);
        _options.Add(new ApplicationCommandOption(ApplicationCommandOptionType.SubCommandGroup, name, description) { Options = group.Build() });
        return this;
    }

    public ApplicationCommand Build() => new(
        _type,
        _name,
        _description,
        _options.Build(),
        _defaultMemberPermissions,
        _contexts?.ToList(),
        _integrationTypes?.ToList(),
        _nsfw);
}

/// <summary>The subcommands inside a subcommand group.</summary>
public sealed class SubcommandGroupBuilder
{
    private readonly ApplicationCommandOptionsBuilder _subcommands = new();

    public SubcommandGroupBuilder AddSubcommand(string name, string description, Action<ApplicationCommandOptionsBuilder>? options = null)
    {
        _subcommands.AddSubcommand(name, description, options);
        return this;
    }

    internal IReadOnlyList<ApplicationCommandOption> Build() => _subcommands.Build();
}

/// <summary>Typed options of a command or subcommand.</summary>
public sealed class ApplicationCommandOptionsBuilder
{
    private readonly List<ApplicationCommandOption> _options = [];

    public ApplicationCommandOptionsBuilder AddString(
        string name,
        string description,
        bool required = false,
        bool autocomplete = false,
        int? minLength = null,
        int? maxLength = null,
        IReadOnlyList<ApplicationCommandChoice>? choices = null) =>
        Add(new ApplicationCommandOption(ApplicationCommandOptionType.String, name, description)
        {
            Required = required,
            Autocomplete = autocomplete,
            MinLength = minLength,
            MaxLength = maxLength,
            Choices = choices,
        });

    public ApplicationCommandOptionsBuilder AddInteger(
        string name,
        string description,
        bool required = false,
        bool autocomplete = false,
        long? minValue = null,
        long? maxValue = null,
        IReadOnlyList<ApplicationCommandChoice>? choices = null) =>
        Add(new ApplicationCommandOption(ApplicationCommandOptionType.Integer, name, description)
        {
            Required = required,
            Autocomplete = autocomplete,
            MinValue = minValue,
            MaxValue = maxValue,
            Choices = choices,
        });

    public ApplicationCommandOptionsBuilder AddNumber(
        string name,
        string description,
        bool required = false,
        bool autocomplete = false,
        double? minValue = null,
        double? maxValue = null,
        IReadOnlyList<ApplicationCommandChoice>? choices = null) =>
        Add(new ApplicationCommandOption(ApplicationCommandOptionType.Number, name, description)
        {
            Required = required,
            Autocomplete = autocomplete,
            MinValue = minValue,
            MaxValue = maxValue,
            Choices = choices,
        });

    public ApplicationCommandOptionsBuilder AddBoolean(string name, string description, bool required = false) =>
        Add(new ApplicationCommandOption(ApplicationCommandOptionType.Boolean, name, description) { Required = required });

    public ApplicationCommandOptionsBuilder AddUser(string name, string description, bool required = false) =>
        Add(new ApplicationCommandOption(ApplicationCommandOptionType.User, name, description) { Required = required });

    public ApplicationCommandOptionsBuilder AddRole(string name, string description, bool required = false) =>
        Add(new ApplicationCommandOption(ApplicationCommandOptionType.Role, name, description) { Required = required });

    public ApplicationCommandOptionsBuilder AddMentionable(string name, string description, bool required = false) =>
        Add(new ApplicationCommandOption(ApplicationCommandOptionType.Mentionable, name, description) { Required = required });

    public ApplicationCommandOptionsBuilder AddAttachment(string name, string description, bool required = false) =>
        Add(new ApplicationCommandOption(ApplicationCommandOptionType.Attachment, name, description) { Required = required });

    public ApplicationCommandOptionsBuilder AddChannel(string name, string description, bool required = false, IReadOnlyList<ChannelType>? channelTypes = null) =>
        Add(new ApplicationCommandOption(ApplicationCommandOptionType.Channel, name, description) { Required = required, ChannelTypes = channelTypes });

    /// <summary>Adds an option exactly as given (for shapes the helpers above do not cover).</summary>
    public ApplicationCommandOptionsBuilder Add(ApplicationCommandOption option)
    {
        ArgumentNullException.ThrowIfNull(option);
        _options.Add(option);
        return this;
    }

    internal void AddSubcommand(string name, string description, Action<ApplicationCommandOptionsBuilder>? options)
    {
        var inner = new ApplicationCommandOptionsBuilder();
        options?.Invoke(inner);
        var built = inner.Build();
        Add(new ApplicationCommandOption(ApplicationCommandOptionType.SubCommand, name, description) { Options = built.Count == 0 ? null : built });
    }

    internal IReadOnlyList<ApplicationCommandOption> Build() => [.. _options];
}
