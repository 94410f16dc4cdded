using System.Globalization;
using System.Text.RegularExpressions;

namespace DiscordLedgerBot.Discord.Commands;

/// <summary>
/// Checks declared commands against Discord's rules (protocol facts section 3) so a bad declaration fails at start
/// with every problem named, instead of as a 400 from the bulk overwrite.
/// </summary>
public static partial class ApplicationCommandValidator
{
    public const int MaxOptions = 25;
    public const int MaxChoices = 25;
    public const int MaxDescriptionLength = 100;
    public const int MaxNameLength = 32;
    public const int MaxChoiceNameLength = 100;
    public const int MaxChoiceStringLength = 100;
    public const int MaxStringOptionLength = 6000;
    public const int MaxTotalCharacters = 8000;
    public const int MaxChatInputCommands = 100;
    public const int MaxContextMenuCommandsPerType = 15;

    /// <summary>2^53 - 1: Discord's integer option bound.</summary>
    public const double MaxSafeInteger = 9007199254740991d;

    /// <summary>Throws <see cref="InvalidApplicationCommandsException"/> listing every problem, or returns.</summary>
    public static void EnsureValid(IReadOnlyList<ApplicationCommand> commands)
    {
        var errors = Validate(commands);
        if (errors.Count > 0)
        {
            throw new InvalidApplicationCommandsException(errors);
        }
    }

    public static IReadOnlyList<string> Validate(IReadOnlyList<ApplicationCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var errors = new List<string>();
        foreach (var type in Enum.GetValues<ApplicationCommandType>())
        {
            var count = commands.Count(c => c.Type == type);
            var limit = type == ApplicationCommandType.ChatInput ? MaxChatInputCommands : MaxContextMenuCommandsPerType;
            if (count > limit)
            {
                errors.Add($"{count} {type} commands declared; Discord allows at most {limit}.");
            }
        }

        foreach (var duplicate in commands.GroupBy(c => (c.Type, c.Name)).Where(g => g.Count() > 1))
        {
            errors.Add($"{duplicate.Key.Type} command '{duplicate.Key.Name}' is declared {duplicate.Count()} times.");
        }

        foreach (var command in commands)
        {
            ValidateCommand(command, errors);
        }

        return errors;
    }

    private static void ValidateCommand(ApplicationCommand command, List<string> errors)
    {
        var where = $"Command '{command.Name}'";
        if (command.Type == ApplicationCommandType.ChatInput)
        {
            CheckChatName(command.Name, where, errors);
            CheckDescription(command.Description, where, errors);
            CheckOptionList(command.Options, OptionLevel.Command, where, errors);
        }
        else
        {
            if (command.Name.Length is 0 or > MaxNameLength || string.IsNullOrWhiteSpace(command.Name))
            {
                errors.Add($"{where}: name must be 1-{MaxNameLength} characters (was {command.Name.Length}).");
            }

            if (command.Description.Length != 0)
            {
                errors.Add($"{where}: {command.Type} commands must have an empty description.");
            }

            if (command.Options.Count != 0)
            {
                errors.Add($"{where}: {command.Type} commands take no options.");
            }
        }

        if (command.Contexts is { } contexts && (contexts.Count == 0 || contexts.Distinct().Count() != contexts.Count))
        {
            errors.Add($"{where}: contexts must be a non-empty list without repeats.");
        }

        if (command.IntegrationTypes is { } types && (types.Count == 0 || types.Distinct().Count() != types.Count))
        {
            errors.Add($"{where}: integration_types must be a non-empty list without repeats.");
        }

        var total = CountCharacters(command);
        if (total > MaxTotalCharacters)
        {
            errors.Add($"{where}: names, descriptions and choice values total {total} characters; Discord allows {MaxTotalCharacters}.");
        }
    }

    private enum OptionLevel
    {
        Command,
        Group,
        Subcommand,
    }

