using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Xunit;

namespace DiscordLedgerBot.Testing;

/// <summary>
/// A private, real <c>redis-server</c> on a free 127.0.0.1 port with its own temporary directory. Can be killed
/// (SIGKILL, as a crash) and restarted on the same port and directory. By default nothing is persisted
/// (<c>--save ''</c>, no AOF); <see cref="RedisServerSettings.AppendOnly"/> turns on AOF with fsync on every write,
/// for tests where data must survive a kill.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly RedisServerSettings _settings;
    private Process? _process;

    private RedisServer(RedisServerSettings settings, int port, string directory)
    {
        _settings = settings;
        Port = port;
        DataDirectory = directory;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public string? Password => _settings.Password;

    public string DataDirectory { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>"host:port[,password=…]" for our client's connection string.</summary>
    public string ConnectionString =>
        Password is null ? $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)},password={Password}";

    public static string Executable
    {
        get
        {
            foreach (var candidate in new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, "redis-server"))
                .FirstOrDefault(File.Exists);
            return fromPath ?? throw new InvalidOperationException(
                "redis-server is not installed; install it with 'apt-get update && apt-get install -y redis-server' (the project's test script does this).");
        }
    }

    public static async Task<RedisServer> StartAsync(RedisServerSettings? settings = null)
    {
        settings ??= new RedisServerSettings();
        for (var attempt = 1; ; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("dlb-redis-").FullName;
            var server = new RedisServer(settings, FreeTcpPort.Next(), directory);
            try
            {
                await server.StartProcessAsync().ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Most likely another test process took the free port between probing and binding: pick another.
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>SIGKILL: no shutdown save, open connections reset, like a crash.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts again on the same port and directory (kill first if it is running).</summary>
    public async Task RestartAsync()
    {
        await KillAsync().ConfigureAwait(false);
        await StartProcessAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = DataDirectory,
        };
        foreach (var argument in Arguments())
        {
            info.ArgumentList.Add(argument);
        }

        _process?.Dispose();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException(
            $"redis-server exited during start-up: {string.Join(Environment.NewLine, output)}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await ready.Task.WaitAsync(StartTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await KillAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"redis-server did not become ready within {StartTimeout}: {string.Join(Environment.NewLine, output)}");
        }

        await WaitUntilListeningAsync().ConfigureAwait(false);
    }

    private async Task WaitUntilListeningAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Host, Port).WaitAsync(StartTimeout).ConfigureAwait(false);
    }

    private List<string> Arguments()
    {
        List<string> args =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", Host,
            "--dir", DataDirectory,
            "--save", string.Empty,
            "--daemonize", "no",
            "--logfile", string.Empty,
            "--databases", "16",
        ];
        if (_settings.AppendOnly)
        {
            args.AddRange(["--appendonly", "yes", "--appendfsync", "always"]);
        }
        else
        {
            args.AddRange(["--appendonly", "no"]);
        }

        if (_settings.Password is not null)
        {
            args.AddRange(["--requirepass", _settings.Password]);
        }

        return args;
    }
}

public sealed record RedisServerSettings
{
    /// <summary>requirepass for the default user.</summary>
    public string? Password { get; init; }

    /// <summary>AOF with appendfsync always, so acknowledged writes survive a kill.</summary>
    public bool AppendOnly { get; init; }
}

/// <summary>xunit class fixture: one plain redis-server for a test class.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The Redis fixture has not started.");

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
