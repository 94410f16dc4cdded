using System.Net;
using System.Text;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Discord.Tests.Rest;

/// <summary>Retry and budget policy with a scripted HTTP handler and a fake clock.</summary>
public sealed class DiscordRestClientUnitTests
{
    private static readonly Dictionary<string, string> ChannelRoute = new() { ["channel_id"] = "1" };

    [Fact]
    public async Task Server_errors_on_idempotent_requests_are_retried()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway, HttpStatusCode.OK);
        var (rest, clock, provider) = Build(handler);
        await using var _ = provider;

        var result = await Drive(rest.SendAsync(new DiscordRestRequest(HttpMethod.Get, "/channels/{channel_id}", ChannelRoute), CancellationToken.None), clock);

        Assert.NotNull(result);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task Server_errors_on_a_plain_post_are_not_repeated()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var (rest, clock, provider) = Build(handler);
        await using var _ = provider;

        var error = await Assert.ThrowsAsync<DiscordRestException>(() =>
            Drive(rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, "/channels/{channel_id}/messages", ChannelRoute, new { content = "x" }), CancellationToken.None), clock));

        Assert.Equal(503, error.StatusCode);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_post_marked_retry_safe_is_repeated()
    {
        var handler = new ScriptedHandler(HttpStatusCode.InternalServerError, HttpStatusCode.OK);
        var (rest, clock, provider) = Build(handler);
        await using var _ = provider;

        await Drive(rest.SendAsync(new DiscordRestRequest(HttpMethod.Post, "/channels/{channel_id}/messages", ChannelRoute, new { content = "x" }) { RetrySafe = true }, CancellationToken.None), clock);

        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Near_the_invalid_request_threshold_the_client_fails_fast_without_sending()
    {
        var handler = new ScriptedHandler(HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.OK);
        var (rest, clock, provider) = Build(handler, threshold: 3);
        await using var _ = provider;
        var request = new DiscordRestRequest(HttpMethod.Get, "/channels/{channel_id}", ChannelRoute);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<DiscordRestException>(() => Drive(rest.SendAsync(request, CancellationToken.None), clock));
        }

        await Assert.ThrowsAsync<DiscordRestUnavailableException>(() => rest.SendAsync(request, CancellationToken.None));
        Assert.Equal(3, handler.Calls);

        clock.Advance(TimeSpan.FromMinutes(10));
        await Drive(rest.SendAsync(request, CancellationToken.None), clock);
        Assert.Equal(4, handler.Calls);
    }

    [Fact]
    public async Task Remaining_zero_makes_the_next_request_wait_for_the_reset()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK, HttpStatusCode.OK) { RemainingHeader = "0", ResetAfterHeader = "2.5" };
        var (rest, clock, provider) = Build(handler);
        await using var _ = provider;
        var request = new DiscordRestRequest(HttpMethod.Get, "/channels/{channel_id}", ChannelRoute);
        await Drive(rest.SendAsync(request, CancellationToken.None), clock);

        var timers = clock.TimersCreated;
        var second = rest.SendAsync(request, CancellationToken.None);
        await Eventually.TrueAsync(() => clock.TimersCreated > timers, "the second request waits on the clock for the bucket reset");
        Assert.Equal(1, handler.Calls);
        clock.Advance(TimeSpan.FromSeconds(2.5));
        await second.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task An_attempt_that_hangs_times_out_and_an_idempotent_request_is_retried()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK, HttpStatusCode.OK) { HangOnFirstCall = true };
        var (rest, clock, provider) = Build(handler);
        await using var _ = provider;

        var result = await Drive(rest.SendAsync(new DiscordRestRequest(HttpMethod.Get, "/channels/{channel_id}", ChannelRoute), CancellationToken.None), clock);

        Assert.NotNull(result);
        Assert.Equal(2, handler.Calls);
    }

    // Moves the fake clock in small steps so Polly's backoff delays elapse without real waiting.
    private static Task<T> Drive<T>(Task<T> task, FakeTimeProvider clock) => Eventually.CompletesAsync(clock, task, TimeSpan.FromMilliseconds(100));

    private static (IDiscordRest Client, TimerCountingFakeTimeProvider Clock, ServiceProvider Provider) Build(ScriptedHandler handler, int threshold = 8000)
    {
        var clock = new TimerCountingFakeTimeProvider(TestTime.Start);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddDiscordClient(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Discord:Token"] = "unit-token",
            ["Discord:ApplicationId"] = "1",
            ["Discord:ApiBaseUrl"] = "http://discord.invalid/api/v10",
            ["Discord:InvalidRequestSafetyThreshold"] = threshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build());
        services.AddHttpClient(DiscordRestClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<IDiscordRest>(), clock, provider);
    }

    private sealed class ScriptedHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        public string? RemainingHeader { get; init; }

        public string? ResetAfterHeader { get; init; }

        public bool HangOnFirstCall { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var index = Interlocked.Increment(ref _calls) - 1;
            if (HangOnFirstCall && index == 0)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var status = statuses[Math.Min(index, statuses.Length - 1)];
            var body = status == HttpStatusCode.OK ? "{\"id\":\"1\"}" : "{\"code\":0,\"message\":\"scripted\"}";
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (RemainingHeader is not null)
            {
                response.Headers.Add("X-RateLimit-Bucket", "b1");
                response.Headers.Add("X-RateLimit-Limit", "1");
                response.Headers.Add("X-RateLimit-Remaining", RemainingHeader);
                response.Headers.Add("X-RateLimit-Reset-After", ResetAfterHeader);
            }

            return response;
        }
    }
}