    private static void CheckOptionList(IReadOnlyList<ApplicationCommandOption>? options, OptionLevel level, string where, List<string> errors)
    {
        if (options is null || options.Count == 0)
        {
            if (level == OptionLevel.Group)
            {
                errors.Add($"{where}: a subcommand group needs at least one subcommand.");
            }

            return;
        }

        if (options.Count > MaxOptions)
        {
            errors.Add($"{where}: {options.Count} options; Discord allows at most {MaxOptions}.");
        }

        foreach (var duplicate in options.GroupBy(o => o.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"{where}: option name '{duplicate.Key}' is used {duplicate.Count()} times.");
        }

        var nested = options.Count(o => o.Type is ApplicationCommandOptionType.SubCommand or ApplicationCommandOptionType.SubCommandGroup);
        switch (level)
        {
            case OptionLevel.Command when nested != 0 && nested != options.Count:
                errors.Add($"{where}: subcommands/groups cannot be mixed with plain options.");
                break;
            case OptionLevel.Group when options.Any(o => o.Type != ApplicationCommandOptionType.SubCommand):
                errors.Add($"{where}: a subcommand group may only contain subcommands.");
                break;
            case OptionLevel.Subcommand when nested != 0:
                errors.Add($"{where}: a subcommand cannot contain subcommands or groups.");
                break;
            default:
                break;
        }

        var firstOptional = options.ToList().FindIndex(o => !o.Required);
        if (firstOptional >= 0 && options.Skip(firstOptional).Any(o => o.Required))
        {
            errors.Add($"{where}: required options must come before optional ones ('{options.Skip(firstOptional).First(o => o.Required).Name}' follows an optional option).");
        }

        foreach (var option in options)
        {
            CheckOption(option, $"{where} > option '{option.Name}'", errors);
        }
    }

    private static void CheckOption(ApplicationCommandOption option, string where, List<string> errors)
    {
        CheckChatName(option.Name, where, errors);
        CheckDescription(option.Description, where, errors);
        var type = option.Type;
        var isNested = type is ApplicationCommandOptionType.SubCommand or ApplicationCommandOptionType.SubCommandGroup;
        var isChoosable = type is ApplicationCommandOptionType.String or ApplicationCommandOptionType.Integer or ApplicationCommandOptionType.Number;
        var isNumeric = type is ApplicationCommandOptionType.Integer or ApplicationCommandOptionType.Number;

        if (isNested)
        {
            if (option.Required)
            {
                errors.Add($"{where}: subcommands and groups cannot be required.");
            }

            CheckOptionList(option.Options, type == ApplicationCommandOptionType.SubCommandGroup ? OptionLevel.Group : OptionLevel.Subcommand, where, errors);
        }
        else if (option.Options is { Count: > 0 })
        {
            errors.Add($"{where}: only subcommands and groups have nested options.");
        }

        if (option.Autocomplete && !isChoosable)
        {
            errors.Add($"{where}: autocomplete is only for STRING, INTEGER and NUMBER options.");
        }

        if (option.Choices is { } choices)
        {
            CheckChoices(option, choices, isChoosable, where, errors);
        }

        if ((option.MinLength is not null || option.MaxLength is not null) && type != ApplicationCommandOptionType.String)
        {
            errors.Add($"{where}: min_length/max_length are only for STRING options.");
        }

        if (option.MinLength is < 0 or > MaxStringOptionLength || option.MaxLength is < 1 or > MaxStringOptionLength ||
            (option.MinLength is { } minLength && option.MaxLength is { } maxLength && minLength > maxLength))
        {
            errors.Add($"{where}: need 0 <= min_length ({option.MinLength}) <= max_length ({option.MaxLength}), 1 <= max_length <= {MaxStringOptionLength}.");
        }

        if ((option.MinValue is not null || option.MaxValue is not null) && !isNumeric)
        {
            errors.Add($"{where}: min_value/max_value are only for INTEGER and NUMBER options.");
        }

        if (option.MinValue is { } minValue && option.MaxValue is { } maxValue && minValue > maxValue)
        {
            errors.Add($"{where}: min_value ({minValue}) is greater than max_value ({maxValue}).");
        }

        if (type == ApplicationCommandOptionType.Integer &&
            new[] { option.MinValue, option.MaxValue }.Any(v => v is { } value && (Math.Abs(value) > MaxSafeInteger || Math.Floor(value) != value)))
        {
            errors.Add($"{where}: integer bounds must be whole numbers within ±(2^53-1).");
        }

        if (option.ChannelTypes is { } channelTypes && type != ApplicationCommandOptionType.Channel)
        {
            errors.Add($"{where}: channel_types are only for CHANNEL options.");
        }
        else if (option.ChannelTypes is { } distinctTypes && distinctTypes.Distinct().Count() != distinctTypes.Count)
        {
            errors.Add($"{where}: channel_types contains repeats.");
        }
    }

