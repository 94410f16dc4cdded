using System.Runtime.InteropServices;
using DiscordLedgerBot.Hosting;

namespace DiscordLedgerBot.Cli;

/// <summary>Entry point: routes the first word to an operator command, or runs the bot host.</summary>
public static class CliApplication
{
    /// <summary>Exit code for a command line that does not fit a verb's usage.</summary>
    public const int UsageError = 2;

    /// <summary>Runs the production executable: the bot host or one of <see cref="CliCommands.All"/>.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, CliCommands.All, BotHost.RunAsync, Console.Out, Console.Error, CancellationToken.None);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, CliCommands.All, BotHost.RunAsync, output, error, cancellationToken);

    /// <param name="commands">The verbs this executable offers (the sandbox adds its own to the product's).</param>
    /// <param name="runHost">Hosts the bot when no verb is given (or `run`).</param>
    public static async Task<int> RunAsync(
        string[] args,
        IReadOnlyList<ICliCommand> commands,
        Func<string[], CancellationToken, Task<int>> runHost,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
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

        var context = new CliContext(BotConfiguration.Build(rest), output, error);
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
            return await command.RunAsync(context, rest, cancellation.Token);
        }
        catch (CliUsageException usage)
        {
            await error.WriteLineAsync($"error: {usage.Message}");
            await error.WriteLineAsync(command.Usage);
            return UsageError;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void PrintHelp(TextWriter writer, IReadOnlyList<ICliCommand> commands)
    {
        writer.WriteLine("usage: bot [run] [--sandbox] [--Section:Key=value ...]   host the bot (gateway, HTTP API, jobs);");
        writer.WriteLine("                                                    --sandbox wires it to in-process emulators");
        writer.WriteLine("       bot <command> [options]                        operator commands:");
        foreach (var command in commands)
        {
            writer.WriteLine($"  {command.Verb,-12} {command.Summary}");
        }

        writer.WriteLine("Run `bot <command> --help` for a command's options.");
    }
}
