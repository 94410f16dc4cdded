using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Sandbox;

// `sandbox` (what `./run.sh --sandbox` runs) hosts the product against in-process emulators; `sandbox emulate|bench`
// are the verbs that need emulators; every other verb is the product's own, pointed at the sandbox's emulators and
// data directory through the endpoints file the running sandbox wrote (data/sandbox/endpoints.json).
return await CliApplication.RunAsync(
    args,
    [.. CliCommands.All, new EmulateCommand(), new BenchCommand()],
    SandboxHost.RunAsync,
    Console.Out,
    Console.Error,
    CancellationToken.None,
    SandboxHost.PublishedConfiguration(Path.GetFullPath(Path.Combine("data", "sandbox"))));
