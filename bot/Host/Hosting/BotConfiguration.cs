using Microsoft.Extensions.Configuration;

namespace DiscordLedgerBot.Hosting;

/// <summary>
/// Configuration layering shared by the host and the operator CLI, lowest precedence first:
/// appsettings.json → config file (<c>--config PATH</c>, <c>DLB_CONFIG</c>, or ./config.json) → environment variables
/// (<c>Monday__Token</c>) → command line (<c>--Monday:Token=…</c>).
/// </summary>
public static class BotConfiguration
{
    public const string ConfigFileEnvironmentVariable = "DLB_CONFIG";

    public static IConfigurationRoot Build(IReadOnlyList<string> args, IEnumerable<KeyValuePair<string, string?>>? overlay = null)
    {
        var builder = new ConfigurationBuilder();
        Apply(builder, args, overlay);
        return builder.Build();
    }

    /// <summary>Replaces the sources of <paramref name="builder"/> with the bot's layering.</summary>
    /// <param name="overlay">Settings above the files but below env and command line (the sandbox's emulator endpoints).</param>
    public static void Apply(IConfigurationBuilder builder, IReadOnlyList<string> args, IEnumerable<KeyValuePair<string, string?>>? overlay = null)
    {
        builder.Sources.Clear();
        builder.SetBasePath(Directory.GetCurrentDirectory());
        builder.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        var configFile = ConfigFilePath(args);
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new FileNotFoundException($"The configuration file '{configFile}' does not exist.", configFile);
            }

            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        else
        {
            builder.AddJsonFile(Path.GetFullPath("config.json"), optional: true, reloadOnChange: false);
        }

        if (overlay is not null)
        {
            builder.AddInMemoryCollection(overlay);
        }

        // ASPNETCORE_URLS and friends keep their usual meaning (the container image sets ASPNETCORE_URLS).
        builder.AddEnvironmentVariables("ASPNETCORE_");
        builder.AddEnvironmentVariables();
        builder.AddCommandLine(HostSwitches(args).ToArray());
    }

    private static string? ConfigFilePath(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--config" && i + 1 < args.Count)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                return args[i]["--config=".Length..];
            }
        }

        return Environment.GetEnvironmentVariable(ConfigFileEnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
    }

    /// <summary><paramref name="args"/> without the words this class reads (<c>--config FILE</c>, <c>--Section:Key=value</c>).</summary>
    public static IReadOnlyList<string> WithoutConfigurationWords(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rest = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--config")
            {
                i++;
                continue;
            }

            if (args[i].StartsWith("--config=", StringComparison.Ordinal) || IsHostSwitch(args[i]))
            {
                continue;
            }

            rest.Add(args[i]);
        }

        return rest;
    }

    private static bool IsHostSwitch(string word) =>
        word.StartsWith("--urls=", StringComparison.Ordinal) || (word.StartsWith("--", StringComparison.Ordinal) && word.Contains(':', StringComparison.Ordinal) && word.Contains('=', StringComparison.Ordinal)
        && word.IndexOf(':', StringComparison.Ordinal) < word.IndexOf('=', StringComparison.Ordinal));

    // Only `--Section:Key=value` words are configuration; verb options like `--json` belong to the verb.
    private static IEnumerable<string> HostSwitches(IReadOnlyList<string> args) =>
        args.Where(IsHostSwitch);
}
