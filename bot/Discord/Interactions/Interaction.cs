using System.Globalization;
using System.Text;
using System.Text.Json;
using DiscordLedgerBot.Discord.Commands;

namespace DiscordLedgerBot.Discord.Interactions;

public enum InteractionType
{
    Ping = 1,
    ApplicationCommand = 2,
    MessageComponent = 3,
    ApplicationCommandAutocomplete = 4,
    ModalSubmit = 5,
}

/// <summary>The interaction's continuation token. Kept out of ToString and logs: it authorises replies for 15 minutes.</summary>
public sealed record InteractionToken(string Value)
{
    public override string ToString() => "[redacted interaction token]";
}

/// <summary>A parsed interaction (gateway INTERACTION_CREATE or HTTP POST). Ids are snowflakes parsed from strings.</summary>
/// <param name="User">The invoking user: <c>member.user</c> in guilds, <c>user</c> in DMs (null only for PING).</param>
/// <param name="MemberPermissions">The member's total permissions in the channel (guild interactions only).</param>
/// <param name="MessageId">For component interactions: the message the component is on.</param>
/// <param name="Raw">The interaction JSON as received, for fields not modelled here.</param>
public sealed record Interaction(
    ulong Id,
    ulong ApplicationId,
    InteractionType Type,
    InteractionToken Token,
    ulong? GuildId,
    ulong? ChannelId,
    InteractionUser? User,
    DiscordPermissions? MemberPermissions,
    DiscordPermissions? AppPermissions,
    string? Locale,
    InteractionData? Data,
    ulong? MessageId,
    JsonElement Raw)
{
    public ApplicationCommandData? Command => Data as ApplicationCommandData;

    public ComponentInteractionData? Component => Data as ComponentInteractionData;

    public ModalSubmitData? ModalSubmit => Data as ModalSubmitData;

    // Raw holds the token too, so the generated ToString must not print it.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Id = {Id}, Type = {Type}, ApplicationId = {ApplicationId}, GuildId = {GuildId}, ChannelId = {ChannelId}, User = {User?.Id}, Invokes = {Describe()}");
        return true;
    }

    /// <summary>What this interaction invokes, for logs and error messages: "/ledger add", "component approve:42", "modal edit:7".</summary>
    public string Describe() => Data switch
    {
        ApplicationCommandData command => "/" + command.CommandPath,
        ComponentInteractionData component => "component " + component.CustomId,
        ModalSubmitData modal => "modal " + modal.CustomId,
        _ => Type.ToString(),
    };
}

public sealed record InteractionUser(ulong Id, string Username, string? GlobalName)
{
    public string DisplayName => GlobalName ?? Username;
}

public sealed record ResolvedMember(ulong UserId, string? Nickname, IReadOnlyList<ulong> RoleIds, DiscordPermissions? Permissions);

public sealed record ResolvedChannel(ulong Id, string? Name, ChannelType Type, DiscordPermissions? Permissions);

public sealed record ResolvedRole(ulong Id, string Name);

/// <summary>The <c>resolved</c> objects that USER, CHANNEL, ROLE and MENTIONABLE option values refer to.</summary>
public sealed record ResolvedData(
    IReadOnlyDictionary<ulong, InteractionUser> Users,
    IReadOnlyDictionary<ulong, ResolvedMember> Members,
    IReadOnlyDictionary<ulong, ResolvedChannel> Channels,
    IReadOnlyDictionary<ulong, ResolvedRole> Roles)
{
    public static ResolvedData Empty { get; } = new(
        new Dictionary<ulong, InteractionUser>(),
        new Dictionary<ulong, ResolvedMember>(),
        new Dictionary<ulong, ResolvedChannel>(),
        new Dictionary<ulong, ResolvedRole>());
}

public abstract record InteractionData;

/// <summary>One option as invoked. <see cref="Value"/> is the raw JSON value (strings may be partial in autocomplete).</summary>
public sealed record InteractionOption(
    string Name,
    ApplicationCommandOptionType Type,
    JsonElement? Value,
    bool Focused,
    IReadOnlyList<InteractionOption> Options);

/// <summary>Data of APPLICATION_COMMAND and APPLICATION_COMMAND_AUTOCOMPLETE interactions.</summary>
public sealed record ApplicationCommandData(
    ulong CommandId,
    string Name,
    ApplicationCommandType CommandType,
    IReadOnlyList<InteractionOption> Options,
    ResolvedData Resolved,
    ulong? TargetId) : InteractionData
{
    /// <summary>"ledger", "ledger add" or "ledger admin sync": the command, subcommand group and subcommand invoked.</summary>
    public string CommandPath => string.Join(' ', [Name, .. SubcommandChain().Select(option => option.Name)]);

    /// <summary>The options of the innermost subcommand (or of the command itself when it has none).</summary>
    public IReadOnlyList<InteractionOption> LeafOptions => SubcommandChain().LastOrDefault()?.Options ?? Options;

    /// <summary>The option being typed in an autocomplete interaction.</summary>
    public InteractionOption? Focused => LeafOptions.FirstOrDefault(option => option.Focused);

    public bool Has(string name) => Find(name) is not null;

    public string? GetString(string name) => Find(name)?.Value is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public long? GetInteger(string name) => Find(name)?.Value is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var whole) ? whole : null;

    public double? GetNumber(string name) => Find(name)?.Value is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null;

    public bool? GetBoolean(string name) => Find(name)?.Value is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : null;

    /// <summary>The id a USER, CHANNEL, ROLE, MENTIONABLE or ATTACHMENT option holds.</summary>
    public ulong? GetId(string name) =>
        Find(name)?.Value is { ValueKind: JsonValueKind.String } value ? Snowflake.Parse(value.GetString()!, $"Option '{name}'") : null;

    public InteractionUser? GetUser(string name) => GetId(name) is { } id && Resolved.Users.TryGetValue(id, out var user) ? user : null;

    public ResolvedMember? GetMember(string name) => GetId(name) is { } id && Resolved.Members.TryGetValue(id, out var member) ? member : null;

    public ResolvedChannel? GetChannel(string name) => GetId(name) is { } id && Resolved.Channels.TryGetValue(id, out var channel) ? channel : null;

    public ResolvedRole? GetRole(string name) => GetId(name) is { } id && Resolved.Roles.TryGetValue(id, out var role) ? role : null;

    private InteractionOption? Find(string name) => LeafOptions.FirstOrDefault(option => option.Name == name);

    private IEnumerable<InteractionOption> SubcommandChain()
    {
        var level = Options;
        while (level.FirstOrDefault(option => option.Type is ApplicationCommandOptionType.SubCommand or ApplicationCommandOptionType.SubCommandGroup) is { } nested)
        {
            yield return nested;
            level = nested.Options;
        }
    }
}

/// <summary>Data of MESSAGE_COMPONENT interactions.</summary>
/// <param name="Values">Selected values for selects; empty for buttons.</param>
public sealed record ComponentInteractionData(string CustomId, int ComponentType, IReadOnlyList<string> Values) : InteractionData;

/// <summary>Data of MODAL_SUBMIT interactions: each input's custom_id mapped to what the user entered.</summary>
public sealed record ModalSubmitData(string CustomId, IReadOnlyDictionary<string, string> Values) : InteractionData
{
    public string? Get(string customId) => Values.TryGetValue(customId, out var value) ? value : null;
}
