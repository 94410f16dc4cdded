using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// <c>Speech:Engine=http</c> in the composed bot over real sockets: a failing transcription server is reported in the
/// channel (never a silent drop), a working one's free text goes through the same intent parser, and the operator CLI
/// reaches the same engine with <c>--engine http</c>. The API key appears in no log line.
/// </summary>
[Trait("Category", "Slow")]
public sealed class HttpEngineEndToEndTests
{
    private const string Key = "sk-e2e-never-logged";

    private static readonly string Linus = EmulatedGuild.Ids.Member;
    private static readonly string Voice = EmulatedGuild.Ids.Voice;

    [Fact]
    public async Task Engine_failures_are_said_in_the_channel_and_a_transcript_is_answered_like_any_other()
    {
        await using var stub = await OpenAiTranscriptionStub.StartAsync(
            OpenAiTranscriptionStub.Status(500),
            OpenAiTranscriptionStub.Status(503),
            OpenAiTranscriptionStub.Text("Hey ledger, what is blocked?"));
        var driver = await SurfaceDriver.StartAsync(
            $"--Surface:Owners:{Linus}=ada@emulated.monday",
            "--Speech:Engine=http",
            $"--Speech:Http:BaseUrl={stub.BaseUrl}",
            $"--Speech:Http:ApiKey={Key}",
            "--Speech:Http:Retries=1",
            "--Speech:Http:RetryDelay=00:00:00");
        await using var bot = driver.Bot;
        var port = new Uri(stub.BaseUrl).Port;

        await SpokenRequestsEndToEndTests.SayAsync(bot.Services, Linus, "hey ledger what is blocked");
        var failure = await MessageAsync(driver, "I could not recognise that");
        Assert.Equal($"<@{Linus}> heard: “…”\nI could not recognise that (http engine): The transcription server at 127.0.0.1:{port} answered 503 Service Unavailable after 2 attempts. Nothing was changed.", failure);
        Assert.Equal(2, stub.Requests.Count);

        await SpokenRequestsEndToEndTests.SayAsync(bot.Services, Linus, "hey ledger what is blocked");
        var answer = await MessageAsync(driver, "what is blocked?”");
        Assert.Matches(@"^<@\d+> heard: “Hey ledger, what is blocked\?”\n(Nothing is blocked\.|\d+ item\(s\) blocked:)", answer);
        Assert.All(stub.Requests, r => Assert.Equal("Bearer " + Key, r.Authorization));

        var file = SyntheticSpeech.SayToFile("what is overdue");
        var (exit, output, error) = await bot.CliAsync("speech", "transcribe", file, "--engine", "http", $"--Speech:Http:BaseUrl={stub.BaseUrl}", "--json");
        Assert.True(exit == 0, error);
        var result = Assert.Single(JsonNode.Parse(output)!.AsArray())!;
        Assert.Equal(("http", "Hey ledger, what is blocked?", "blocked"), (result["engine"]!.GetValue<string>(), result["transcript"]!.GetValue<string>(), result["intent"]!["kind"]!.GetValue<string>()));

        var unset = await bot.CliAsync("speech", "transcribe", file, "--engine", "http", "--Speech:Http:BaseUrl=");
        Assert.Equal(2, unset.Exit);
        Assert.Contains("Speech:Http:BaseUrl must be an absolute http(s) URL", unset.Error, StringComparison.Ordinal);

        Assert.DoesNotContain(bot.Logs.Entries, e => e.Message.Contains(Key, StringComparison.Ordinal));
        Assert.Empty(driver.SpecViolations());
    }

    private static async Task<string> MessageAsync(SurfaceDriver driver, string part)
    {
        string? found = null;
        try
        {
            await SurfaceDriver.Eventually(() => (found = driver.Discord.MessagesIn(Voice).Select(m => m.Message["content"]?.GetValue<string>() ?? string.Empty).LastOrDefault(c => c.Contains(part, StringComparison.Ordinal))) is not null);
        }
        catch (Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException("The channel has: " + string.Join(" | ", driver.Discord.MessagesIn(Voice).Select(m => m.Message["content"]?.GetValue<string>())));
        }

        return found!;
    }
}
