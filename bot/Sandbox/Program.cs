using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Sandbox;

// `sandbox` (what `./run.sh --sandbox` runs) hosts the product against in-process emulators; `sandbox emulate|bench`
// are the verbs that need emulators; every other verb is the product's own, pointed at the sandbox's emulators and
// data directory through the endpoints file the running sandbox wrote (data/sandbox/endpoints.json).
var dataDirectory = Path.GetFullPath(Path.Combine("data", "sandbox"));
var isProductVerb = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) && args[0] is not ("run" or "emulate" or "bench" or "replay" or "help" or "-h");
if (isProductVerb && !File.Exists(Path.Combine(dataDirectory, SandboxHost.EndpointsFileName)))
{
    await Console.Error.WriteLineAsync($"error: the sandbox is not running ({Path.Combine(dataDirectory, SandboxHost.EndpointsFileName)} is missing); start `./run.sh --sandbox` first, then run `./run.sh --sandbox {args[0]} …` in another terminal.");
    return CliApplication.UsageError;
}

return await CliApplication.RunAsync(
    args,
    [.. CliCommands.All, new EmulateCommand(), new BenchCommand(), new ReplayCommand()],
    SandboxHost.RunAsync,
    Console.Out,
    Console.Error,
    CancellationToken.None,
    SandboxHost.PublishedConfiguration(dataDirectory));
