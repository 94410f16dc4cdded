using System.Diagnostics;
using System.Globalization;

namespace DiscordLedgerBot.Testing;

/// <summary>
/// A private PostgreSQL cluster (initdb + postgres) on a free 127.0.0.1 port in its own temporary directory, trust
/// authentication, one database <see cref="Database"/>. PostgreSQL refuses to run as root, so when the tests run as
/// root the server runs as the <c>postgres</c> (or <c>nobody</c>) account through <c>runuser</c>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private Process? _process;

    private PostgresServer(int port, string directory)
    {
        Port = port;
        RootDirectory = directory;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public string Database => "ledger";

    public string RootDirectory { get; }

    /// <summary>An Npgsql connection string for <see cref="Database"/>.</summary>
    public string ConnectionString =>
        $"Host={Host};Port={Port.ToString(CultureInfo.InvariantCulture)};Database={Database};Username=postgres;Pooling=true;Timeout=15";

    /// <summary>Debian's server binaries (/usr/lib/postgresql/&lt;major&gt;/bin, newest major), else the directory on PATH holding initdb.</summary>
    public static string BinDirectory
    {
        get
        {
            var debian = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
                : null;
            var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")));
            return debian ?? fromPath ?? throw new InvalidOperationException(
                "PostgreSQL is not installed; install it with 'apt-get update && apt-get install -y postgresql' (the project's test script does this).");
        }
    }

    public static async Task<PostgresServer> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("dlb-postgres-").FullName;
            var server = new PostgresServer(FreeTcpPort.Next(), directory);
            try
            {
                await server.InitializeAsync().ConfigureAwait(false);
                await server.StartProcessAsync().ConfigureAwait(false);
                await server.RunAsync("createdb", "-h", server.Host, "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", server.Database).ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Most likely another test process took the free port between probing and binding: pick another.
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // SIGKILL of postgres leaves shared memory to the kernel; a fast shutdown is clean and quick.
            try
            {
                await RunAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop").ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(RootDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Files owned by the server account that root could not remove: harmless as well.
        }
    }

    private string DataDirectory => Path.Combine(RootDirectory, "data");

    private static string? RunAsUser => string.Equals(Environment.UserName, "root", StringComparison.Ordinal)
        ? (File.ReadAllText("/etc/passwd").Contains("\npostgres:", StringComparison.Ordinal) ? "postgres" : "nobody")
        : null;

    private async Task InitializeAsync()
    {
        if (RunAsUser is { } user)
        {
            // The server account must own its data directory and be able to reach it through the temp directory.
            await RunRawAsync("chown", "-R", user, RootDirectory).ConfigureAwait(false);
        }

        await RunAsync("initdb", "-D", DataDirectory, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C").ConfigureAwait(false);
    }

    private async Task StartProcessAsync()
    {
        var info = Command(
            "postgres",
            "-D", DataDirectory,
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-h", Host,
            "-k", RootDirectory,
            "-c", "fsync=off",
            "-c", "max_connections=200",
            "-c", "shared_buffers=32MB");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void Line(string? line)
        {
            Enqueue(output, line);
            if (line?.Contains("database system is ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"postgres exited during start-up: {string.Join(Environment.NewLine, output)}"));
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
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"postgres did not become ready within {StartTimeout}: {string.Join(Environment.NewLine, output)}");
        }
    }

    private static void Enqueue(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }

    private Task RunAsync(string tool, params string[] args) => RunInfoAsync(Command(tool, args));

    private static Task RunRawAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return RunInfoAsync(info);
    }

    private static async Task RunInfoAsync(ProcessStartInfo info)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{info.FileName} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}: {await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }
    }

    private ProcessStartInfo Command(string tool, params string[] args)
    {
        var executable = Path.Combine(BinDirectory, tool);
        var user = RunAsUser;
        var info = new ProcessStartInfo(user is null ? executable : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RootDirectory,
        };
        if (user is not null)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add(user);
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(executable);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }
}
