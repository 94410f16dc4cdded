namespace DiscordLedgerBot.Testing;

/// <summary>
/// Locates the founders' shared folder (<c>../shared</c> beside the repository) and the repository root,
/// so tests read the official contracts directly, as CI has them.
/// </summary>
public static class SharedContracts
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot => Root.Value;

    public static string SharedRoot
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("DLB_SHARED_DIR");
            var path = string.IsNullOrEmpty(fromEnvironment)
                ? Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"))
                : fromEnvironment;
            if (!Directory.Exists(path))
            {
                throw new DirectoryNotFoundException($"The shared contracts folder was not found at '{path}'. Set DLB_SHARED_DIR or place 'shared' beside the repository.");
            }

            return path;
        }
    }

    public static string Doc(params string[] parts) => Path.Combine([SharedRoot, "docs", .. parts]);

    public static string Contract(params string[] parts) => Path.Combine([SharedRoot, "contracts", .. parts]);

    public static string Asset(params string[] parts) => Path.Combine([RepositoryRoot, "assets", .. parts]);

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DiscordLedgerBot.sln")))
            {
                return directory.FullName;
            }

            directory = directory.Parent;
        }

        // Built into a separate artifacts tree (DLB_ARTIFACTS): fall back to the working directory's ancestors.
        directory = new DirectoryInfo(Environment.CurrentDirectory);
        while (directory is not null)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DiscordLedgerBot.sln")))
            {
                return directory.FullName;
            }

            directory = directory.Parent;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("DLB_REPO_ROOT");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        var builtFrom = typeof(SharedContracts).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (builtFrom is not null && File.Exists(Path.Combine(builtFrom, "DiscordLedgerBot.sln")))
        {
            return builtFrom;
        }

        throw new DirectoryNotFoundException("Could not find DiscordLedgerBot.sln above the test's base directory or working directory; set DLB_REPO_ROOT.");
    }
}
