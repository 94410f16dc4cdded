using System.Net;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Registry.Tests;

internal enum ServerMode
{
    Ok,
    Error,
    Slow,
    Hang,
}

/// <summary>A real HTTP server on a free loopback port whose health endpoint degrades on command.</summary>
internal sealed class DegradableHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public DegradableHttpServer()
    {
        var port = FreeTcpPort.Next();
        Url = $"http://127.0.0.1:{port}/healthz";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public ServerMode Mode { get; set; }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => RespondAsync(context));
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        try
        {
            switch (Mode)
            {
                case ServerMode.Hang:
                    await Task.Delay(Timeout.InfiniteTimeSpan, _stopping.Token);
                    break;
                case ServerMode.Slow:
                    // Server-side latency the probe must measure; short and bounded.
                    await Task.Delay(TimeSpan.FromMilliseconds(60), _stopping.Token);
                    break;
            }

            context.Response.StatusCode = Mode == ServerMode.Error ? 500 : 200;
            context.Response.Close();
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException)
        {
        }
    }
}
