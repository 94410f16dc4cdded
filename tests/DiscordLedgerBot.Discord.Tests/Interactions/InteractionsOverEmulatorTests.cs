using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Tests.Commands;
using DiscordLedgerBot.Discord.Tests.Gateway;
using DiscordLedgerBot.Discord.Tests.OpenApi;
using DiscordLedgerBot.Emulators.Discord;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Discord.Tests.Interactions;

/// <summary>
/// The whole path over real sockets: the Discord emulator's gateway delivers INTERACTION_CREATE to the real gateway
/// client, the dispatcher answers through the real REST client, and the emulator records what arrived.
/// </summary>
public sealed class InteractionsOverEmulatorTests : IAsyncLifetime
{
    private readonly TaskCompletionSource<InteractionResponse> _slow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DiscordClientHarness? _harness;

    private DiscordClientHarness Harness => _harness!;

    public async Task InitializeAsync()
    {
        _harness = await DiscordClientHarness.StartAsync(configureServices: services =>
        {
            // A short threshold keeps the deferral test fast on the real clock.
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Discord:InteractionDeferAfter"] = "00:00:00.200" })
                .Build();
            services.AddDiscordInteractions(configuration, routes => routes
                .MapCommand("ping", (context, _) => Task.FromResult(InteractionResponse.Message(new MessageBuilder()
                    .WithContent($"Pong, {context.Interaction.User!.DisplayName} @everyone")
                    .AddEmbed(e => e.WithTitle("Latency").AddField("Gateway", "ok", inline: true))
                    .AddActionRow(r => r.AddButton("approve:1", "Approve", ButtonStyle.Success))
                    .Build())))
                .MapCommand("sync", (_, _) => _slow.Task)
                .MapComponent("approve:", (_, _) => Task.FromResult(InteractionResponse.UpdateMessage(MessageBuilder.Text("Approved")))));
        });
        await Harness.StartAndWaitForReadyAsync();
    }

    public async Task DisposeAsync()
    {
        _slow.TrySetResult(InteractionResponse.Text("cleanup"));
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    [Fact]
    public async Task Commands_register_once_and_interactions_are_answered_with_spec_valid_bodies()
    {
        var registrar = Harness.Services.GetRequiredService<ApplicationCommandRegistrar>();
        var scope = ApplicationCommandScope.Guild(ulong.Parse(Harness.Emulator.Options.ApplicationId, System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(Harness.GuildId, System.Globalization.CultureInfo.InvariantCulture));

        var first = await registrar.RegisterAsync(scope, ApplicationCommandDeclarations.All(), CancellationToken.None);
        var second = await registrar.RegisterAsync(scope, ApplicationCommandDeclarations.All(), CancellationToken.None);

        var ping = await Harness.InjectSlashCommandAsync("ping");
        var pong = await Harness.Emulator.InteractionResponses.WaitForAsync(r => r.InteractionId == ping.Id, TimeSpan.FromSeconds(10));
        var button = await Harness.Emulator.InjectInteractionAsync(EmulatedInteractions.ComponentInteraction("approve:1"));
        var update = await Harness.Emulator.InteractionResponses.WaitForAsync(r => r.InteractionId == button.Id, TimeSpan.FromSeconds(10));
        var sync = await Harness.InjectSlashCommandAsync("sync");
        var deferral = await Harness.Emulator.InteractionResponses.WaitForAsync(r => r.InteractionId == sync.Id, TimeSpan.FromSeconds(10));
        _slow.SetResult(InteractionResponse.Text("Board synchronised"));
        await Harness.Emulator.RestRequests.WaitForAsync(r => r.Method == "PATCH" && r.Path.Contains(sync.Token, StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        Assert.Equal((CommandRegistrationOutcome.Overwritten, CommandRegistrationOutcome.Unchanged), (first, second));
        Assert.Equal(3, Harness.Emulator.RegisteredCommands(Harness.GuildId).Count);
        Assert.Equal((4, 7, 5), (pong.CallbackType, update.CallbackType, deferral.CallbackType));
        Assert.True(pong.Latency < TimeSpan.FromSeconds(3), $"Ack took {pong.Latency}.");
        var requests = Harness.Emulator.RestRequests.Snapshot();
        Assert.All(requests, r => Assert.InRange(r.StatusCode, 200, 299));
        var violations = requests.SelectMany(r => DiscordSpec.Validator.Validate(new HttpMethod(r.Method), r.Path, r.Body)
            .Concat(DiscordSpec.Validator.ValidateResponse(new HttpMethod(r.Method), r.Path, r.StatusCode, r.ResponseBody))).ToList();
        var dispatches = Harness.Emulator.GatewayServerFrames.Snapshot().Where(f => f.Op == 0)
            .SelectMany(f => DiscordSpec.Validator.ValidateDispatch(f.EventName!, f.Data)).ToList();
        Assert.Empty(violations);
        Assert.Empty(dispatches);
    }
}
