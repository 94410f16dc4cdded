using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Outbox;
using DiscordLedgerBot.Registry;
using DiscordLedgerBot.Sandbox;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Hosting;

/// <summary>Composes and runs the long-running bot process (web host, jobs, gateway).</summary>
public static class BotHost
{
    /// <summary>Exit code when the configuration is incomplete or invalid (the message names each key).</summary>
    public const int ConfigurationError = 3;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var sandboxRequested = args.Contains("--sandbox");
        var hostArgs = args.Where(a => a != "--sandbox").ToArray();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = hostArgs });
        BotConfiguration.Apply(builder.Configuration, hostArgs);

        await using var sandbox = sandboxRequested
            ? await SandboxEnvironment.StartAsync(Path.GetFullPath(builder.Configuration["Sandbox:DataDirectory"] ?? "data/sandbox"), TimeProvider.System, cancellationToken)
            : null;
        if (sandbox is not null)
        {
            builder.Configuration.AddInMemoryCollection(sandbox.ConfigurationOverrides());
        }

        AddBotServices(builder);
        var app = builder.Build();
        MapBotEndpoints(app);

        if (sandbox is not null)
        {
            app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
                "Sandbox: monday emulator {MondayUrl} (board {BoardId}), Discord emulator {DiscordUrl}, data in {DataDirectory}. Registry admin token printed once: {AdminToken}",
                sandbox.MondayApiUrl, sandbox.BoardId, sandbox.DiscordRestUrl, sandbox.DataDirectory, sandbox.AdminToken));
        }

        try
        {
            await app.RunAsync(cancellationToken);
            return 0;
        }
        catch (Exception e) when (ValidationFailures(e) is { Count: > 0 } failures)
        {
            await Console.Error.WriteLineAsync("The bot cannot start: its configuration is incomplete or invalid.");
            foreach (var failure in failures)
            {
                await Console.Error.WriteLineAsync($"  - {failure}");
            }

            await Console.Error.WriteLineAsync("Set these in config.json, as environment variables (see .env.sample) or on the command line (--Section:Key=value).");
            return ConfigurationError;
        }
    }

    // Start-up validation reports one options type, or several at once wrapped in an AggregateException.
    private static List<string> ValidationFailures(Exception exception) => exception switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        AggregateException aggregate => [.. aggregate.Flatten().InnerExceptions.SelectMany(ValidationFailures)],
        _ => [],
    };

    private static void AddBotServices(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        builder.AddServiceDefaults();

        services.AddMondayLedger(configuration);

        services.Configure<StorageOptions>(configuration.GetSection(StorageOptions.SectionName));
        services.Configure<RedisOptions>(configuration.GetSection(RedisOptions.SectionName));
        services.AddLedgerStorage();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        services.AddLedgerOutboxWorker(configuration);

        // Registered before the registry so its TryAdd keeps this one: selection rationale goes to the ledger.
        services.AddSingleton<IDecisionRecorder, OutboxDecisionRecorder>();
        services.AddCapabilityRegistry(configuration);

        services.AddDiscordClient(configuration).AddDiscordGatewayHostedService();
        services.AddDiscordInteractions(configuration, _ => { });
    }

    private static void MapBotEndpoints(WebApplication app)
    {
        app.MapServiceDefaults();
        app.MapRegistryAdmin();

        // The HTTP interactions endpoint is optional: it needs the application's public key to verify signatures.
        if (!string.IsNullOrEmpty(app.Configuration["Discord:PublicKey"]))
        {
            app.MapDiscordInteractions();
        }
    }
}
