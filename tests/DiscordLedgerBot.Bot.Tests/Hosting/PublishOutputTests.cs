using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using DiscordLedgerBot.Sandbox;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Bot.Tests.Hosting;

/// <summary>
/// The production publish output — what the Dockerfile ships — carries no emulator and no sandbox, and runs as a
/// non-root user with the environment the image sets. No container engine runs here, so the image's user and
/// environment are reproduced on the same publish output.
/// </summary>
public sealed partial class PublishOutputTests(PublishedHost published) : IClassFixture<PublishedHost>
{
    private const string Unprivileged = "nobody";

    [Fact]
    [Trait("Category", "Slow")]
    public void Publishing_the_host_ships_no_emulator_or_sandbox_code()
    {
        Assert.True(published.ExitCode == 0, published.Log);
        var files = Directory.EnumerateFiles(published.Output, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.Contains("bot.dll", files);
        Assert.DoesNotContain(files, f => f!.Contains("Emulators", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f!.Contains("sandbox", StringComparison.OrdinalIgnoreCase));
        // Voice is composed (Voice:Enabled): its assembly ships; the emulator's voice server does not (it is in Emulators).
        Assert.Contains("DiscordLedgerBot.Voice.dll", files);
        Assert.DoesNotContain(files, f => f is "prometheus.yml" or "otel-collector.yaml");

        // Speech:Engine=whisper: Whisper.net's native whisper.cpp runtime for the image's platform (it needs libgomp1, which the image installs).
        Assert.All(
            ["libwhisper.so", "libggml-whisper.so", "libggml-base-whisper.so", "libggml-cpu-whisper.so"],
            native => Assert.True(File.Exists(Path.Combine(published.Output, "runtimes", "linux-x64", native)), $"runtimes/linux-x64/{native} is not in the publish output."));
        Assert.Contains("libgomp1", File.ReadAllText(Path.Combine(SharedContracts.RepositoryRoot, "Dockerfile")), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_published_host_runs_as_a_non_root_user_with_the_images_environment()
    {
        Assert.True(published.ExitCode == 0, published.Log);
        var root = Directory.CreateTempSubdirectory("dlb-image-").FullName;
        try
        {
            var volume = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
            await using var world = await SandboxEnvironment.StartAsync(Path.Combine(root, "emulators"), TimeProvider.System, CancellationToken.None);
            var asRoot = Environment.UserName == "root";
            if (asRoot)
            {
                // As in the image: the volume belongs to the unprivileged user, the application files are read-only to it.
                await RunAsync("chown", "-R", $"{Unprivileged}:", volume);
                await RunAsync("chmod", "755", root, Path.GetDirectoryName(published.Output)!, published.Output);
            }

            var port = FreePort();
            var environment = ImageEnvironment(volume);
            environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            foreach (var (key, value) in world.ConfigurationOverrides().Where(p => p.Key.StartsWith("Monday:", StringComparison.Ordinal) || p.Key.StartsWith("Discord:", StringComparison.Ordinal)))
            {
                environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? string.Empty;
            }

            using var bot = Start(asRoot, environment, "bot.dll");
            var output = new System.Text.StringBuilder();
            bot.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            bot.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            bot.BeginOutputReadLine();
            bot.BeginErrorReadLine();
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                await Eventually.TrueAsync(
                    async () => bot.HasExited ? throw new InvalidOperationException($"The bot exited ({bot.ExitCode}): {Snapshot(output)}") : await IsHealthyAsync(http),
                    "the published bot answers /healthz as healthy",
                    TimeSpan.FromSeconds(90));

                using var probe = Start(asRoot, environment, "bot.dll", "healthcheck");
                await probe.WaitForExitAsync();
                Assert.True(probe.ExitCode == 0, await probe.StandardError.ReadToEndAsync());
            }
            finally
            {
                bot.Kill(entireProcessTree: true);
                await bot.WaitForExitAsync();
            }

            // Everything the bot keeps is on the volume: the outbox journal and the registry's store.
            Assert.NotEmpty(Directory.EnumerateFiles(volume, "*", SearchOption.AllDirectories));
            Assert.True(Directory.Exists(Path.Combine(volume, "registry")), Snapshot(output));
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(published.Output), p => Path.GetFileName(p) is "data" or "registry");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The Dockerfile's runtime <c>ENV</c> pairs, with its <c>/data</c> volume mapped to <paramref name="volume"/>.</summary>
    private static Dictionary<string, string> ImageEnvironment(string volume)
    {
        var dockerfile = File.ReadAllText(Path.Combine(SharedContracts.RepositoryRoot, "Dockerfile"));
        var runtime = dockerfile[dockerfile.IndexOf("AS runtime", StringComparison.Ordinal)..];
        var envBlock = EnvInstruction().Match(runtime);
        Assert.True(envBlock.Success, "The Dockerfile's runtime stage sets no ENV.");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match pair in EnvPair().Matches(envBlock.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal)))
        {
            var value = pair.Groups[2].Value;
            environment[pair.Groups[1].Value] = value == "/data" || value.StartsWith("/data/", StringComparison.Ordinal) ? volume + value["/data".Length..] : value;
        }

        Assert.Contains("Storage__DataDirectory", environment.Keys);
        return environment;
    }

    /// <summary>Starts <c>dotnet ARGS</c> in the publish output (the image's WORKDIR), as <see cref="Unprivileged"/> when the tests run as root.</summary>
    private Process Start(bool asRoot, Dictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(asRoot ? "runuser" : "dotnet")
        {
            WorkingDirectory = published.Output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asRoot)
        {
            foreach (var arg in new[] { "-u", Unprivileged, "--", "dotnet" })
            {
                info.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in arguments)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Clear();
        info.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        info.Environment["HOME"] = "/tmp";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the published bot.");
    }

    private static async Task<bool> IsHealthyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(file, arguments);
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Snapshot(System.Text.StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    [GeneratedRegex(@"^ENV\s+((?:[^\n]*\\\n)*[^\n]*)", RegexOptions.Multiline)]
    private static partial Regex EnvInstruction();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")]
    private static partial Regex EnvPair();
}

/// <summary>Publishes bot/Host once for the class, into a build tree of its own (never the test run's obj/bin).</summary>
public sealed class PublishedHost : IAsyncLifetime
{
    private readonly string _artifacts = Directory.CreateTempSubdirectory("dlb-publish-artifacts-").FullName;

    public string Output { get; } = Path.Combine(Directory.CreateTempSubdirectory("dlb-publish-").FullName, "app");

    public string Log { get; private set; } = string.Empty;

    public int ExitCode { get; private set; } = -1;

    public async Task InitializeAsync()
    {
        var project = Path.Combine(SharedContracts.RepositoryRoot, "bot", "Host", "DiscordLedgerBot.Host.csproj");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "publish", project, "-c", "Release", "-o", Output, "-nologo", "-p:DLB_ARTIFACTS=" + _artifacts })
        {
            info.ArgumentList.Add(arg);
        }

        using var publish = Process.Start(info)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        Log = await stdout + await stderr;
        ExitCode = publish.ExitCode;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Path.GetDirectoryName(Output)!, recursive: true);
        Directory.Delete(_artifacts, recursive: true);
        return Task.CompletedTask;
    }
}
