using System.Diagnostics;
using System.Text;

namespace DiscordLedgerBot.Bot.Tests.Outbox;

/// <summary>`dotnet bot.dll …` as a real child process (bot.dll is copied next to the test assembly), with its output captured.</summary>
internal sealed class BotProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _gate = new();

    private BotProcess(Process process) => _process = process;

    public static string BotAssembly
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "bot.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("bot.dll is not next to the test assembly; the test project must reference bot/DiscordLedgerBot.csproj.", path);
        }
    }

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static BotProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(BotAssembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var started = new BotProcess(process);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Runs to completion; fails the test with the captured output if it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<BotProcess> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        var process = Start(workingDirectory, environment, args);
        await process.WaitForExitAsync(timeout);
        return process;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync();
            throw new TimeoutException($"`bot {string.Join(' ', _process.StartInfo.ArgumentList.Skip(1))}` did not finish within {timeout}. Output:{Environment.NewLine}{Output}");
        }
    }

    /// <summary>SIGKILL of the whole tree, like a crash: no shutdown code runs.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }
}
