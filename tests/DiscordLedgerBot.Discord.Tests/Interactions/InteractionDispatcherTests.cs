using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord.Interactions;
using DiscordLedgerBot.Discord.Messages;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord.Tests.Interactions;

public class InteractionDispatcherTests
{
    private static readonly TimeSpan DeferAfter = new DiscordInteractionsOptions().InteractionDeferAfter;

    private readonly TimerCountingFakeTimeProvider _time = new(TestTime.Start);
    private readonly RecordingDiscordRest _rest = new();
    private readonly InteractionRouter _router = new();

    private InteractionDispatcher Dispatcher() =>
        new(_router, _rest, _time, Options.Create(new DiscordInteractionsOptions()), NullLogger<InteractionDispatcher>.Instance);

    private Task<InteractionDispatchResult> DispatchAsync(string json, InteractionDispatcher? dispatcher = null) =>
        (dispatcher ?? Dispatcher()).DispatchAsync(InteractionParser.Parse(InteractionJson.Parse(json)), _time.GetTimestamp(), CancellationToken.None);

    /// <summary>Waits until the dispatcher has armed its deferral timer on the fake clock, then moves the clock to it.</summary>
    private async Task AdvancePastDeferralAsync()
    {
        await Eventually.TrueAsync(() => _time.TimersCreated > 0, "the dispatcher arms its deferral timer");
        _time.Advance(DeferAfter);
    }

    [Fact]
    public async Task A_fast_handler_is_answered_directly_over_the_gateway_path()
    {
        _router.MapCommand("ledger add", (context, _) => Task.FromResult(InteractionResponse.Text($"Added {context.Interaction.Command!.GetString("title")}")));

        await Dispatcher().HandleAsync(new InteractionCreated(InteractionJson.Parse(InteractionJson.LedgerAdd()), _time.GetTimestamp()), CancellationToken.None);

        var call = Assert.Single(_rest.Calls);
        Assert.Equal(HttpMethod.Post, call.Method);
        Assert.Equal($"/interactions/1300000000000000010/{InteractionJson.Token}/callback", call.Path);
        Assert.False(call.Request.Authenticated);
        Assert.Equal(4, call.CallbackType);
        Assert.Equal("Added Ship v2", call.Body!["data"]!["content"]!.GetValue<string>());
        Assert.Equal("""{"parse":[]}""", call.Body["data"]!["allowed_mentions"]!.ToJsonString());
    }

