using DiscordLedgerBot.Api;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Handoff;
using DiscordLedgerBot.Sync;
using DiscordLedgerBot.Mcp;
using DiscordLedgerBot.Registry;
using DiscordLedgerBot.Telemetry;

namespace DiscordLedgerBot.Hosting;

/// <summary>Composes and runs the long-running bot process (web host, jobs, gateway).</summary>
public static class BotHost
{
    /// <summary>Exit code when the configuration is incomplete or invalid (the message names each key).</summary>
    public const int ConfigurationError = 3;

    /// <summary>Exit code when another process holds the data directory.</summary>
    public const int StoreHeld = 4;

    /// <summary>Where the bot listens unless <c>--urls</c> / <c>ASPNETCORE_URLS</c> says otherwise; `bot healthcheck` probes it.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) => RunAsync(args, null, cancellationToken);

    /// <param name="extension">What the sandbox (or a test kit) adds around the product's composition; null in production.</param>
    public static async Task<int> RunAsync(string[] args, IBotHostExtension? extension, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = await BuildAsync(args, extension, cancellationToken);
        }
        catch (FileNotFoundException missingConfig)
        {
            await Console.Error.WriteLineAsync($"The bot cannot start: {missingConfig.Message}");
            return ConfigurationError;
        }

        await using (app)
        {
            // Checked before the host starts, so a bad start is a short list of what to fix, not a stack trace.
            var failures = LedgerBotComposition.ValidateOptions(app.Services, LedgerBotComposition.OptionsFor(LedgerBotRole.Bot));
            if (failures.Count > 0)
            {
                await Console.Error.WriteLineAsync("The bot cannot start: its configuration is incomplete or invalid.");
                foreach (var failure in failures)
                {
                    await Console.Error.WriteLineAsync($"  - {failure}");
                }

                await Console.Error.WriteLineAsync("Set these in config.json, as environment variables (see .env.sample) or on the command line (--Section:Key=value).");
                return ConfigurationError;
            }

            try
            {
                _ = app.Services.GetRequiredService<IStorageBackend>();
            }
            catch (StorageLockedException held)
            {
                var storage = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value;
                var owner = BotEndpointFile.TryRead(storage.DataDirectory) is { } other ? $" Another bot (pid {other.ProcessId}, {other.Url}) runs on it." : string.Empty;
                await Console.Error.WriteLineAsync($"The bot cannot start: {held.Message}{owner} Stop that process or give this one its own Storage:DataDirectory.");
                return StoreHeld;
            }

            await app.RunAsync(cancellationToken);
            return 0;
        }
    }

    /// <summary>The composed, not yet started bot; test kits start it themselves.</summary>
    public static async Task<WebApplication> BuildAsync(string[] args, IBotHostExtension? extension, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        BotConfiguration.Apply(builder.Configuration, args);
        if (extension is not null)
        {
            await extension.ConfigureAsync(builder, cancellationToken);
        }

        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.AddServiceDefaults();
        builder.Services.AddLedgerBot(builder.Configuration, LedgerBotRole.Bot);
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapLedgerBotMetrics();
        app.MapLedgerBotApi();
        app.MapMondayWebhooks();
        app.MapLedgerBotMcp();
        app.MapRegistryAdmin();
        app.MapLocalHandoff();

        // The HTTP interactions endpoint is optional: it needs the application's public key to verify signatures.
        if (!string.IsNullOrEmpty(app.Configuration["Discord:PublicKey"]))
        {
            app.MapDiscordInteractions();
        }

        extension?.Configure(app);
        return app;
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
