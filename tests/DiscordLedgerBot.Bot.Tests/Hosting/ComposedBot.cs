using System.Collections.Concurrent;
using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Hosting;
using DiscordLedgerBot.Sandbox;
using DiscordLedgerBot.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Bot.Tests.Hosting;

/// <summary>
/// The product as `./run.sh --sandbox` runs it: the production composition (<see cref="BotHost.BuildAsync"/>) on real
/// Kestrel with monday and Discord emulators on loopback sockets and the file store in a temp directory. Operator
/// verbs run as `./run.sh --sandbox VERB` does: the production CLI with the endpoints file the sandbox published.
/// </summary>
internal sealed class ComposedBot : IAsyncDisposable
{
    private readonly SandboxHost _sandbox;
    private readonly WebApplication _app;

    private ComposedBot(SandboxHost sandbox, WebApplication app, string dataDirectory, CollectingLoggerProvider logs)
    {
        _sandbox = sandbox;
        _app = app;
        DataDirectory = dataDirectory;
        Logs = logs;
    }

    public string DataDirectory { get; }

    public IServiceProvider Services => _app.Services;

    public CollectingLoggerProvider Logs { get; }

    public SandboxEnvironment Environment => _sandbox.Environment;

    /// <summary>Where the bot's Kestrel listens (the /api/v1, /mcp, /metrics endpoints).</summary>
    public Uri BotUrl => new(_app.Urls.First());

    /// <summary>An HttpClient for the bot, with <paramref name="bearerToken"/> when given.</summary>
    public HttpClient Http(string? bearerToken = null)
    {
        var http = new HttpClient { BaseAddress = BotUrl, Timeout = TimeSpan.FromSeconds(60) };
        if (bearerToken is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearerToken);
        }

        return http;
    }

    public static Task<ComposedBot> StartAsync(params string[] settings) => StartAsync(_ => { }, settings);

    /// <param name="overSandbox">Settings that win even over the sandbox's own.</param>
    public static Task<ComposedBot> StartAsync(IReadOnlyDictionary<string, string?> overSandbox, params string[] settings) =>
        StartAsync(builder => builder.Configuration.AddInMemoryCollection(overSandbox), settings);

    /// <param name="configure">What a test adds to the host before the product composes (e.g. an in-memory telemetry exporter).</param>
    public static async Task<ComposedBot> StartAsync(Action<WebApplicationBuilder> configure, params string[] settings)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("dlb-composed-").FullName;
        var logs = new CollectingLoggerProvider();
        var sandbox = new SandboxHost(builder =>
        {
            builder.Logging.AddProvider(logs);
            configure(builder);
        });
        string[] args = [$"--Sandbox:DataDirectory={dataDirectory}", $"--urls=http://127.0.0.1:{FreeTcpPort.Next()}", "--Outbox:FlushInterval=00:00:00.050", .. settings];
        var app = await BotHost.BuildAsync(args, sandbox, CancellationToken.None);
        await app.StartAsync();
        return new ComposedBot(sandbox, app, dataDirectory, logs);
    }

    /// <summary>Runs an operator verb in-process exactly as the sandbox executable does.</summary>
    public async Task<(int Exit, string Output, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApplication.RunAsync(
            args,
            CliCommands.All,
            (_, _) => throw new InvalidOperationException("Verbs only."),
            output,
            error,
            CancellationToken.None,
            SandboxHost.PublishedConfiguration(DataDirectory));
        return (exit, output.ToString(), error.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _sandbox.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}

/// <summary>Keeps every log line the host writes, with its category and event id, for assertions.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, EventId EventId, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Collector(categoryName, Entries);

    public void Dispose()
    {
    }

    private sealed class Collector(string category, ConcurrentQueue<(string, EventId, string)> entries) : ILogger
    {

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // The host's Logging:LogLevel rules filter first (Information unless a test lowers it).
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((category, eventId, formatter(state, exception)));
    }
}
