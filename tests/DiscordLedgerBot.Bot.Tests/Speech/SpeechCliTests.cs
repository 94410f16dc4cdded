using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Hosting;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>`./run.sh --sandbox speech transcribe …`: recordings checked against the running sandbox's board, read only.</summary>
[Trait("Category", "Slow")]
public sealed class SpeechCliTests
{
    [Fact]
    public async Task Transcribe_prints_each_files_transcript_and_request_resolved_against_the_board()
    {
        await using var bot = await ComposedBot.StartAsync($"--Surface:Owners:{EmulatedGuild.Ids.Member}=ada@emulated.monday");
        var created = await bot.CliAsync("ledger", "create", "--title", "API hardening", "--owner", "Ada Lovelace", "--key", "cli:api-hardening");
        Assert.Equal(0, created.Exit);
        var files = new[]
        {
            SyntheticSpeech.SayToFile("hey ledger move the API hardening task to blocked waiting on security review"),
            SyntheticSpeech.SayToFile("assign it to Ada", voice: "en+f2", wordsPerMinute: 140),
            SyntheticSpeech.SayToFile("what is overdue", wordsPerMinute: 200),
        };

        var (exit, output, error) = await bot.CliAsync(["speech", "transcribe", .. files, "--json"]);
        Assert.True(exit == 0, error);
        var results = JsonNode.Parse(output)!.AsArray();
        Assert.Equal(3, results.Count);
        var block = results[0]!;
        Assert.Equal("hey ledger move the api hardening task to blocked waiting on security review", block["transcript"]!.GetValue<string>());
        Assert.True(block["wakeHeard"]!.GetValue<bool>());
        Assert.Equal(("set_status", "blocked", "waiting on security review", "cli:api-hardening"), (block["intent"]!["kind"]!.GetValue<string>(), block["intent"]!["status"]!.GetValue<string>(), block["intent"]!["reason"]!.GetValue<string>(), block["intent"]!["item"]!["key"]!.GetValue<string>()));
        // Printed, not bounded: the first file also pays for the dictionary load and grammar build, and a shared machine
        // under load pushed it past 1.0 (speed belongs to the benches).
        Assert.True(block["realTimeFactor"]!.GetValue<double>() > 0);

        // "it" is the item the previous file named; "ada" a person the board names as an owner.
        var assign = results[1]!["intent"]!;
        Assert.Equal(("assign", "ada", "cli:api-hardening"), (assign["kind"]!.GetValue<string>(), assign["person"]!.GetValue<string>(), assign["item"]!["key"]!.GetValue<string>()));
        Assert.Equal("overdue", results[2]!["intent"]!["kind"]!.GetValue<string>());

        var text = await bot.CliAsync("speech", "transcribe", files[0]);
        Assert.Contains("intent: set_status (write, needs confirmation)  item: API hardening [cli:api-hardening]  status: blocked  reason: waiting on security review", text.Output, StringComparison.Ordinal);
        var missing = await bot.CliAsync("speech", "transcribe", "/no/such.wav");
        Assert.Equal(2, missing.Exit);
    }
}
