using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Audio;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Core.Speech.Recognition;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace DiscordLedgerBot.Slices.Speech;

/// <summary>
/// An OpenAI-compatible transcription server (OpenAI itself, or a self-hosted Whisper server): the utterance goes up as a
/// WAV to <c>{BaseUrl}/v1/audio/transcriptions</c> and the free text comes back for the intent parser. Timeouts and
/// retries live in the named client's resilience handler (<see cref="AddHttpSpeechClient"/>); this class only turns
/// what is left into a message fit for the channel. The API key goes in the Authorization header and nowhere else.
/// </summary>
public sealed class HttpSpeechRecognizer(IHttpClientFactory clients, IOptions<SpeechOptions> options, TimeProvider time) : ISpeechRecognizer
{
    public const string HttpClientName = "speech-http";

    public string Name => SpeechOptions.HttpEngine;

    public async ValueTask<SpeechTranscript> TranscribeAsync(ReadOnlyMemory<short> pcm, SpeechVocabulary vocabulary, CancellationToken cancellationToken)
    {
        var settings = options.Value.Http;
        if (!Uri.TryCreate(settings.BaseUrl, UriKind.Absolute, out var baseUrl))
        {
            throw new SpeechRecognitionException("Speech:Http:BaseUrl is not set to an absolute URL (env Speech__Http__BaseUrl).");
        }

        var started = time.GetTimestamp();
        var endpoint = new Uri(new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/"), "v1/audio/transcriptions");
        using var form = new MultipartFormDataContent();
        var wav = new ByteArrayContent(WavFile.Write(pcm.Span));
        wav.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(wav, "file", "utterance.wav");
        form.Add(new StringContent(settings.Model), "model");
        form.Add(new StringContent("json"), "response_format");
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = form };
        if (!string.IsNullOrEmpty(settings.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        }

        var server = $"the transcription server at {baseUrl.Host}:{baseUrl.Port}";
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        }
        catch (TimeoutRejectedException timedOut)
        {
            throw new SpeechRecognitionException($"{Capitalised(server)} did not answer in time (Speech:Http:Timeout {settings.Timeout.TotalSeconds:0.#} s per attempt, {settings.Retries} retries, Speech:Http:TotalTimeout {settings.TotalTimeout.TotalSeconds:0.#} s).", timedOut);
        }
        catch (HttpRequestException unreachable)
        {
            throw new SpeechRecognitionException($"{Capitalised(server)} is unreachable ({unreachable.HttpRequestError}).", unreachable);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var code = (int)response.StatusCode;
                var attempts = IsTransient(response.StatusCode) && settings.Retries > 0 ? $" after {settings.Retries + 1} attempts" : string.Empty;
                var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? " (check Speech:Http:ApiKey)" : string.Empty;
                throw new SpeechRecognitionException($"{Capitalised(server)} answered {code} {response.ReasonPhrase}{attempts}{hint}.");
            }

            string? text;
            try
            {
                using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
                text = body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            }
            catch (JsonException malformed)
            {
                throw new SpeechRecognitionException($"{Capitalised(server)} answered with something other than JSON.", malformed);
            }

            return text is null
                ? throw new SpeechRecognitionException($"{Capitalised(server)} answered without a \"text\" field.")
                : new SpeechTranscript(text.Trim(), Name, time.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// The named client: a total timeout around retries (honouring Retry-After on 429/503, exponential otherwise) around
    /// a per-attempt timeout, all on the injected <see cref="TimeProvider"/>. The client's own timeout is off so the
    /// pipeline's are the only ones.
    /// </summary>
    public static void AddHttpSpeechClient(IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(HttpClientName, static (builder, context) =>
            {
                var http = context.ServiceProvider.GetRequiredService<IOptions<SpeechOptions>>().Value.Http;
                SpeechWork.AddRequestPolicy(builder, context.ServiceProvider.GetRequiredService<TimeProvider>(), http.TotalTimeout, http.Retries, http.RetryDelay, http.Timeout);
            });
    }

    private static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    private static string Capitalised(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
