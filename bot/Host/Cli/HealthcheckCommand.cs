using DiscordLedgerBot.Hosting;

namespace DiscordLedgerBot.Cli;

/// <summary>
/// `bot healthcheck [--url URL]`: probes a running bot's /healthz and exits 0 when healthy. Used by the container
/// HEALTHCHECK, since the runtime image has no curl.
/// </summary>
public sealed class HealthcheckCommand : ICliCommand
{
    public string Verb => "healthcheck";

    public string Summary => "Probe a running bot's /healthz (exit 0 healthy, 1 otherwise)";

    public string Usage => """
        usage: bot healthcheck [--url URL] [--timeout-seconds 5]
          URL defaults to /healthz on the address the bot listens on (urls / ASPNETCORE_URLS, else http://127.0.0.1:8080);
          /alive answers liveness only.
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = CliArguments.Parse(args, ["url", "timeout-seconds"]);
        var url = options.Value("url") ?? DefaultUrl(context.Configuration);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliUsageException($"--url must be an absolute http(s) URL, got '{url}'.");
        }

        var timeout = TimeSpan.FromSeconds(options.Int("timeout-seconds") ?? 5);
        await using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        using var http = services.GetRequiredService<IHttpClientFactory>().CreateClient();
        http.Timeout = timeout;
        try
        {
            using var response = await http.GetAsync(uri, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            await context.Output.WriteLineAsync($"{(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await context.Error.WriteLineAsync($"unhealthy: {uri} did not answer ({e.Message})");
            return 1;
        }
    }

    // The first address the bot listens on; wildcard hosts (+, *, 0.0.0.0, [::]) are reached over loopback.
    private static string DefaultUrl(IConfiguration configuration)
    {
        var listen = (configuration["urls"] ?? BotHost.DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        foreach (var wildcard in new[] { "://+:", "://*:", "://0.0.0.0:", "://[::]:" })
        {
            listen = listen.Replace(wildcard, "://127.0.0.1:", StringComparison.Ordinal);
        }

        return listen.TrimEnd('/') + "/healthz";
    }
}
