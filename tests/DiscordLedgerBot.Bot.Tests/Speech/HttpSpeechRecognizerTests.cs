using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Audio;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Core.Speech.Recognition;
using DiscordLedgerBot.Slices.Speech;
using DiscordLedgerBot.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// The OpenAI-compatible engine against a stub transcription server on 127.0.0.1, composed exactly as the bot composes it
/// (named client + resilience handler on the injected clock, here a fake one, so Retry-After and timeouts elapse instantly).
/// </summary>
public sealed class HttpSpeechRecognizerTests
{
    private const string Key = "sk-test-never-logged";

    private static readonly SpeechVocabulary Words = SpeechVocabulary.From([], [], []);

    private static readonly short[] Pcm = [.. Enumerable.Range(0, 1600).Select(i => (short)(i % 64))];

    [Fact]
    public async Task A_transcript_comes_back_from_a_multipart_wav_upload_with_model_and_key()
    {
        await using var stub = await OpenAiTranscriptionStub.StartAsync(OpenAiTranscriptionStub.Text(" hey ledger what is blocked "));
        var (recognizer, _) = Compose(stub, http => http.Model = "whisper-large-v3");

        var transcript = await recognizer.TranscribeAsync(Pcm, Words, CancellationToken.None);

        Assert.Equal(("hey ledger what is blocked", "http"), (transcript.Text, transcript.Engine));
        var request = Assert.Single(stub.Requests);
        Assert.Equal(("whisper-large-v3", "json", "utterance.wav", "Bearer " + Key), (request.Model, request.ResponseFormat, request.FileName, request.Authorization));
        Assert.Equal(Pcm, WavFile.Parse(request.Wav, "upload"));
    }

    [Fact]
    public async Task A_429_is_retried_once_its_Retry_After_has_elapsed_and_not_before()
    {
        await using var stub = await OpenAiTranscriptionStub.StartAsync(OpenAiTranscriptionStub.Status(429, retryAfter: "20"), OpenAiTranscriptionStub.Text("what is overdue"));
        var (recognizer, time) = Compose(stub, http => (http.Timeout, http.TotalTimeout) = (TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)));

