using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Emulators.CloudWatch;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Emulators.Github;
using DiscordLedgerBot.Emulators.Monday;

namespace DiscordLedgerBot.Sandbox;

/// <summary>
/// `bot emulate monday|discord|github|cloudwatch --port N`: runs one of our emulators on 127.0.0.1 until Ctrl+C, for manual testing,
/// out-of-process tests and sandbox use. Never part of production wiring.
/// </summary>
public sealed class EmulateCommand : ICliCommand
{
    public string Verb => "emulate";

    public string Summary => "Run the monday, Discord, GitHub or CloudWatch emulator on 127.0.0.1 until Ctrl+C";

    public string Usage => """
        usage: bot emulate monday  --port N [--state FILE] [--token TOKEN] [--complexity-per-minute POINTS]
               bot emulate discord --port N [--token TOKEN]
               bot emulate github --port N [--token TOKEN]     (seeded with the sandbox's repository)
               bot emulate cloudwatch --port N                 (prints the access key pair it verifies SigV4 with)
          --port N                  TCP port on 127.0.0.1 (0 = a free port, printed at start)
          --state FILE              monday only: load state from FILE and save every change to it (atomic)
          --token TOKEN             require this token (monday: Authorization; Discord: the bot token; GitHub: the bearer token)
          --complexity-per-minute   monday only: complexity budget per minute (default 10000000)
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = CliArguments.Parse(args, ["port", "state", "token", "complexity-per-minute"]);
        if (options.Positionals.Count != 1)
        {
            throw new CliUsageException("Say which emulator to run: monday, discord, github or cloudwatch.");
        }

        var port = options.Int("port") ?? throw new CliUsageException("Option --port is required.");
        if (port is < 0 or > 65535)
        {
            throw new CliUsageException($"--port must be 0..65535, got {port}.");
        }

        switch (options.Positionals[0])
        {
            case "monday":
                return await RunMondayAsync(context, options, port, cancellationToken);
            case "discord":
                if (options.Has("state") || options.Has("complexity-per-minute"))
                {
                    throw new CliUsageException("--state and --complexity-per-minute apply to the monday emulator only.");
                }

                return await RunDiscordAsync(context, options, port, cancellationToken);
            case "github" or "cloudwatch" when options.Has("state") || options.Has("complexity-per-minute"):
                throw new CliUsageException("--state and --complexity-per-minute apply to the monday emulator only.");
            case "github":
                return await RunGitHubAsync(context, options, port, cancellationToken);
            case "cloudwatch" when options.Has("token"):
                throw new CliUsageException("The CloudWatch emulator verifies SigV4 signatures, not a token: drop --token.");
            case "cloudwatch":
                return await RunCloudWatchAsync(context, port, cancellationToken);
            default:
                throw new CliUsageException($"Unknown emulator '{options.Positionals[0]}': expected monday, discord, github or cloudwatch.");
        }
    }

    private static async Task<int> RunMondayAsync(CliContext context, CliArguments options, int port, CancellationToken cancellationToken)
    {
        var settings = new MondayEmulatorOptions
        {
            Port = port,
            StateFile = options.Value("state"),
            RequiredToken = options.Value("token"),
            TimeProvider = context.Time,
        };
        if (options.Int("complexity-per-minute") is { } budget)
        {
            settings.RateLimits.ComplexityPerMinute = budget > 0 ? budget : throw new CliUsageException("--complexity-per-minute must be positive.");
        }

        await using var emulator = await MondayEmulator.StartAsync(settings, cancellationToken);
        await context.Output.WriteLineAsync($"monday emulator listening on {emulator.ApiUrl} (Ctrl+C to stop)");
        await emulator.RunUntilCancelledAsync(cancellationToken);
        return 0;
    }

    private static async Task<int> RunDiscordAsync(CliContext context, CliArguments options, int port, CancellationToken cancellationToken)
    {
        var settings = new DiscordEmulatorOptions { Port = port, TimeProvider = context.Time };
        if (options.Value("token") is { } token)
        {
            settings.BotToken = token;
        }

        await using var emulator = await DiscordEmulator.StartAsync(settings, cancellationToken);
        await context.Output.WriteLineAsync($"Discord emulator: REST {emulator.RestBaseUrl}, gateway {emulator.GatewayUrl} (Ctrl+C to stop)");
        await emulator.RunUntilCancelledAsync(cancellationToken);
        return 0;
    }

    private static async Task<int> RunGitHubAsync(CliContext context, CliArguments options, int port, CancellationToken cancellationToken)
    {
        var settings = new GitHubEmulatorOptions { Port = port, TimeProvider = context.Time };
        if (options.Value("token") is { } token)
        {
            settings.Token = token;
        }

        await using var emulator = await GitHubEmulator.StartAsync(settings, cancellationToken);
        emulator.SeedSandbox(context.Time.GetUtcNow());
        await context.Output.WriteLineAsync($"GitHub emulator listening on {emulator.ApiUrl} (token {settings.Token}; Ctrl+C to stop)");
        await emulator.RunUntilCancelledAsync(cancellationToken);
        return 0;
    }

    private static async Task<int> RunCloudWatchAsync(CliContext context, int port, CancellationToken cancellationToken)
    {
        var settings = new CloudWatchEmulatorOptions { Port = port, TimeProvider = context.Time };
        await using var emulator = await CloudWatchEmulator.StartAsync(settings, cancellationToken);
        await context.Output.WriteLineAsync($"CloudWatch emulator listening on {emulator.Url} (access key {settings.AccessKeyId}; Ctrl+C to stop)");
        await emulator.RunUntilCancelledAsync(cancellationToken);
        return 0;
    }
}
