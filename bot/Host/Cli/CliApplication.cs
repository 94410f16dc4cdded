using System.Runtime.InteropServices;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Handoff;
using DiscordLedgerBot.Hosting;

namespace DiscordLedgerBot.Cli;

/// <summary>Entry point: routes the first word to an operator command, or runs the bot host.</summary>
public static class CliApplication
{
    /// <summary>Exit code for a command line that does not fit a verb's usage.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code when the ledger, monday or the store refused the request; nothing was changed.</summary>
    public const int Rejected = 1;

    /// <summary>Exit code for a write refused because <c>Ledger:ReadOnly</c> is on.</summary>
    public const int ReadOnlyRefused = 5;

    /// <summary>
    /// Exit code when shared state changed under the write every time it was tried (another bot process writing the
    /// same registry); nothing was saved and running the command again is safe.
    /// </summary>
    public const int ConcurrentChange = 6;

    /// <summary>Exit code after Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>Runs the production executable: the bot host or one of <see cref="CliCommands.All"/>.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, CliCommands.All, BotHost.RunAsync, Console.Out, Console.Error, CancellationToken.None);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, CliCommands.All, BotHost.RunAsync, output, error, cancellationToken);

    /// <param name="commands">The verbs this executable offers (the sandbox adds its own to the product's).</param>
    /// <param name="runHost">Hosts the bot when no verb is given (or `run`).</param>
    /// <param name="overlay">Settings every verb sees above the config files (the sandbox points verbs at its emulators).</param>
    public static async Task<int> RunAsync(
        string[] args,
        IReadOnlyList<ICliCommand> commands,
        Func<string[], CancellationToken, Task<int>> runHost,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken,
        IEnumerable<KeyValuePair<string, string?>>? overlay = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(runHost);
        if (args.Length == 0 || args[0] == "run" || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            var hostArgs = args.Length > 0 && args[0] == "run" ? args[1..] : args;
            return await runHost(hostArgs, cancellationToken);
        }

        if (args[0] is "help" or "-h" or "--help")
        {
            PrintHelp(output, commands);
            return 0;
        }

        var command = commands.FirstOrDefault(c => c.Verb == args[0]);
        if (command is null)
        {
            await error.WriteLineAsync($"Unknown command '{args[0]}'.");
            PrintHelp(error, commands);
            return UsageError;
        }

        var rest = args[1..];
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            await output.WriteLineAsync(command.Usage);
            return 0;
        }

        IConfiguration configuration;
        try
        {
            configuration = BotConfiguration.Build(rest, overlay);
        }
        catch (FileNotFoundException missing)
        {
            await error.WriteLineAsync($"error: {missing.Message}");
            return UsageError;
        }

        // Configuration words (--config FILE, --Section:Key=value) are the same for every verb and never reach it.
        var verbArgs = BotConfiguration.WithoutConfigurationWords(rest);
        var context = new CliContext(configuration, output, error);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // Containers and process supervisors stop us with SIGTERM: treat it like Ctrl+C so verbs shut down cleanly.
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            cancellation.Cancel();
        });
        try
        {
            return await command.RunAsync(context, verbArgs, cancellation.Token);
        }
        catch (CliUsageException usage)
        {
            await error.WriteLineAsync($"error: {usage.Message}");
            await error.WriteLineAsync(command.Usage);
            return UsageError;
        }
        catch (CliConfigurationException invalid)
        {
            await error.WriteLineAsync("error: the configuration is incomplete or invalid:");
            foreach (var line in invalid.Message.Split(Environment.NewLine))
            {
                await error.WriteLineAsync($"  - {line}");
            }

            await error.WriteLineAsync("Set these in config.json (or --config FILE), as environment variables (see .env.sample) or as --Section:Key=value.");
            return UsageError;
        }
        catch (LedgerReadOnlyException readOnly)
        {
            await error.WriteLineAsync($"error: {readOnly.Message}");
            return ReadOnlyRefused;
        }
        catch (Core.Registry.RegistryConcurrencyException conflict)
        {
            await error.WriteLineAsync($"error: {conflict.Message} (another process changed the registry meanwhile; nothing was saved, run it again)");
            return ConcurrentChange;
        }
        catch (Exception failure) when (failure is StorageException or MondayBoardNotAllowedException or MondayBoardMissingException or HandoffRefusedException or MondayRequestException)
        {
            await error.WriteLineAsync($"error: {failure.Message}");
            return Rejected;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Ctrl+C / SIGTERM: what was recorded stays in the outbox; nothing is half-written.
            await error.WriteLineAsync("cancelled");
            return Cancelled;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void PrintHelp(TextWriter writer, IReadOnlyList<ICliCommand> commands)
    {
        writer.WriteLine("usage: bot [run] [--config FILE] [--Section:Key=value ...]   host the bot (gateway, HTTP API on " + BotHost.DefaultUrl + ", jobs)");
        writer.WriteLine("       ./run.sh --sandbox                                 the same bot against in-process emulators (no accounts needed)");
        writer.WriteLine("       bot <command> [options]                        operator commands:");
        foreach (var command in commands)
        {
            writer.WriteLine($"  {command.Verb,-12} {command.Summary}");
        }

        writer.WriteLine("Every command takes --config FILE and --Section:Key=value settings. Run `bot <command> --help` for its options.");
        writer.WriteLine("Exit codes: 0 ok, 1 rejected (nothing changed), 2 usage or configuration error, 5 read-only mode, 6 changed concurrently by another process (nothing saved; retry), 130 cancelled.");
    }
}