        // The clock moves a second at a time from the first attempt on: the retry cannot come before 20 s have passed
        // however late the client saw the 429, and comes within a few seconds of them.
        var pending = recognizer.TranscribeAsync(Pcm, Words, CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => stub.Requests.Count == 1, "the first attempt reached the stub");
        var advanced = TimeSpan.Zero;
        await Eventually.TrueAsync(
            () =>
            {
                if (stub.Requests.Count > 1)
                {
                    return true;
                }

                time.Advance(TimeSpan.FromSeconds(1));
                advanced += TimeSpan.FromSeconds(1);
                return false;
            },
            "the retry after Retry-After reached the stub");
        Assert.InRange(advanced, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));

        var transcript = await pending.WaitAsync(Eventually.DefaultTimeout, TimeProvider.System);
        Assert.Equal("what is overdue", transcript.Text);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task Server_errors_are_retried_then_reported_clearly()
    {
        await using var stub = await OpenAiTranscriptionStub.StartAsync(OpenAiTranscriptionStub.Status(500));
        var (recognizer, _) = Compose(stub, http => (http.Retries, http.RetryDelay) = (2, TimeSpan.Zero));

        var failed = await Assert.ThrowsAsync<SpeechRecognitionException>(() => recognizer.TranscribeAsync(Pcm, Words, CancellationToken.None).AsTask());

        Assert.Equal(3, stub.Requests.Count);
        Assert.Equal($"The transcription server at 127.0.0.1:{new Uri(stub.BaseUrl).Port} answered 500 Internal Server Error after 3 attempts.", failed.Message);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_with_a_clear_error()
    {
        await using var stub = await OpenAiTranscriptionStub.StartAsync(OpenAiTranscriptionStub.Hang());
        var (recognizer, time) = Compose(stub, http => (http.Retries, http.Timeout, http.RetryDelay) = (1, TimeSpan.FromSeconds(5), TimeSpan.Zero));

        // Each attempt is timed out only once it has reached the server, so the count below is exact.
        var pending = recognizer.TranscribeAsync(Pcm, Words, CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => stub.Requests.Count == 1, "the first attempt reached the stub");
        time.Advance(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => stub.Requests.Count == 2, "the retry reached the stub");
        time.Advance(TimeSpan.FromSeconds(5));
        var failed = await Assert.ThrowsAsync<SpeechRecognitionException>(() => pending.WaitAsync(Eventually.DefaultTimeout, TimeProvider.System));

        Assert.Equal(2, stub.Requests.Count);
        Assert.Contains("did not answer in time (Speech:Http:Timeout 5 s per attempt, 1 retries", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_key_is_not_retried_and_says_which_setting_to_check()
    {
        await using var stub = await OpenAiTranscriptionStub.StartAsync(OpenAiTranscriptionStub.Status(401));
        var (recognizer, _) = Compose(stub, _ => { });

        var failed = await Assert.ThrowsAsync<SpeechRecognitionException>(() => recognizer.TranscribeAsync(Pcm, Words, CancellationToken.None).AsTask());

        Assert.Single(stub.Requests);
        Assert.EndsWith("answered 401 Unauthorized (check Speech:Http:ApiKey).", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_retried_then_reported_clearly()
    {
        var port = FreeTcpPort.Next();
        var (recognizer, _) = Compose($"http://127.0.0.1:{port}", http => (http.Retries, http.RetryDelay) = (1, TimeSpan.Zero));

        var failed = await Assert.ThrowsAsync<SpeechRecognitionException>(() => recognizer.TranscribeAsync(Pcm, Words, CancellationToken.None).AsTask());

        Assert.Equal($"The transcription server at 127.0.0.1:{port} is unreachable (ConnectionError).", failed.Message);
    }

    [Fact]
    public async Task An_answer_without_text_is_reported_not_taken_as_silence()
    {
        await using var stub = await OpenAiTranscriptionStub.StartAsync(context => context.Response.WriteAsJsonAsync(new { language = "en" }));
        var (recognizer, _) = Compose(stub, _ => { });

        var failed = await Assert.ThrowsAsync<SpeechRecognitionException>(() => recognizer.TranscribeAsync(Pcm, Words, CancellationToken.None).AsTask());

        Assert.Equal($"The transcription server at 127.0.0.1:{new Uri(stub.BaseUrl).Port} answered without a \"text\" field.", failed.Message);
    }

    [Theory]
    [InlineData(null, "Speech:Http:BaseUrl must be an absolute http(s) URL")]
    [InlineData("ftp://host", "Speech:Http:BaseUrl must be an absolute http(s) URL")]
    public void The_http_engine_needs_a_base_url_at_start(string? baseUrl, string problem)
    {
        var options = new SpeechOptions { Engine = SpeechOptions.HttpEngine, Http = { BaseUrl = baseUrl } };
        Assert.Contains(options.Problems(), p => p.StartsWith(problem, StringComparison.Ordinal));
        Assert.Empty(new SpeechOptions { Engine = SpeechOptions.HttpEngine, Http = { BaseUrl = "http://127.0.0.1:9000" } }.Problems());
    }

    [Fact]
    public void Timeouts_and_retries_out_of_range_are_refused()
    {
        var options = new SpeechOptions { Engine = SpeechOptions.HttpEngine, Http = { BaseUrl = "http://whisper:9000", Timeout = TimeSpan.FromSeconds(30), TotalTimeout = TimeSpan.FromSeconds(10), Retries = -1 } };
        var problems = options.Problems().ToList();
        Assert.Contains(problems, p => p.StartsWith("Speech:Http:Timeout must be", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Speech:Http:Retries must be", StringComparison.Ordinal));
    }

    private static (ISpeechRecognizer Recognizer, FakeTimeProvider Time) Compose(OpenAiTranscriptionStub stub, Action<HttpTranscriptionOptions> configure) =>
        Compose(stub.BaseUrl, configure);

    private static (ISpeechRecognizer Recognizer, FakeTimeProvider Time) Compose(string baseUrl, Action<HttpTranscriptionOptions> configure)
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddOptions<SpeechOptions>().Configure(options =>
        {
            options.Engine = SpeechOptions.HttpEngine;
            options.Http.BaseUrl = baseUrl;
            options.Http.ApiKey = Key;
            options.Http.RetryDelay = TimeSpan.FromSeconds(1);
            configure(options.Http);
        });
        HttpSpeechRecognizer.AddHttpSpeechClient(services);
        var provider = services.BuildServiceProvider();
        return (SpeechComposition.CreateRecognizer(provider, SpeechOptions.HttpEngine), time);
    }
}
