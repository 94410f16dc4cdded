using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Cli;

/// <summary>
/// HttpClients for code that runs outside the host's container (operator verbs, the sandbox's set-up): one
/// process-wide <see cref="IHttpClientFactory"/>, so handlers are pooled and recycled (DNS changes are seen) like
/// everywhere else, and no verb builds its own socket pool with <c>new HttpClient()</c>.
/// </summary>
public static class StandaloneHttpClients
{
    private static readonly Lazy<IHttpClientFactory> Factory = new(() =>
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>());

    /// <summary>A client with <paramref name="timeout"/> as its overall request timeout; dispose it after use.</summary>
    public static HttpClient Create(TimeSpan timeout)
    {
        var client = Factory.Value.CreateClient();
        client.Timeout = timeout;
        return client;
    }
}
