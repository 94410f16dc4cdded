using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Emulators.Discord;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Discord.Tests.Gateway;

/// <summary>The real client (DI as in production) wired to an emulator on a free loopback port.</summary>
internal sealed class DiscordClientHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private DiscordClientHarness(DiscordEmulator emulator, ServiceProvider services)
    {
        Emulator = emulator;
        Services = services;
        Gateway = services.GetRequiredService<DiscordGatewayClient>();
        Rest = services.GetRequiredService<IDiscordRest>();
        Events = services.GetRequiredService<GatewayEventRecorder>();
    }

    public DiscordEmulator Emulator { get; }

    public ServiceProvider Services { get; }

    public DiscordGatewayClient Gateway { get; }

    public IDiscordRest Rest { get; }

    public GatewayEventRecorder Events { get; }

    public Task? Running { get; private set; }

    public string GuildId => Emulator.Guilds[0].Id;

    public static async Task<DiscordClientHarness> StartAsync(
        Action<DiscordEmulatorOptions>? configureEmulator = null,
        Action<Dictionary<string, string?>>? configureClient = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var emulatorOptions = new DiscordEmulatorOptions();
        configureEmulator?.Invoke(emulatorOptions);
        var emulator = await DiscordEmulator.StartAsync(emulatorOptions);
        var settings = new Dictionary<string, string?>
        {
            ["Discord:Token"] = emulatorOptions.BotToken,
            ["Discord:ApplicationId"] = emulatorOptions.ApplicationId,
            ["Discord:ApiBaseUrl"] = emulator.RestBaseUrl.ToString(),
            ["Discord:GatewayReconnectDelay"] = "00:00:00.050",
            ["Discord:GatewayMaxReconnectDelay"] = "00:00:00.200",
        };
        configureClient?.Invoke(settings);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddDiscordClient(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<GatewayEventRecorder>();
        services.AddSingleton<IGatewayEventHandler<Ready>>(provider => provider.GetRequiredService<GatewayEventRecorder>());
        services.AddSingleton<IGatewayEventHandler<Resumed>>(provider => provider.GetRequiredService<GatewayEventRecorder>());
        services.AddSingleton<IGatewayEventHandler<GuildCreated>>(provider => provider.GetRequiredService<GatewayEventRecorder>());
        services.AddSingleton<IGatewayEventHandler<InteractionCreated>>(provider => provider.GetRequiredService<GatewayEventRecorder>());
        services.AddSingleton<IGatewayEventHandler<UnknownDispatch>>(provider => provider.GetRequiredService<GatewayEventRecorder>());
        configureServices?.Invoke(services);
        return new DiscordClientHarness(emulator, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    public void StartGateway() => Running = Gateway.RunAsync(_stop.Token);

    public async Task<Ready> StartAndWaitForReadyAsync()
    {
        StartGateway();
        return (Ready)await Events.Log.WaitForAsync(e => e is Ready);
    }

    public Task<EmulatedInteraction> InjectSlashCommandAsync(string name) =>
        Emulator.InjectInteractionAsync(EmulatedInteractions.SlashCommand(name, GuildId));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (Running is not null)
        {
            try
            {
                await Running.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (GatewayFatalException)
            {
                // Asserted by the test that provoked it.
            }
        }

        await Services.DisposeAsync();
        await Emulator.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>Records every event it is given, in handling order.</summary>
internal sealed class GatewayEventRecorder :
    IGatewayEventHandler<Ready>,
    IGatewayEventHandler<Resumed>,
    IGatewayEventHandler<GuildCreated>,
    IGatewayEventHandler<InteractionCreated>,
    IGatewayEventHandler<UnknownDispatch>
{
    public ObservableLog<IGatewayEvent> Log { get; } = new();

    public Task HandleAsync(Ready gatewayEvent, CancellationToken cancellationToken) => Record(gatewayEvent);

    public Task HandleAsync(Resumed gatewayEvent, CancellationToken cancellationToken) => Record(gatewayEvent);

    public Task HandleAsync(GuildCreated gatewayEvent, CancellationToken cancellationToken) => Record(gatewayEvent);

    public Task HandleAsync(InteractionCreated gatewayEvent, CancellationToken cancellationToken) => Record(gatewayEvent);

    public Task HandleAsync(UnknownDispatch gatewayEvent, CancellationToken cancellationToken) => Record(gatewayEvent);

    public IReadOnlyList<string> InteractionIds() =>
        [.. Log.Snapshot().OfType<InteractionCreated>().Select(e => e.Interaction.GetProperty("id").GetString()!)];

    private Task Record(IGatewayEvent gatewayEvent)
    {
        Log.Add(gatewayEvent);
        return Task.CompletedTask;
    }
}

/// <summary>A slash-command responder as the interactions layer would write it: answers "pong" through IDiscordRest.</summary>
internal sealed class PongResponder(IDiscordRest rest) : IGatewayEventHandler<InteractionCreated>
{
    public async Task HandleAsync(InteractionCreated gatewayEvent, CancellationToken cancellationToken)
    {
        var interaction = gatewayEvent.Interaction;
        await rest.SendAsync(
            new DiscordRestRequest(
                HttpMethod.Post,
                "/interactions/{interaction_id}/{interaction_token}/callback",
                new Dictionary<string, string>
                {
                    ["interaction_id"] = interaction.GetProperty("id").GetString()!,
                    ["interaction_token"] = interaction.GetProperty("token").GetString()!,
                },
                new JsonObject { ["type"] = 4, ["data"] = new JsonObject { ["content"] = "pong" } },
                Authenticated: false),
            cancellationToken);
    }
}

/// <summary>A broken responder: proves one handler's exception never reaches the gateway.</summary>
internal sealed class ThrowingResponder : IGatewayEventHandler<InteractionCreated>
{
    public Task HandleAsync(InteractionCreated gatewayEvent, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("responder bug");
}
