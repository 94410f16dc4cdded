using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Api.Events;
using DiscordLedgerBot.Core.Registry;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Emulators.Discord;
using DiscordLedgerBot.Hosting;

namespace DiscordLedgerBot.Sandbox.Replay;

/// <summary>A runtime a scenario is replayed on: a name for the report and the settings that select its stores.</summary>
/// <param name="Configure">What a test adds to the host (e.g. a deliberately diverging store).</param>
public sealed record ReplayRuntime(string Name, IReadOnlyList<string> Settings, Action<WebApplicationBuilder>? Configure = null);

/// <summary>
/// Replays one scenario on one runtime: the product's composition with fresh emulators, exactly as the sandbox runs
/// it, on a clock that follows real time and jumps when a scenario advances it. After each step it waits until the
/// bot has settled (outbox drained, nothing changing), then keeps what a person could observe.
/// </summary>
public static class ReplayRunner
{
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SettlePoll = TimeSpan.FromMilliseconds(40);

    public static async Task<ReplayOutcome> RunAsync(ReplayScenario scenario, ReplayRuntime runtime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(runtime);
        var dataDirectory = Directory.CreateTempSubdirectory("dlb-replay-").FullName;
        await using var clock = new ReplayClock();
        var sandbox = new SandboxHost(
            builder =>
            {
                builder.Services.ConfigureHttpClientDefaults(http => http.AddHttpMessageHandler(clock.HoldWhileInFlight));
                runtime.Configure?.Invoke(builder);
            },
            clock);
        try
        {
            string[] args =
            [
                $"--Sandbox:DataDirectory={dataDirectory}", "--urls=http://127.0.0.1:0", "--Outbox:FlushInterval=00:00:00.050",
                "--Logging:LogLevel:Default=Warning", .. runtime.Settings, .. scenario.Settings,
            ];
            await using var app = await BotHost.BuildAsync(args, sandbox, cancellationToken);
            await app.StartAsync(cancellationToken);
            try
            {
                var run = new Run(scenario, app.Services, sandbox.Environment, clock);
                await run.WaitForGatewayAsync(cancellationToken);
                foreach (var step in scenario.Steps)
                {
                    await run.ExecuteAsync(step, cancellationToken);
                }

                return run.Outcome(runtime.Name);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            await sandbox.DisposeAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private sealed class Run(ReplayScenario scenario, IServiceProvider services, SandboxEnvironment world, ReplayClock clock)
    {
        private readonly List<string> _replies = [];
        private readonly List<string> _events = [];
        private readonly List<string> _failures = [];
        private readonly EventLog _eventLog = services.GetRequiredService<EventLog>();
        private readonly Dictionary<string, int> _messageSteps = new(StringComparer.Ordinal);
        private long _lastEventId;

        private DiscordEmulator Discord => world.Discord;

        public async Task WaitForGatewayAsync(CancellationToken cancellationToken)
        {
            await WaitUntilAsync(() => Discord.CurrentSessionId is not null && Discord.RegisteredCommands(EmulatedGuild.Ids.Guild).Count >= 2, "the bot's gateway session and slash commands", cancellationToken);
            await SettleAsync("start", cancellationToken);
            CollectEvents(step: 0);
        }

        public async Task ExecuteAsync(ReplayStep step, CancellationToken cancellationToken)
        {
            switch (step.Kind)
            {
                case "slash":
                    await AnswerAsync(step, await SlashAsync(step, cancellationToken), cancellationToken);
                    break;
                case "press":
                    if (Press(step) is { } press)
                    {
                        await AnswerAsync(step, await Discord.InjectInteractionAsync(press), cancellationToken);
                    }

                    break;
                case "boardEdit":
                    await EditBoardAsync(step, cancellationToken);
                    // The poll that would follow within one interval, so the change flows back as it would in production.
                    await services.GetRequiredService<Core.Sync.LedgerSync>().PollAsync(cancellationToken);
                    break;
                case "health":
                    RecordHealth(step);
                    break;
                case "advance":
                    await clock.JumpAsync(step.AdvanceBy, cancellationToken);
                    break;
                default:
                    throw new ReplayScenarioException(scenario.Path, $"{step}: unknown kind");
            }

            await SettleAsync(step.ToString(), cancellationToken);
            CollectEvents(step.Index + 1);
        }

        private void CollectEvents(int step)
        {
            foreach (var message in Discord.Guilds.SelectMany(g => g.Channels).SelectMany(c => Discord.MessagesIn(c.Id)))
            {
                _messageSteps.TryAdd(message.Id, step);
            }

            var (events, cursor, _) = _eventLog.ReadAfter(_lastEventId, 10_000, types: null);
            _lastEventId = cursor;
            // Within one step, work on different items may finish in either order; across steps order is the scenario's.
            _events.AddRange(events.Select(e => $"{step}: {e.Type} {ReplayNormalizer.Json(e.Data)}").Order(StringComparer.Ordinal));
        }

        public ReplayOutcome Outcome(string runtime) => new(
            scenario.Name,
            runtime,
            [.. _failures],
            ReplayNormalizer.Board(world.Monday, long.Parse(world.BoardId, CultureInfo.InvariantCulture)),
            [.. _events],
            ReplayNormalizer.Messages(Discord, id => _messageSteps.GetValueOrDefault(id, int.MaxValue)),
            [.. _replies]);

        private async Task<EmulatedInteraction> SlashAsync(ReplayStep step, CancellationToken cancellationToken)
        {
            var words = step.Spec["slash"]!.GetValue<string>().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var options = new JsonObject();
            foreach (var (name, value) in step.Spec["options"] as JsonObject ?? [])
            {
                // "@text" means: what autocomplete offers first for "text", as a person picks it from the list.
                options[name] = value?.GetValueKind() == System.Text.Json.JsonValueKind.String && value.GetValue<string>().StartsWith('@')
                    ? await AutocompleteAsync(step, words, name, value.GetValue<string>()[1..], cancellationToken)
                    : value?.DeepClone();
            }

            return await Discord.InjectInteractionAsync(Slash(step, words, options, focused: null));
        }

        private async Task<JsonNode?> AutocompleteAsync(ReplayStep step, string[] words, string option, string typed, CancellationToken cancellationToken)
        {
            var sent = await Discord.InjectInteractionAsync(Slash(step, words, new JsonObject { [option] = typed }, focused: option));
            JsonArray? choices = null;
            await WaitUntilAsync(() => (choices = Discord.InteractionResponsesOf(sent.Id)?.FirstOrDefault()?["data"]?["choices"]?.AsArray()) is not null, $"{step}: autocomplete for {option}", cancellationToken);
            if (choices is not { Count: > 0 })
            {
                _failures.Add($"{step}: autocomplete offered nothing for {option} = \"{typed}\"");
                return typed;
            }

            return choices[0]!["value"]!.DeepClone();
        }

        private JsonObject Slash(ReplayStep step, string[] words, JsonObject options, string? focused)
        {
            var leaf = new JsonArray([.. options.Select(option => (JsonNode)new JsonObject
            {
                ["name"] = option.Key,
                ["type"] = option.Value?.GetValueKind() switch
                {
                    System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => 5,
                    System.Text.Json.JsonValueKind.Number => 4,
                    _ => 3,
                },
                ["value"] = option.Value?.DeepClone(),
            })]);
            foreach (var option in leaf.OfType<JsonObject>().Where(o => o["name"]!.GetValue<string>() == focused))
            {
                option["focused"] = true;
            }

            return new JsonObject
            {
                ["type"] = focused is null ? 2 : 4,
                ["data"] = new JsonObject
                {
                    ["name"] = words[0],
                    ["type"] = 1,
                    ["options"] = new JsonArray(new JsonObject { ["name"] = words[1], ["type"] = 1, ["options"] = leaf }),
                },
                ["member"] = new JsonObject { ["user"] = new JsonObject { ["id"] = UserId(step) } },
                ["channel_id"] = ChannelId(step),
            };
        }

        /// <summary>"press": a custom_id, or {"label": "Acknowledge", "on": "text in the message"} for the newest such button.</summary>
        private JsonObject? Press(ReplayStep step)
        {
            var press = step.Spec["press"]!;
            if (press.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                return EmulatedInteractions.ComponentInteraction(press.GetValue<string>(), channelId: ChannelId(step), userId: UserId(step));
            }

            var label = press["label"]?.GetValue<string>() ?? throw new ReplayScenarioException(scenario.Path, $"{step}: 'press' needs a custom_id or a 'label'");
            var on = press["on"]?.GetValue<string>() ?? string.Empty;
            var customId = Discord.MessagesIn(ChannelId(step)).Reverse()
                .Where(m => m.Message.ToJsonString().Contains(on, StringComparison.Ordinal))
                .SelectMany(m => m.Message["components"]?.AsArray().SelectMany(row => row?["components"]?.AsArray() ?? []) ?? [])
                .FirstOrDefault(button => button?["label"]?.GetValue<string>() == label)?["custom_id"]?.GetValue<string>();
            if (customId is null)
            {
                // The bot never posted what the scenario expects to press: a failed expectation, not a broken file.
                _failures.Add($"{step}: no button labelled '{label}' on a message containing '{on}'");
                return null;
            }

            return EmulatedInteractions.ComponentInteraction(customId, channelId: ChannelId(step), userId: UserId(step));
        }

        private async Task AnswerAsync(ReplayStep step, EmulatedInteraction sent, CancellationToken cancellationToken)
        {
            JsonObject? reply = null;
            await WaitUntilAsync(() => (reply = FinalReply(sent.Id)) is not null, $"{step}: the bot's answer", cancellationToken);
            var content = reply!["content"]?.GetValue<string>();
            var text = string.IsNullOrEmpty(content) ? reply["embeds"]?[0]?["title"]?.GetValue<string>() ?? string.Empty : content;
            var ephemeral = ((reply["flags"]?.GetValue<int>() ?? 0) & 64) != 0;
            _replies.Add($"{step.Index + 1}: {(ephemeral ? "[ephemeral] " : string.Empty)}{ReplayNormalizer.Text(text)}");
            if (step.Expect is { } expected && !text.Contains(expected, StringComparison.Ordinal))
            {
                _failures.Add($"{step}: expected the answer to contain \"{expected}\"; it was \"{text}\"");
            }
        }

        private JsonObject? FinalReply(string interactionId)
        {
            var steps = Discord.InteractionResponsesOf(interactionId);
            if (steps is not { Count: > 0 })
            {
                return null;
            }

            var callback = steps[0]!.AsObject();
            if (callback["callback_type"]?.GetValue<int>() is 5 or 6)
            {
                var edit = steps.Skip(1).OfType<JsonObject>().FirstOrDefault(s => s["kind"]?.GetValue<string>() is "edit" or "follow_up");
                // The emulator stores the edit (or follow-up) that completed the deferral as the resulting message.
                return edit?["message"]?.AsObject() ?? (callback["callback_type"]!.GetValue<int>() == 6 ? new JsonObject() : null);
            }

            return callback["data"]?.AsObject() ?? new JsonObject();
        }

        /// <summary>"boardEdit": {"item": "title", "column": "column id", "value": "simple value"} or {"item": …, "rename": "new title"}, done on monday directly.</summary>
        private async Task EditBoardAsync(ReplayStep step, CancellationToken cancellationToken)
        {
            var edit = step.Spec["boardEdit"] as JsonObject ?? throw new ReplayScenarioException(scenario.Path, $"{step}: 'boardEdit' must be an object");
            var title = edit["item"]?.GetValue<string>() ?? throw new ReplayScenarioException(scenario.Path, $"{step}: 'boardEdit' needs 'item' (the item's title)");
            var boardId = long.Parse(world.BoardId, CultureInfo.InvariantCulture);
            var item = world.Monday.Items(boardId).FirstOrDefault(i => i.Name == title)
                ?? throw new ReplayScenarioException(scenario.Path, $"{step}: no item titled '{title}' on the board");
            var (column, value) = edit["rename"] is { } rename ? ("name", rename.GetValue<string>()) : (edit["column"]!.GetValue<string>(), edit["value"]!.GetValue<string>());
            var mutation = new JsonObject
            {
                ["query"] = "mutation ($board: ID!, $item: ID, $column: String!, $value: String) { change_simple_column_value(board_id: $board, item_id: $item, column_id: $column, value: $value) { id } }",
                ["variables"] = new JsonObject { ["board"] = world.BoardId, ["item"] = item.Id.ToString(CultureInfo.InvariantCulture), ["column"] = column, ["value"] = value },
            };
            using var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("replay");
            using var request = new HttpRequestMessage(HttpMethod.Post, world.MondayApiUrl) { Content = JsonContent.Create(mutation) };
            request.Headers.TryAddWithoutValidation("Authorization", SandboxEnvironment.MondayToken);
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode || body.Contains("\"errors\"", StringComparison.Ordinal))
            {
                _failures.Add($"{step}: monday refused the edit: {body}");
            }
        }

        private void RecordHealth(ReplayStep step)
        {
            var health = step.Spec["health"] as JsonObject ?? throw new ReplayScenarioException(scenario.Path, $"{step}: 'health' must be an object");
            var tool = health["tool"]?.GetValue<string>() ?? throw new ReplayScenarioException(scenario.Path, $"{step}: 'health' needs 'tool'");
            var succeeded = health["succeeded"]?.GetValue<bool>() ?? true;
            var detail = health["detail"]?.GetValue<string>() ?? (succeeded ? "ok (replay)" : "failed (replay)");
            var latency = TimeSpan.FromMilliseconds(health["latencyMs"]?.GetValue<int>() ?? 20);
            var registry = services.GetRequiredService<CapabilityRegistry>();
            for (var i = 0; i < (health["times"]?.GetValue<int>() ?? 1); i++)
            {
                registry.RecordCheckResult(tool, succeeded ? HealthCheckResult.Success(latency, detail) : HealthCheckResult.Failure(latency, detail));
            }
        }

        /// <summary>Waits until the outbox holds nothing unsent and nothing observable changed for a few polls.</summary>
        private async Task SettleAsync(string what, CancellationToken cancellationToken)
        {
            var outbox = services.GetRequiredService<IOutboxStore>();
            var started = TimeProvider.System.GetTimestamp();
            string? previous = null;
            var quiet = 0;
            while (quiet < 3)
            {
                if (TimeProvider.System.GetElapsedTime(started) > SettleLimit)
                {
                    _failures.Add($"{what}: the bot did not settle within {SettleLimit.TotalSeconds:0} s");
                    return;
                }

                await Task.Delay(SettlePoll, TimeProvider.System, cancellationToken);
                var counts = await outbox.CountAsync(cancellationToken);
                var fingerprint = $"{counts.Pending}/{counts.Sent}/{counts.Confirmed}/{counts.Failed}/{_eventLog.LastId}/{Discord.InteractionResponses.Snapshot().Count}/"
                    + string.Join(",", world.Monday.Items().Select(i => i.UpdatedAt.UtcTicks)) + "/" + world.Monday.Updates().Count
                    + "/" + string.Join(",", Discord.Guilds[0].Channels.Select(c => Discord.MessagesIn(c.Id).Count));
                quiet = fingerprint == previous && counts.Pending == 0 && counts.Sent == 0 ? quiet + 1 : 0;
                previous = fingerprint;
            }
        }

        private static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
        {
            var started = TimeProvider.System.GetTimestamp();
            while (!condition())
            {
                if (TimeProvider.System.GetElapsedTime(started) > SettleLimit)
                {
                    throw new TimeoutException($"Replay waited {SettleLimit.TotalSeconds:0} s for {what}.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, cancellationToken);
            }
        }

        private static string UserId(ReplayStep step) => step.As switch
        {
            "moderator" => EmulatedGuild.Ids.Moderator,
            "owner" => EmulatedGuild.Ids.Owner,
            _ => EmulatedGuild.Ids.Member,
        };

        private static string ChannelId(ReplayStep step) => step.Spec["channel"]?.GetValue<string>() switch
        {
            null or "general" => EmulatedGuild.Ids.General,
            "ledger" => EmulatedGuild.Ids.Ledger,
            "moderators" => EmulatedGuild.Ids.ModeratorsOnly,
            { } other => other,
        };
    }
}
