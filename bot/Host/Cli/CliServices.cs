using System.Text.Json;
using System.Text.Json.Serialization;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Handoff;
using DiscordLedgerBot.Hosting;

namespace DiscordLedgerBot.Cli;

/// <summary>
/// The product as an operator verb sees it: the services <see cref="LedgerBotComposition.AddLedgerBot"/> composes for
/// the CLI role from the layered configuration, with the options the verb needs validated all at once before anything
/// touches a store or monday. Logs go to stderr; stdout carries the verb's answer.
/// </summary>
public sealed class CliServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private CliServices(ServiceProvider provider) => _provider = provider;

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Console output for people and scripts, never embedded in HTML: keep quotes and non-ASCII readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public IServiceProvider Services => _provider;

    /// <param name="configure">Verb-specific substitutions (e.g. `provision --board` overriding the board), applied before composition.</param>
    /// <exception cref="CliConfigurationException">Settings are missing or invalid; the message names each key and env variable.</exception>
    public static CliServices Open(CliContext context, Action<IServiceCollection>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = new ServiceCollection();
        services.AddSingleton(context.Configuration);
        services.AddSingleton(context.Time);
        services.AddLogging(logging => logging
            .AddConfiguration(context.Configuration.GetSection("Logging"))
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        configure?.Invoke(services);
        services.AddLedgerBot(context.Configuration, LedgerBotRole.Cli);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
        var failures = LedgerBotComposition.ValidateOptions(provider, LedgerBotComposition.OptionsFor(LedgerBotRole.Cli));
        if (failures.Count > 0)
        {
            provider.Dispose();
            throw new CliConfigurationException(string.Join(Environment.NewLine, failures));
        }

        return new CliServices(provider);
    }

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    /// <summary>True when the running bot holds the store and receives this verb's commands (it also sends them).</summary>
    public bool HandsOffToBot => Get<IStorageBackend>() is HandoffStorage;

    /// <summary>For verbs that read or write the ledger board: a missing <c>Monday:BoardId</c> is a configuration error.</summary>
    public void RequireBoard()
    {
        if (string.IsNullOrEmpty(Get<Microsoft.Extensions.Options.IOptions<Core.Monday.MondayOptions>>().Value.BoardId))
        {
            throw new CliConfigurationException(LedgerBotComposition.BoardRequired);
        }
    }

    /// <summary>Refuses a write verb in read-only mode before anything is asked or recorded.</summary>
    public void EnsureWritable()
    {
        if (Get<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value.ReadOnly)
        {
            throw new LedgerReadOnlyException();
        }
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}

/// <summary>The configuration does not allow the verb to run; nothing was touched. Exit code 2.</summary>
public sealed class CliConfigurationException(string message) : Exception(message);
