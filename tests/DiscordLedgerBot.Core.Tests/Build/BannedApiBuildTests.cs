using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Core.Tests.Build;

/// <summary>
/// The banned-API gate works: a throwaway project with the repository's BannedSymbols.txt and the analyzer version
/// pinned in Directory.Packages.props fails to build, with one RS0030 per banned use (about 5 s, from the NuGet cache).
/// Directory.Build.props wires the same two into every project under core/ and bot/.
/// </summary>
public sealed partial class BannedApiBuildTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dlb-banned-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_banned_api_in_product_code_fails_the_build_with_RS0030()
    {
        var root = SharedContracts.RepositoryRoot;
        var analyzerVersion = XDocument.Load(Path.Combine(root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == "Microsoft.CodeAnalysis.BannedApiAnalyzers")
            .Attribute("Version")!.Value;
        await File.WriteAllTextAsync(Path.Combine(_directory, "Throwaway.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.CodeAnalysis.BannedApiAnalyzers" Version="{analyzerVersion}" PrivateAssets="all" />
                <AdditionalFiles Include="{Path.Combine(root, "BannedSymbols.txt")}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(_directory, "Uses.cs"), """
            public static class Uses
            {
                public static async System.Threading.Tasks.Task AllAsync()
                {
                    _ = System.DateTime.UtcNow;
                    _ = System.DateTimeOffset.Now;
                    System.Threading.Thread.Sleep(1);
                    await System.Threading.Tasks.Task.Delay(1);
                    using var http = new System.Net.Http.HttpClient();
                    await System.Threading.Tasks.Task.Delay(System.TimeSpan.FromSeconds(1), System.TimeProvider.System);
                }
            }
            """);

        var (exitCode, output) = await BuildAsync(_directory);

        Assert.NotEqual(0, exitCode);
        var banned = RS0030().Matches(output).Select(m => m.Groups["line"].Value).Distinct().Order().ToList();

        // Lines 5–9 are banned; line 10 (Task.Delay with a TimeProvider) is the allowed form.
        Assert.Equal(["5", "6", "7", "8", "9"], banned);
    }

    private static async Task<(int ExitCode, string Output)> BuildAsync(string directory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "build", "-nologo", "--disable-build-servers", "-p:UseSharedCompilation=false", "-clp:NoSummary" })
        {
            info.ArgumentList.Add(argument);
        }

        // The test host's MSBuild settings (set by `dotnet test`) must not leak into the nested build.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "DLB_ARTIFACTS").ToList())
        {
            info.Environment.Remove(name);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await output + await error);
    }

    [GeneratedRegex(@"Uses\.cs\((?<line>\d+),\d+\): error RS0030")]
    private static partial Regex RS0030();
}
