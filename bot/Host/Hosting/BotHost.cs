using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Outbox;
using DiscordLedgerBot.Registry;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Hosting;

/// <summary>Composes and runs the long-running bot process (web host, jobs, gateway).</summary>
public static class BotHost
{
    /// <summary>Exit code when the configuration is incomplete or invalid (the message names each key).</summary>
    public const int ConfigurationError = 3;

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) => RunAsync(args, null, cancellationToken);

    /// <param name="extension">What the sandbox (or a test kit) adds around the product's composition; null in production.</param>
    public static async Task<int> RunAsync(string[] args, IBotHostExtension? extension, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        BotConfiguration.Apply(builder.Configuration, args);
        if (extension is not null)
        {
            await extension.ConfigureAsync(builder, cancellationToken);
        }

        AddBotServices(builder);
        var app = builder.Build();
        MapBotEndpoints(app);
        extension?.Configure(app);

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

/// <summary>A seam for entry points that wrap the product host (the sandbox adds emulators and writes its endpoints).</summary>
public interface IBotHostExtension
{
    /// <summary>Called before the product's services are added: add configuration sources or substitute services.</summary>
    Task ConfigureAsync(WebApplicationBuilder builder, CancellationToken cancellationToken);

    /// <summary>Called once the app is built and its endpoints are mapped.</summary>
    void Configure(WebApplication app);
}
