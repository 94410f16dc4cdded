using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Discord;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Emulators.Discord.Voice;
using DiscordLedgerBot.Slices.Speech.VoiceMessages;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Bot.Tests.Speech;

/// <summary>
/// Each <c>Speech:VoiceMessages:Mode</c>: the gateway intents it adds (only <c>wake</c> and <c>all</c> ask for the
/// privileged MESSAGE_CONTENT) and which voice messages it fetches and hands on as addressed — through the slice's own
/// composition, with the CDN and Discord faked.
/// </summary>
public sealed class VoiceMessageModeTests
{
    private const string BotId = "100000000000000001";
    private const string Member = "100000000000000002";
    private const int MessageContent = 1 << 15;

    [Theory]
    [InlineData("addressed", DiscordOptions.MinimalIntents | (1 << 9) | (1 << 12))]
    [InlineData("wake", DiscordOptions.MinimalIntents | (1 << 9) | (1 << 12) | MessageContent)]
    [InlineData("all", DiscordOptions.MinimalIntents | (1 << 9) | (1 << 12) | MessageContent)]
    [InlineData("off", DiscordOptions.MinimalIntents)]
    public void Each_mode_adds_the_intents_it_needs_and_only_wake_and_all_the_privileged_one(string mode, int expected)
    {
        using var services = Compose(mode, out _, out _);
        Assert.Equal(expected, services.GetRequiredService<IOptions<DiscordOptions>>().Value.GatewayIntents);
    }

    [Fact]
    public void An_unknown_mode_fails_validation_naming_the_modes()
    {
        using var services = Compose("sometimes", out _, out _);
        var failed = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<VoiceMessageOptions>>().Value);
        Assert.Contains("Speech:VoiceMessages:Mode must be addressed, wake, all or off (got 'sometimes').", failed.Failures);
    }

    // Voice messages as they reach the bot with their attachment: in a guild channel, a reply that pings the bot, a reply
    // to the bot with the @mention off (only with MESSAGE_CONTENT) and a DM. Expected: fetched ones and their Addressed.
    [Theory]
    [InlineData("addressed", "", "ping:True reply:True dm:True")]
    [InlineData("wake", "plain:False", "ping:True reply:True dm:True")]
    [InlineData("all", "plain:True", "ping:True reply:True dm:True")]
    [InlineData("off", "", "")]
    public async Task Each_mode_fetches_and_addresses_only_its_voice_messages(string mode, string plain, string others)
    {
        using var services = Compose(mode, out var sink, out var downloads);
        var responder = services.GetRequiredService<VoiceMessageResponder>();
        await responder.StartAsync(CancellationToken.None);
        try
        {
            await DispatchAsync(responder, "plain", guild: true, mentionsBot: false, repliesToBot: false);
            await DispatchAsync(responder, "ping", guild: true, mentionsBot: true, repliesToBot: true);
            await DispatchAsync(responder, "reply", guild: true, mentionsBot: false, repliesToBot: true);
            await DispatchAsync(responder, "dm", guild: false, mentionsBot: false, repliesToBot: false);
            var expected = string.Join(' ', new[] { plain, others }.Where(part => part.Length > 0));
            var count = expected.Length == 0 ? 0 : expected.Split(' ').Length;

            // The last message marks the end: in a mode that takes it, wait for it; otherwise nothing was queued at all.
            await Eventually.TrueAsync(() => sink.Count == count, $"{count} utterances");
            Assert.Equal(expected, string.Join(' ', new[] { "plain", "ping", "reply", "dm" }.Where(sink.ContainsKey).Select(id => $"{id}:{sink[id]}")));
            Assert.Equal(count, downloads.Count);
        }
        finally
        {
            await responder.StopAsync(CancellationToken.None);
        }
    }

    private static Task DispatchAsync(VoiceMessageResponder responder, string id, bool guild, bool mentionsBot, bool repliesToBot)
    {
        var message = new JsonObject
        {
            ["id"] = id,
            ["channel_id"] = guild ? "200000000000000001" : "200000000000000002",
            ["type"] = repliesToBot ? 19 : 0,
            ["flags"] = VoiceMessageResponder.VoiceMessageFlag,
            ["author"] = new JsonObject { ["id"] = Member, ["username"] = "linus" },
            ["mentions"] = mentionsBot ? new JsonArray(new JsonObject { ["id"] = BotId }) : new JsonArray(),
            ["timestamp"] = TestTime.Start.ToString("O"),
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["url"] = $"https://cdn.discordapp.com/attachments/1/{id}/voice-message.ogg",
                ["size"] = Ogg.Length,
                ["duration_secs"] = 1.0,
            }),
        };
        if (guild)
        {
            message["guild_id"] = "300000000000000001";
        }

        if (repliesToBot)
        {
            message["referenced_message"] = new JsonObject { ["id"] = "1", ["author"] = new JsonObject { ["id"] = BotId } };
        }

        return responder.HandleAsync(new UnknownDispatch("MESSAGE_CREATE", 1, JsonSerializer.SerializeToElement(message)), CancellationToken.None);
    }

    private static readonly byte[] Ogg = OggOpusWriter.Encode(VoiceClip.FromMono(new short[16_000], 16_000));

    private static ServiceProvider Compose(string mode, out ConcurrentDictionary<string, bool> sink, out ConcurrentQueue<Uri> downloads)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Speech:VoiceMessages:Mode"] = mode }).Build();
        var heard = new ConcurrentDictionary<string, bool>();
        var fetched = new ConcurrentQueue<Uri>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(TestTime.Start));
        services.AddOptions<DiscordOptions>();
        services.AddOptions<SpeechOptions>();
        services.AddSingleton<IDiscordGateway>(new Gateway());
        services.AddSingleton<IDiscordRest>(new Rest());
        services.AddSingleton<IUtteranceSink>(new Sink(heard));
        services.AddLedgerVoiceMessages(configuration);
        services.AddHttpClient(VoiceMessageDownloader.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new Cdn(fetched));
        sink = heard;
        downloads = fetched;
        return services.BuildServiceProvider();
    }

    private sealed class Gateway : IDiscordGateway
    {
        public GatewayStatus Status => GatewayStatus.Ready;

        public GatewaySession? Session { get; } = new("session", "wss://gateway.example", BotId, BotId);

        public Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task UpdateVoiceStateAsync(string guildId, string? channelId, bool selfMute, bool selfDeaf, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Rest : IDiscordRest
    {
        public Task<JsonElement?> SendAsync(DiscordRestRequest request, CancellationToken cancellationToken) =>
            throw new Xunit.Sdk.XunitException($"Unexpected reply {request.RouteTemplate}: every voice message here is readable.");
    }

    private sealed class Sink(ConcurrentDictionary<string, bool> heard) : IUtteranceSink
    {
        public ValueTask AcceptAsync(SpokenUtterance utterance, CancellationToken cancellationToken)
        {
            heard[utterance.UtteranceId] = utterance.Addressed;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Cdn(ConcurrentQueue<Uri> fetched) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            fetched.Enqueue(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Ogg) });
        }
    }
}
