using System.Net;
using DiscordLedgerBot.Discord;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace DiscordLedgerBot.Slices.Speech.VoiceMessages;

/// <summary>A voice message could not be fetched or read; the message is fit for the channel.</summary>
public sealed class VoiceMessageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Fetches a voice message's attachment into memory. Only Discord's CDN hosts over https (or the origin of
/// <c>Discord:ApiBaseUrl</c>, the emulator in the sandbox) are contacted, redirects are not followed, and the body is
/// cut off at <see cref="VoiceMessageOptions.MaxBytes"/>: a message's attachment URL is user-controlled input, and the
/// bot must not be made to fetch anything else (SSRF). Timeouts and retries live in the named client's resilience handler.
/// </summary>
public sealed class VoiceMessageDownloader(IHttpClientFactory clients, IOptions<VoiceMessageOptions> options, IOptions<DiscordOptions> discord)
{
    public const string HttpClientName = "voice-message-cdn";

    /// <summary>Whether <paramref name="url"/> may be fetched: https on an allowed host, or Discord:ApiBaseUrl's origin.</summary>
    public bool IsAllowed(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || !string.IsNullOrEmpty(url.UserInfo))
        {
            return false;
        }

        var api = discord.Value.ApiBaseUrl;
        if (url.Scheme == api.Scheme && string.Equals(url.Host, api.Host, StringComparison.OrdinalIgnoreCase) && url.Port == api.Port)
        {
            return true;
        }

        return url.Scheme == Uri.UriSchemeHttps && url.IsDefaultPort
            && options.Value.AllowedHosts.Any(host => string.Equals(url.Host, host, StringComparison.OrdinalIgnoreCase));
    }

    /// <exception cref="VoiceMessageException">Not allowed, not found, too large, timed out or unreachable.</exception>
    public async Task<byte[]> DownloadAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var settings = options.Value;
        if (!IsAllowed(url))
        {
            throw new VoiceMessageException($"Its attachment is not on Discord's CDN ({url.Host}), so it was not fetched.");
        }

        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(HttpClientName).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (TimeoutRejectedException timedOut)
        {
            throw new VoiceMessageException($"Discord's CDN did not deliver it in time ({settings.Retries + 1} attempts, at most {settings.TotalTimeout.TotalSeconds:0.#} s).", timedOut);
        }
        catch (HttpRequestException unreachable)
        {
            throw new VoiceMessageException($"Discord's CDN is unreachable ({unreachable.HttpRequestError}).", unreachable);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var transient = (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
                var attempts = transient && settings.Retries > 0 ? $" after {settings.Retries + 1} attempts" : string.Empty;
                throw new VoiceMessageException($"Discord's CDN answered {(int)response.StatusCode} {response.ReasonPhrase}{attempts}.");
            }

            if (response.Content.Headers.ContentLength > settings.MaxBytes)
            {
                throw new VoiceMessageException($"It is {response.Content.Headers.ContentLength / 1024} KiB; at most {settings.MaxBytes / 1024} KiB is fetched (Speech:VoiceMessages:MaxBytes).");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > settings.MaxBytes)
                {
                    throw new VoiceMessageException($"It is larger than {settings.MaxBytes / 1024} KiB; at most {settings.MaxBytes / 1024} KiB is fetched (Speech:VoiceMessages:MaxBytes).");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    /// <summary>
    /// The named client: total timeout → retries (Retry-After honoured, exponential otherwise, no jitter) → per-attempt
    /// timeout, on the host's <see cref="TimeProvider"/>; no redirects, no cookies.
    /// </summary>
    public static void AddClient(IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName, client => client.Timeout = System.Threading.Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
            .AddResilienceHandler(HttpClientName, static (builder, context) =>
            {
                var settings = context.ServiceProvider.GetRequiredService<IOptions<VoiceMessageOptions>>().Value;
                SpeechWork.AddRequestPolicy(builder, context.ServiceProvider.GetRequiredService<TimeProvider>(), settings.TotalTimeout, settings.Retries, settings.RetryDelay, settings.Timeout);
            });
    }
}
