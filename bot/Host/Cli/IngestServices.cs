using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Redis;
using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Cli;

/// <summary>
/// The services an ingest verb runs on, composed exactly as the host composes them (storage, monday ledger, outbox),
/// with every option validated before anything touches the store or monday.
/// </summary>
internal static class IngestServices
{
    /// <exception cref="IngestConfigurationException">A setting is missing or invalid; the message names each key.</exception>
    public static async Task<ServiceProvider> OpenAsync(CliContext context, bool withMonday)
    {
        var configuration = context.Configuration;
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddSingleton(context.Time);
        services.AddLogging(logging => logging
            .AddConfiguration(configuration.GetSection("Logging"))
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true)
            // stdout carries the verb's answer; logs go to stderr.
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        services.Configure<StorageOptions>(configuration.GetSection(StorageOptions.SectionName));
        services.Configure<RedisOptions>(configuration.GetSection(RedisOptions.SectionName));
        services.AddLedgerStorage();
        if (withMonday)
        {
            services.AddMondayLedger(configuration);
            services.AddSingleton<IValidateOptions<MondayOptions>, BoardRequired>();
        }

        // Without monday (submit, status) only ingestion and the store are resolved; the flusher needs the ledger.
        services.AddLedgerOutbox(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
        try
        {
            provider.GetService<IStartupValidator>()?.Validate();
            _ = provider.GetRequiredService<IStorageBackend>();
        }
        catch (OptionsValidationException invalid)
        {
            await provider.DisposeAsync();
            throw new IngestConfigurationException(string.Join(Environment.NewLine, invalid.Failures));
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }

        return provider;
    }

    private sealed class BoardRequired : IValidateOptions<MondayOptions>
    {
        public ValidateOptionsResult Validate(string? name, MondayOptions options) =>
            string.IsNullOrEmpty(options.BoardId)
                ? ValidateOptionsResult.Fail("Monday:BoardId is required to drain the outbox (env Monday__BoardId); run `bot provision` to create the board.")
                : ValidateOptionsResult.Success;
    }
}

/// <summary>The configuration does not allow the verb to run; nothing was touched.</summary>
internal sealed class IngestConfigurationException(string message) : Exception(message);
