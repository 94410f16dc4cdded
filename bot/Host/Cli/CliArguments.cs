namespace DiscordLedgerBot.Cli;

/// <summary>
/// Minimal `--name value` / `--flag` parsing for operator verbs. Unknown or repeated options are usage errors,
/// so a typo never silently changes what a command does.
/// </summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = [];

    private CliArguments()
    {
    }

    public IReadOnlyList<string> Positionals => _positionals;

    /// <param name="args">The words after the verb.</param>
    /// <param name="valueOptions">Options that take a value (without the leading dashes).</param>
    /// <param name="flagOptions">Options that take no value.</param>
    public static CliArguments Parse(IReadOnlyList<string> args, IEnumerable<string> valueOptions, IEnumerable<string>? flagOptions = null)
    {
        var values = new HashSet<string>(valueOptions, StringComparer.Ordinal);
        var flags = new HashSet<string>(flagOptions ?? [], StringComparer.Ordinal);
        var parsed = new CliArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var word = args[i];
            if (!word.StartsWith("--", StringComparison.Ordinal) || word == "--")
            {
                parsed._positionals.Add(word);
                continue;
            }

            var name = word[2..];
            string? inlineValue = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                inlineValue = name[(equals + 1)..];
                name = name[..equals];
            }

            if (parsed._options.ContainsKey(name))
            {
                throw new CliUsageException($"Option --{name} was given more than once.");
            }

            if (flags.Contains(name))
            {
                if (inlineValue is not null)
                {
                    throw new CliUsageException($"Option --{name} takes no value.");
                }

                parsed._options[name] = null;
            }
            else if (values.Contains(name))
            {
                if (inlineValue is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new CliUsageException($"Option --{name} needs a value.");
                    }

                    inlineValue = args[++i];
                }

                parsed._options[name] = inlineValue;
            }
            else
            {
                throw new CliUsageException($"Unknown option --{name}.");
            }
        }

        return parsed;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Value(string name) => _options.TryGetValue(name, out var value) ? value : null;

    public string Required(string name) =>
        Value(name) is { Length: > 0 } value ? value : throw new CliUsageException($"Option --{name} is required.");

    public int? Int(string name)
    {
        var raw = Value(name);
        if (raw is null)
        {
            return null;
        }

        return int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CliUsageException($"Option --{name} must be a whole number, got '{raw}'.");
    }
}

/// <summary>A command line that does not fit the verb's usage; the CLI prints it with the usage and exits 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
