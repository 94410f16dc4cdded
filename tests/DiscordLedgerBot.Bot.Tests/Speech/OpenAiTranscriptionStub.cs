using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// A transcription server on 127.0.0.1 speaking OpenAI's <c>POST /v1/audio/transcriptions</c> (multipart file + model +
/// response_format, JSON <c>{"text": …}</c> back). Each request takes the next scripted answer; the last one repeats.
/// </summary>
internal sealed class OpenAiTranscriptionStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly Func<HttpContext, Task> _last;

    private OpenAiTranscriptionStub(WebApplication app, Func<HttpContext, Task> fallback)
    {
        _app = app;
        _last = fallback;
    }

    public string BaseUrl => _app.Urls.First();

    public ConcurrentQueue<TranscriptionRequest> Requests { get; } = new();

    public static async Task<OpenAiTranscriptionStub> StartAsync(params Func<HttpContext, Task>[] script)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var stub = new OpenAiTranscriptionStub(app, script[^1]);
        foreach (var step in script)
        {
            stub._script.Enqueue(step);
        }

        app.MapPost("/v1/audio/transcriptions", async context =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var file = form.Files["file"];
            byte[] wav = [];
            if (file is not null)
            {
                using var copy = new MemoryStream();
                await file.CopyToAsync(copy, context.RequestAborted);
                wav = copy.ToArray();
            }

            stub.Requests.Enqueue(new TranscriptionRequest(form["model"].ToString(), form["response_format"].ToString(), file?.FileName, wav, context.Request.Headers.Authorization.ToString()));
            var answer = stub._script.TryDequeue(out var next) ? next : stub._last;
            await answer(context);
        });
        await app.StartAsync();
        return stub;
    }

    public static Func<HttpContext, Task> Text(string text) => context => context.Response.WriteAsJsonAsync(new { text });

    public static Func<HttpContext, Task> Status(int status, string? retryAfter = null) => context =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        return context.Response.WriteAsJsonAsync(new { error = new { message = "stub says no", type = "server_error" } });
    };

    /// <summary>Never answers: the client has to give up (the request is aborted when it does).</summary>
    public static Func<HttpContext, Task> Hang() => context => Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, context.RequestAborted);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record TranscriptionRequest(string Model, string ResponseFormat, string? FileName, byte[] Wav, string Authorization);
}
