using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Discord.Rest;
using DiscordLedgerBot.Discord.Tests.Commands;
using DiscordLedgerBot.Discord.Tests.Interactions;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord.Tests.OpenApi;

/// <summary>
/// Every kind of REST body this layer produces (command overwrite, each callback type, follow-up, @original edit,
/// channel message) is generated for real and validated against Discord's official OpenAPI spec.
/// </summary>
public class ProducedBodiesConformToSpecTests
{
    private readonly TimerCountingFakeTimeProvider _time = new(TestTime.Start);
    private readonly RecordingDiscordRest _rest = new();

    private static MessagePayload RichMessage(bool ephemeral = false)
    {
        var builder = new MessageBuilder()
            .WithContent("Item <@1200000000000000004> moved to **Done** @everyone")
            .WithAllowedMentions(AllowedMentions.Only([1200000000000000004UL], [1200000000000000099UL]))
            .AddEmbed(e => e
                .WithTitle("Ship v2")
                .WithUrl("https://example.monday.com/boards/1/pulses/2")
                .WithDescription(new string('d', 5000))
                .WithColor(0x00C875)
                .WithTimestamp(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero))
                .AddField("Status", "Done", inline: true)
                .AddField("Owner", "Ada", inline: true)
                .WithFooter("Ledger")
                .WithAuthor("DiscordLedgerBot", "https://example.com"))
            .AddActionRow(r => r
                .AddButton("approve:2", "Approve", ButtonStyle.Success)
                .AddButton("reject:2", "Reject", ButtonStyle.Danger)
                .AddLinkButton("https://example.monday.com/boards/1/pulses/2", "Open in monday"))
            .AddActionRow(r => r.AddStringSelect("status:2", [new SelectOption("Open", "open", "Still to do"), new SelectOption("Done", "done", IsDefault: true)], "Change status"));
        return (ephemeral ? builder.AsEphemeral() : builder).Build();
    }

    private async Task ProduceInteractionTrafficAsync()
    {
        var slow = new TaskCompletionSource<InteractionResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowComponent = new TaskCompletionSource<InteractionResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var router = new InteractionRouter()
            .MapCommand("ledger add", async (context, ct) =>
            {
                await context.FollowUpAsync(RichMessage(ephemeral: true), ct);
                return InteractionResponse.Message(RichMessage());
            })
            .MapCommand("ledger", (_, _) => slow.Task, new InteractionRouteOptions(DeferEphemeral: true))
            .MapCommand("broken", (_, _) => throw new InteractionInputException("Points must be 0-100."))
            .MapAutocomplete("ledger close", (_, _) => Task.FromResult(InteractionResponse.Autocomplete([new AutocompleteChoice("Ship v2", "item-2")])))
            .MapComponent("approve:", (_, _) => Task.FromResult(InteractionResponse.UpdateMessage(RichMessage())))
            .MapComponent("noop:", (_, _) => Task.FromResult(InteractionResponse.Acknowledge()))
            .MapComponent("slow:", (_, _) => slowComponent.Task)
            .MapComponent("edit:", (_, _) => Task.FromResult(InteractionResponse.Modal(
                new ModalBuilder("edit:2", "Edit item").AddTextInput("title", "Title", maxLength: 100, value: "Ship v2").AddTextInput("notes", "Notes", TextInputStyle.Paragraph, required: false).Build())));
        var dispatcher = new InteractionDispatcher(router, _rest, _time, Options.Create(new DiscordInteractionsOptions()), NullLogger<InteractionDispatcher>.Instance);
        Task Dispatch(string json) => dispatcher.DispatchAsync(InteractionParser.Parse(InteractionJson.Parse(json)), _time.GetTimestamp(), CancellationToken.None);

        await Dispatch(InteractionJson.Ping);
        await Dispatch(InteractionJson.LedgerAdd());
        await Dispatch(InteractionJson.SlashCommand("broken"));
        await Dispatch(InteractionJson.SlashCommand("unmapped"));
        await Dispatch(InteractionJson.Autocomplete("sh"));
        await Dispatch(InteractionJson.Button("approve:2"));
        await Dispatch(InteractionJson.Button("noop:1"));
        await Dispatch(InteractionJson.Button("edit:2"));

        var timers = _time.TimersCreated;
        var deferredCommand = Dispatch(InteractionJson.SlashCommand("ledger"));
        await AdvancePastDeferralAsync(timers, _rest.Calls.Count + 1);
        slow.SetResult(InteractionResponse.Message(RichMessage()));
        await deferredCommand;

        timers = _time.TimersCreated;
        var deferredComponent = Dispatch(InteractionJson.Button("slow:1"));
        await AdvancePastDeferralAsync(timers, _rest.Calls.Count + 1);
        slowComponent.SetException(new InvalidOperationException("boom"));
        await deferredComponent;
    }

    private async Task AdvancePastDeferralAsync(int timersBefore, int expectedCalls)
    {
        await Eventually.TrueAsync(() => _time.TimersCreated > timersBefore, "the dispatcher arms its deferral timer");

        _time.Advance(TimeSpan.FromSeconds(2.5));
        await _rest.WaitForCallsAsync(expectedCalls);
    }

    [Fact]
    public async Task Every_body_this_layer_sends_is_accepted_by_discords_openapi_spec()
    {
        var registrar = new ApplicationCommandRegistrar(_rest, NullLogger<ApplicationCommandRegistrar>.Instance);
        await registrar.RegisterAsync(ApplicationCommandScope.Global(1100000000000000001), ApplicationCommandDeclarations.All(), CancellationToken.None);
        await registrar.RegisterAsync(ApplicationCommandScope.Guild(1100000000000000001, 1200000000000000002), ApplicationCommandDeclarations.All(), CancellationToken.None);
        await _rest.SendAsync(
            new DiscordRestRequest(HttpMethod.Post, "/channels/{channel_id}/messages", new Dictionary<string, string> { ["channel_id"] = "1200000000000000003" }, RichMessage()),
            CancellationToken.None);
        await ProduceInteractionTrafficAsync();

        var calls = _rest.Calls;
        var violations = calls.SelectMany(call => DiscordSpec.Validator.Validate(call.Method, call.Path, call.Body)).ToList();

        Assert.Empty(violations);
        var produced = calls.Select(Describe).ToHashSet();
        string[] expected =
        [
            "PUT /applications/{application_id}/commands",
            "PUT /applications/{application_id}/guilds/{guild_id}/commands",
            "POST /channels/{channel_id}/messages",
            "POST /webhooks/{webhook_id}/{webhook_token}",
            "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original",
            .. new[] { 1, 4, 5, 6, 7, 8, 9 }.Select(type => $"POST /interactions/{{interaction_id}}/{{interaction_token}}/callback type {type}"),
        ];
        Assert.Empty(expected.Except(produced));
    }

    private static string Describe(RecordedCall call) =>
        call.Template.EndsWith("/callback", StringComparison.Ordinal)
            ? $"{call.Method} {call.Template} type {call.CallbackType}"
            : $"{call.Method} {call.Template}";

    [Fact]
    public void Declared_commands_serialize_to_a_valid_bulk_overwrite()
    {
        JsonNode body = ApplicationCommandJson.ToJson(ApplicationCommandDeclarations.All());

        Assert.Empty(DiscordSpec.Validator.Validate(HttpMethod.Put, "/applications/1/commands", body));
    }
}