    private static void CheckChoices(ApplicationCommandOption option, IReadOnlyList<ApplicationCommandChoice> choices, bool isChoosable, string where, List<string> errors)
    {
        if (!isChoosable)
        {
            errors.Add($"{where}: choices are only for STRING, INTEGER and NUMBER options.");
            return;
        }

        if (option.Autocomplete)
        {
            errors.Add($"{where}: choices and autocomplete cannot be combined.");
        }

        if (choices.Count > MaxChoices)
        {
            errors.Add($"{where}: {choices.Count} choices; Discord allows at most {MaxChoices}.");
        }

        foreach (var choice in choices)
        {
            if (choice.Name.Length is 0 or > MaxChoiceNameLength)
            {
                errors.Add($"{where}: choice name '{choice.Name}' must be 1-{MaxChoiceNameLength} characters.");
            }

            var matchesType = option.Type switch
            {
                ApplicationCommandOptionType.String => choice.Value is string,
                ApplicationCommandOptionType.Integer => choice.Value is long or int,
                _ => choice.Value is double or float or long or int,
            };
            if (!matchesType)
            {
                errors.Add($"{where}: choice '{choice.Name}' has a {choice.Value.GetType().Name} value; a {option.Type} option needs matching values.");
            }
            else if (choice.Value is string text && text.Length > MaxChoiceStringLength)
            {
                errors.Add($"{where}: choice '{choice.Name}' value is longer than {MaxChoiceStringLength} characters.");
            }
            else if (choice.Value is long whole && Math.Abs((double)whole) > MaxSafeInteger)
            {
                errors.Add($"{where}: choice '{choice.Name}' value is outside ±(2^53-1).");
            }
        }
    }

    private static void CheckChatName(string name, string where, List<string> errors)
    {
        if (!ChatNamePattern().IsMatch(name))
        {
            errors.Add($"{where}: name must be 1-{MaxNameLength} letters, digits, '-', '_' or apostrophes (was '{name}').");
        }
        else if (!string.Equals(name, name.ToLowerInvariant(), StringComparison.Ordinal))
        {
            errors.Add($"{where}: name must be lowercase (was '{name}').");
        }
    }

    private static void CheckDescription(string description, string where, List<string> errors)
    {
        if (description.Length is 0 or > MaxDescriptionLength || string.IsNullOrWhiteSpace(description))
        {
            errors.Add($"{where}: description must be 1-{MaxDescriptionLength} characters (was {description.Length.ToString(CultureInfo.InvariantCulture)}).");
        }
    }

    private static int CountCharacters(ApplicationCommand command) =>
        command.Name.Length + command.Description.Length + command.Options.Sum(CountCharacters);

    private static int CountCharacters(ApplicationCommandOption option) =>
        option.Name.Length + option.Description.Length +
        (option.Choices?.Sum(choice => choice.Name.Length + (choice.Value as string ?? Convert.ToString(choice.Value, CultureInfo.InvariantCulture)!).Length) ?? 0) +
        (option.Options?.Sum(CountCharacters) ?? 0);

    // Discord's rule uses \p{sc=Deva} and \p{sc=Thai}; .NET has no script classes, so the Unicode blocks stand in
    // (they also admit the combining marks those scripts need).
    [GeneratedRegex(@"^[-_'\p{L}\p{N}\p{IsDevanagari}\p{IsThai}]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex ChatNamePattern();
}

/// <summary>The declared commands break Discord's rules; <see cref="Errors"/> names each problem.</summary>
public sealed class InvalidApplicationCommandsException(IReadOnlyList<string> errors)
    : Exception("The declared application commands are invalid:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
