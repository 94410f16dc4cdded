using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// <c>Speech:Engine=whisper</c> in the composed bot over real sockets, on the test kit's tiny random-weight model: a
/// spoken request gets an answer in the channel (whatever the model made of it: a prompt, a read's answer or "not a
/// request I know") and nothing reaches the ledger unconfirmed; a model whisper.cpp cannot load is said in the channel;
/// the operator CLI reaches the same engine with <c>--engine whisper</c>.
/// </summary>
[Trait("Category", "Slow")]
public sealed class WhisperEngineEndToEndTests
{
    private static readonly string Linus = EmulatedGuild.Ids.Member;
    private static readonly string Voice = EmulatedGuild.Ids.Voice;

    // whisper.cpp on two shared cores: an utterance can take tens of seconds when the machine is busy.
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_spoken_request_is_answered_in_the_channel_and_nothing_is_written_unconfirmed()
    {
        var model = TinyWhisperModel.Write();
        var driver = await SurfaceDriver.StartAsync(
            $"--Surface:Owners:{Linus}=ada@emulated.monday",
            "--Speech:Engine=whisper",
            $"--Speech:Whisper:ModelPath={model}",
            "--Speech:WakePhrase=");
        await using var bot = driver.Bot;
        var ledger = bot.Services.GetRequiredService<ILedger>();
        var items = bot.Environment.Monday.Items().Count;

        var id = await SpokenRequestsEndToEndTests.SayAsync(bot.Services, Linus, "create a task update the release notes");
        JsonObject? reply = null;
        await Eventually.TrueAsync(() => (reply = driver.Discord.MessagesIn(Voice).Select(m => m.Message).FirstOrDefault()) is not null, "the whisper engine's reply in the voice channel", Wait);
        var content = reply!["content"]!.GetValue<string>();
        Assert.StartsWith($"<@{Linus}> heard: “", content, StringComparison.Ordinal);
        Assert.DoesNotContain("I could not recognise that", content, StringComparison.Ordinal);

        // Whatever random weights made of the speech, a write waits for the speaker's button: none is pressed here.
        Assert.Null(await ledger.FindByKeyAsync(LedgerKey.FromOrigin(LedgerSource.Voice, id), CancellationToken.None));
        Assert.Equal(items, bot.Environment.Monday.Items().Count);

        var file = SyntheticSpeech.SayToFile("what is overdue");
        var (exit, output, error) = await bot.CliAsync("speech", "transcribe", file, "--engine", "whisper", $"--Speech:Whisper:ModelPath={model}", "--json");
        Assert.True(exit == 0, error);
        var result = Assert.Single(JsonNode.Parse(output)!.AsArray())!;
        Assert.Equal("whisper", result["engine"]!.GetValue<string>());
        Assert.NotNull(result["transcript"]);

        var missing = await bot.CliAsync("speech", "transcribe", file, "--engine", "whisper", "--Speech:Whisper:ModelPath=/nonexistent/ggml-base.en.bin");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("Speech:Whisper:ModelPath /nonexistent/ggml-base.en.bin does not exist.", missing.Error, StringComparison.Ordinal);
        Assert.Empty(driver.SpecViolations());
    }

    [Fact]
    public async Task A_model_whisper_cpp_cannot_load_is_said_in_the_channel()
    {
        // Passes the start-up header check (magic and whisper hyper-parameters), fails in whisper.cpp: half the tensors are missing.
        var truncated = Path.Combine(Directory.CreateTempSubdirectory("dlb-whisper-cut-").FullName, "ggml-truncated.bin");
        var whole = File.ReadAllBytes(TinyWhisperModel.Write());
        File.WriteAllBytes(truncated, whole[..(whole.Length / 2)]);
        var driver = await SurfaceDriver.StartAsync("--Speech:Engine=whisper", $"--Speech:Whisper:ModelPath={truncated}", "--Speech:WakePhrase=");
        await using var bot = driver.Bot;

        await SpokenRequestsEndToEndTests.SayAsync(bot.Services, Linus, "what is blocked");
        string? said = null;
        await Eventually.TrueAsync(() => (said = driver.Discord.MessagesIn(Voice).Select(m => m.Message["content"]?.GetValue<string>()).FirstOrDefault()) is not null, "the failure in the voice channel", Wait);
        Assert.StartsWith($"<@{Linus}> heard: “…”\nI could not recognise that (whisper engine): The whisper model ggml-truncated.bin could not be loaded (", said, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was changed.", said, StringComparison.Ordinal);
    }
}
