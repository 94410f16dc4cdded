using System.Net;
using DiscordLedgerBot.Bot.Tests.Api;
using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Registry;

namespace DiscordLedgerBot.Bot.Tests.Registry;

/// <summary>
/// A registry write that cannot be saved because another process changed the store under it (here: emptied it, the
/// one conflict a retry cannot win) is a 409 problem+json on the HTTP API and exit code 6 in the CLI, with nothing saved.
/// </summary>
public sealed class RegistryConflictTests
{
    [Fact]
    public async Task A_registry_write_that_loses_to_another_process_is_a_409_problem_and_saves_nothing()
    {
        var storePath = Path.Combine(Directory.CreateTempSubdirectory("dlb-registry-conflict-").FullName, "registry.json");
        await using var bot = await ApiTestKit.StartAsync($"--Registry:StorePath={storePath}");
        using var admin = bot.Http(ApiTestKit.Full);
        Assert.True(File.Exists(storePath), "the bot seeds its registry store at start");

        // Another process empties the shared store: this bot's save no longer matches any revision.
        File.Delete(storePath);
        using var set = await admin.PostJsonAsync("/api/v1/registry/tools/cursor/overrides", """{"action":"disable","actor":"ops-alice","reason":"cursor outage"}""", "ovr-conflict");

        Assert.Equal(HttpStatusCode.Conflict, set.StatusCode);
        Assert.Equal("application/problem+json", set.Content.Headers.ContentType?.MediaType);
        var problem = await set.BodyAsync();
        Assert.Equal(RegistryConflictExceptionHandler.Title, problem["title"]!.GetValue<string>());
        Assert.Contains("nothing was saved", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(File.Exists(storePath));
        Directory.Delete(Path.GetDirectoryName(storePath)!, recursive: true);
    }

    [Fact]
    public async Task The_cli_exits_6_with_the_reason_when_the_registry_changed_under_its_write()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApplication.RunAsync(["registry", "override"], [new ConflictingVerb()], (_, _) => throw new InvalidOperationException("Verbs only."), output, error, CancellationToken.None);

        Assert.Equal(CliApplication.ConcurrentChange, exit);
        Assert.Contains("changed under this writer", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("run it again", error.ToString(), StringComparison.Ordinal);
    }

    private sealed class ConflictingVerb : ICliCommand
    {
        public string Verb => "registry";

        public string Summary => "throws what the registry throws after losing every save";

        public string Usage => "registry override";

        public Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
            throw new RegistryConcurrencyException("The registry changed under this writer 8 times in a row; nothing was saved. Try again.");
    }
}
