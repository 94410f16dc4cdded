using System.Net;
using DiscordLedgerBot.Discord;
using DiscordLedgerBot.Slices.Speech.VoiceMessages;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// The voice-message download is the one place a user's input names a URL the bot fetches: only Discord's CDN over
/// https (or the configured API origin, the emulator in the sandbox) is contacted, and the body is capped.
/// </summary>
public sealed class VoiceMessageDownloaderTests
{
    [Theory]
    [InlineData("https://cdn.discordapp.com/attachments/1/2/voice-message.ogg?ex=1&is=2&hm=3", true)]
    [InlineData("https://media.discordapp.net/attachments/1/2/voice-message.ogg", true)]
    [InlineData("http://127.0.0.1:5999/attachments/1/2/voice-message.ogg", true)]
    [InlineData("http://cdn.discordapp.com/attachments/1/2/voice-message.ogg", false)]
    [InlineData("https://cdn.discordapp.com:8443/attachments/1/2/voice-message.ogg", false)]
    [InlineData("https://user:pw@cdn.discordapp.com/attachments/1/2/voice-message.ogg", false)]
    [InlineData("https://cdn.discordapp.com.evil.example/attachments/1/2/x.ogg", false)]
    [InlineData("http://169.254.169.254/latest/meta-data/", false)]
    [InlineData("http://127.0.0.1:6379/", false)]
    [InlineData("file:///etc/passwd", false)]
    public void Only_discord_cdn_hosts_and_the_configured_api_origin_are_fetched(string url, bool allowed) =>
        Assert.Equal(allowed, Downloader(new HttpClient()).IsAllowed(new Uri(url)));

    [Fact]
    public async Task A_url_off_the_cdn_is_refused_without_a_request()
    {
        var handler = new Stub(_ => throw new InvalidOperationException("no request may be sent"));
        var refused = await Assert.ThrowsAsync<VoiceMessageException>(() => Downloader(new HttpClient(handler)).DownloadAsync(new Uri("http://10.0.0.1/secret"), CancellationToken.None));
        Assert.Equal("Its attachment is not on Discord's CDN (10.0.0.1), so it was not fetched.", refused.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_cap_is_refused_whether_or_not_it_announces_its_length(bool announced)
    {
        var handler = new Stub(_ =>
        {
            HttpContent content = announced ? new ByteArrayContent(new byte[5000]) : new StreamContent(new MemoryStream(new byte[5000]));
            if (!announced)
            {
                content.Headers.ContentLength = null;
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });
        var refused = await Assert.ThrowsAsync<VoiceMessageException>(() => Downloader(new HttpClient(handler), maxBytes: 4096).DownloadAsync(new Uri("https://cdn.discordapp.com/a/b/c.ogg"), CancellationToken.None));
        Assert.Contains("at most 4 KiB is fetched (Speech:VoiceMessages:MaxBytes)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_attachment_says_what_the_cdn_answered()
    {
        var handler = new Stub(_ => new HttpResponseMessage(HttpStatusCode.NotFound));
        var refused = await Assert.ThrowsAsync<VoiceMessageException>(() => Downloader(new HttpClient(handler)).DownloadAsync(new Uri("https://cdn.discordapp.com/a/b/c.ogg"), CancellationToken.None));
        Assert.Equal("Discord's CDN answered 404 Not Found.", refused.Message);
    }

    [Fact]
    public void Invalid_settings_are_each_named()
    {
        var problems = new VoiceMessageOptions { Mode = "sometimes", MaxBytes = 10, AllowedHosts = ["https://cdn.example"], Channels = ["general"], Retries = 11 }.Problems().ToList();
        Assert.Equal(5, problems.Count);
        Assert.Contains("Speech:VoiceMessages:Mode must be addressed, wake, all or off (got 'sometimes').", problems);
        Assert.Empty(new VoiceMessageOptions().Problems());
    }

    private static VoiceMessageDownloader Downloader(HttpClient client, long maxBytes = 1024 * 1024) => new(
        new Factory(client),
        Options.Create(new VoiceMessageOptions { MaxBytes = maxBytes }),
        Options.Create(new DiscordOptions { ApiBaseUrl = new Uri("http://127.0.0.1:5999/api/v10") }));

    private sealed class Factory(HttpClient client) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => client;
    }

    private sealed class Stub(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(answer(request));
    }
}