    [Fact]
    public async Task A_slow_command_is_deferred_at_the_threshold_then_its_result_edits_the_original()
    {
        var release = new TaskCompletionSource<InteractionResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _router.MapCommand("ledger", (_, _) => release.Task);

        var dispatch = DispatchAsync(InteractionJson.LedgerAdd());
        await AdvancePastDeferralAsync();
        await _rest.WaitForCallsAsync(1);
        release.SetResult(InteractionResponse.Text("Finally done"));
        var result = await dispatch;

        Assert.True(result.Deferred);
        Assert.Equal(DeferAfter, result.AckLatency);
        Assert.Equal(5, _rest.Calls[0].CallbackType);
        Assert.Null(_rest.Calls[0].Body!["data"]);
        var edit = _rest.Calls[1];
        Assert.Equal(HttpMethod.Patch, edit.Method);
        Assert.Equal($"/webhooks/1100000000000000001/{InteractionJson.Token}/messages/@original", edit.Path);
        Assert.Equal("Finally done", edit.Body!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_ephemeral_route_defers_with_flag_64()
    {
        var release = new TaskCompletionSource<InteractionResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _router.MapCommand("ledger", (_, _) => release.Task, new InteractionRouteOptions(DeferEphemeral: true));

        var dispatch = DispatchAsync(InteractionJson.LedgerAdd());
        await AdvancePastDeferralAsync();
        await _rest.WaitForCallsAsync(1);
        release.SetResult(InteractionResponse.Text("private", ephemeral: true));
        await dispatch;

        Assert.Equal(64, _rest.Calls[0].Body!["data"]!["flags"]!.GetValue<int>());
        Assert.Null(_rest.Calls[1].Body!["flags"]);
    }

    [Fact]
    public async Task A_slow_component_gets_a_deferred_update_and_its_new_message_becomes_a_follow_up()
    {
        var release = new TaskCompletionSource<InteractionResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _router.MapComponent("approve:", (_, _) => release.Task);

        var dispatch = DispatchAsync(InteractionJson.Button("approve:42"));
        await AdvancePastDeferralAsync();
        await _rest.WaitForCallsAsync(1);
        release.SetResult(InteractionResponse.Text("Approved by Ada"));
        await dispatch;

        Assert.Equal(6, _rest.Calls[0].CallbackType);
        Assert.Equal(HttpMethod.Post, _rest.Calls[1].Method);
        Assert.Equal($"/webhooks/1100000000000000001/{InteractionJson.Token}", _rest.Calls[1].Path);
    }

    [Fact]
    public async Task A_slow_component_update_edits_the_components_message()
    {
        var release = new TaskCompletionSource<InteractionResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _router.MapComponent("approve:", (_, _) => release.Task);

        var dispatch = DispatchAsync(InteractionJson.Button("approve:42"));
        await AdvancePastDeferralAsync();
        await _rest.WaitForCallsAsync(1);
        release.SetResult(InteractionResponse.UpdateMessage(MessageBuilder.Text("Approved")));
        await dispatch;

        Assert.Equal(HttpMethod.Patch, _rest.Calls[1].Method);
    }

    [Fact]
    public async Task A_fast_component_update_uses_callback_7_and_acknowledge_uses_6()
    {
        _router.MapComponent("approve:", (_, _) => Task.FromResult(InteractionResponse.UpdateMessage(MessageBuilder.Text("Approved"))));
        _router.MapComponent("noop:", (_, _) => Task.FromResult(InteractionResponse.Acknowledge()));

        await DispatchAsync(InteractionJson.Button("approve:42"));
        await DispatchAsync(InteractionJson.Button("noop:1"));

        Assert.Equal([7, 6], _rest.Calls.Select(c => c.CallbackType!.Value));
    }

    [Fact]
    public async Task Invalid_input_is_explained_ephemerally()
    {
        _router.MapCommand("ledger add", (_, _) => throw new InteractionInputException("Points must be between 0 and 100 (you gave 500)."));

        await DispatchAsync(InteractionJson.LedgerAdd());

        var body = Assert.Single(_rest.Calls).Body!;
        Assert.Equal(4, body["type"]!.GetValue<int>());
        Assert.Equal(64, body["data"]!["flags"]!.GetValue<int>());
        Assert.Equal("Points must be between 0 and 100 (you gave 500).", body["data"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_crashing_handler_gets_a_polite_ephemeral_reply_without_internals()
    {
        _router.MapCommand("ledger add", (_, _) => throw new InvalidOperationException("boom at Secret.Internal.Method"));

        await DispatchAsync(InteractionJson.LedgerAdd());

        var content = Assert.Single(_rest.Calls).Body!["data"]!["content"]!.GetValue<string>();
        Assert.Equal(InteractionDispatcher.UnexpectedFailureMessage, content);
        Assert.DoesNotContain("boom", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_failing_after_deferral_edits_commands_and_follows_up_components_ephemerally()
    {
        var commandFailure = new TaskCompletionSource<InteractionResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _router.MapCommand("ledger", (_, _) => commandFailure.Task);
        var dispatch = DispatchAsync(InteractionJson.LedgerAdd());
        await AdvancePastDeferralAsync();
        await _rest.WaitForCallsAsync(1);
        commandFailure.SetException(new InteractionInputException("That item is closed."));
        await dispatch;

        var componentFailure = new TaskCompletionSource<InteractionResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _router.MapComponent("approve:", (_, _) => componentFailure.Task);
        dispatch = DispatchAsync(InteractionJson.Button("approve:1"));
        await AdvancePastDeferralAsync();
        await _rest.WaitForCallsAsync(3);
        componentFailure.SetException(new InvalidOperationException("boom"));
        await dispatch;

        Assert.Equal((HttpMethod.Patch, "That item is closed."), (_rest.Calls[1].Method, _rest.Calls[1].Body!["content"]!.GetValue<string>()));
        Assert.Equal(HttpMethod.Post, _rest.Calls[3].Method);
        Assert.Equal(64, _rest.Calls[3].Body!["flags"]!.GetValue<int>());
    }

    [Fact]
    public async Task Autocomplete_answers_with_choices_and_falls_back_to_none_when_slow()
    {
        _router.MapAutocomplete("ledger close", (context, _) => Task.FromResult(InteractionResponse.Autocomplete(
            Enumerable.Range(0, 30).Select(i => new AutocompleteChoice($"{context.Interaction.Command!.Focused!.Value!.Value.GetString()} {i}", $"item-{i}")))));

        await DispatchAsync(InteractionJson.Autocomplete("shi"));

        var body = Assert.Single(_rest.Calls).Body!;
        Assert.Equal(8, body["type"]!.GetValue<int>());
        Assert.Equal(25, body["data"]!["choices"]!.AsArray().Count);
        Assert.Equal("shi 0", body["data"]!["choices"]![0]!["name"]!.GetValue<string>());

        var slow = new TaskCompletionSource<InteractionResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowRouter = new InteractionRouter().MapAutocomplete("ledger close", (_, _) => slow.Task);
        var dispatch = new InteractionDispatcher(slowRouter, _rest, _time, Options.Create(new DiscordInteractionsOptions()), NullLogger<InteractionDispatcher>.Instance)
            .DispatchAsync(InteractionParser.Parse(InteractionJson.Parse(InteractionJson.Autocomplete("x"))), _time.GetTimestamp(), CancellationToken.None);
        await AdvancePastDeferralAsync();
        await _rest.WaitForCallsAsync(2);
        slow.SetResult(InteractionResponse.Autocomplete([]));
        await dispatch;

        Assert.Equal("""{"choices":[]}""", _rest.Calls[1].Body!["data"]!.ToJsonString());
        Assert.Equal(2, _rest.Calls.Count);
    }

    [Fact]
    public async Task A_modal_is_opened_with_callback_9()
    {
        _router.MapComponent("edit:", (_, _) => Task.FromResult(InteractionResponse.Modal(new ModalBuilder("edit:42", "Edit item").AddTextInput("title", "Title").Build())));

        await DispatchAsync(InteractionJson.Button("edit:42"));

        var body = Assert.Single(_rest.Calls).Body!;
        Assert.Equal(9, body["type"]!.GetValue<int>());
        Assert.Equal("edit:42", body["data"]!["custom_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unrouted_interactions_get_an_ephemeral_explanation_and_pings_a_pong()
    {
        await DispatchAsync(InteractionJson.SlashCommand("nobody"));
        await DispatchAsync(InteractionJson.Ping);

        Assert.Equal(64, _rest.Calls[0].Body!["data"]!["flags"]!.GetValue<int>());
        Assert.Contains("/nobody", _rest.Calls[0].Body!["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("""{"type":1}""", _rest.Calls[1].Body!.ToJsonString());
    }

    [Fact]
    public async Task An_interaction_already_past_the_3_second_deadline_is_not_answered()
    {
        var receivedAt = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(3));
        _router.MapCommand("ledger", (_, _) => Task.FromResult(InteractionResponse.Text("late")));

        var result = await Dispatcher().DispatchAsync(InteractionParser.Parse(InteractionJson.Parse(InteractionJson.LedgerAdd())), receivedAt, CancellationToken.None);

        Assert.Null(result.AckLatency);
        Assert.Empty(_rest.Calls);
    }

    [Fact]
    public async Task Follow_ups_work_within_15_minutes_and_are_refused_clearly_after()
    {
        InteractionContext? captured = null;
        _router.MapCommand("ledger", (context, _) =>
        {
            captured = context;
            return Task.FromResult(InteractionResponse.Text("first"));
        });
        await DispatchAsync(InteractionJson.LedgerAdd());

        _time.Advance(TimeSpan.FromMinutes(14));
        var id = await captured!.FollowUpAsync(MessageBuilder.Text("still in time"), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var exception = await Assert.ThrowsAsync<InteractionTokenExpiredException>(() => captured.EditOriginalAsync(MessageBuilder.Text("too late"), CancellationToken.None));

        Assert.Equal(1300000000000000001UL, id);
        Assert.Contains("expired 15 minutes", exception.Message, StringComparison.Ordinal);
        Assert.Equal(2, _rest.Calls.Count);
    }

    [Fact]
    public async Task A_deferred_result_arriving_after_15_minutes_is_not_sent()
    {
        var release = new TaskCompletionSource<InteractionResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _router.MapCommand("ledger", (_, _) => release.Task);

        var dispatch = DispatchAsync(InteractionJson.LedgerAdd());
        await AdvancePastDeferralAsync();
        await _rest.WaitForCallsAsync(1);
        _time.Advance(TimeSpan.FromMinutes(15));
        release.SetResult(InteractionResponse.Text("way too late"));
        await dispatch;

        Assert.Single(_rest.Calls);
    }
}
