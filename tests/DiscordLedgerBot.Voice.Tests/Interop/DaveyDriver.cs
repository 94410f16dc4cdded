using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Voice.Tests.Interop;

/// <summary>
/// One node process running tests/interop/davey/driver.js: @snazzah/davey (Rust on OpenMLS, the DAVE implementation
/// discord.js uses) behind a JSON-lines request/answer pipe. Installs the pinned package with <c>npm ci</c> the first
/// time a test run needs it. A davey error comes back as <see cref="DaveyException"/>; a dead or silent process
/// fails the test with its stderr.
/// </summary>
internal sealed class DaveyDriver : IDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lazy<string> HarnessDirectory = new(InstallHarness, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private int _nextId;

    public DaveyDriver()
    {
        var info = new ProcessStartInfo("node", ["driver.js"])
        {
            WorkingDirectory = HarnessDirectory.Value,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("node did not start.");
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
        var hello = Call("hello", []);
        Version = hello.GetProperty("version").GetString()!;
    }

    /// <summary>The davey package version actually loaded.</summary>
    public string Version { get; }

    public JsonElement Call(string command, JsonObject arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var id = ++_nextId;
        arguments["id"] = id;
        arguments["cmd"] = command;
        _process.StandardInput.WriteLine(arguments.ToJsonString());
        _process.StandardInput.Flush();

        string? line;
        try
        {
            line = _process.StandardOutput.ReadLineAsync().WaitAsync(AnswerTimeout, TimeProvider.System).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"davey driver did not answer '{command}' within {AnswerTimeout}. stderr: {Stderr()}");
        }

        if (line is null)
        {
            throw new InvalidOperationException($"davey driver exited during '{command}'. stderr: {Stderr()}");
        }

        using var document = JsonDocument.Parse(line);
        var answer = document.RootElement.Clone();
        if (answer.GetProperty("id").GetInt32() != id)
        {
            throw new InvalidOperationException($"davey driver answered out of order: {line}");
        }

        return answer.GetProperty("ok").GetBoolean()
            ? answer
            : throw new DaveyException(command, answer.GetProperty("error").GetString() ?? "unknown error");
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString();
        }
    }

    private static string InstallHarness()
    {
        var directory = Path.Combine(SharedContracts.RepositoryRoot, "tests", "interop", "davey");
        if (File.Exists(Path.Combine(directory, "node_modules", "@snazzah", "davey", "package.json")))
        {
            return directory;
        }

        // The package is pinned by package-lock.json; npm ci installs exactly that, and only once per machine.
        var info = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var npm = Process.Start(info) ?? throw new InvalidOperationException("npm did not start.");
        var output = npm.StandardOutput.ReadToEndAsync();
        var errors = npm.StandardError.ReadToEnd();
        npm.WaitForExit();
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {directory} failed ({npm.ExitCode}): {output.GetAwaiter().GetResult()}{errors}");
        }

        return directory;
    }
}

/// <summary>davey refused a call (its own error text).</summary>
internal sealed class DaveyException(string command, string error) : Exception($"davey {command}: {error}")
{
    public string Error { get; } = error;
}
