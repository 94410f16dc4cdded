using System.Diagnostics;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Bot.Tests.Hosting;

/// <summary>The production publish output (what the Dockerfile ships) carries no emulator and no sandbox.</summary>
public sealed class PublishOutputTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("dlb-publish-").FullName;

    // A build tree of its own, so publishing never touches the obj/bin of the build the test run uses.
    private readonly string _artifacts = Directory.CreateTempSubdirectory("dlb-publish-artifacts-").FullName;

    public void Dispose()
    {
        Directory.Delete(_output, recursive: true);
        Directory.Delete(_artifacts, recursive: true);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Publishing_the_host_ships_no_emulator_or_sandbox_code()
    {
        var project = Path.Combine(SharedContracts.RepositoryRoot, "bot", "Host", "DiscordLedgerBot.Host.csproj");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "publish", project, "-c", "Release", "-o", _output, "-nologo", "-p:DLB_ARTIFACTS=" + _artifacts })
        {
            info.ArgumentList.Add(arg);
        }

        using var publish = Process.Start(info)!;
        var log = await publish.StandardOutput.ReadToEndAsync() + await publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();

        Assert.True(publish.ExitCode == 0, log);
        var files = Directory.EnumerateFiles(_output, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.Contains("bot.dll", files);
        Assert.DoesNotContain(files, f => f!.Contains("Emulators", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f!.Contains("sandbox", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f!.Contains("Voice", StringComparison.OrdinalIgnoreCase));
    }
}
