using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Sandbox;
using DiscordLedgerBot.Sandbox.Replay;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Replay;

/// <summary>
/// The golden scenarios (tests/replay) replayed on the file runtime and on the Redis runtime must leave the same
/// board, events, Discord messages and replies; a store that diverges must be reported.
/// </summary>
public sealed class ReplayParityTests
{
    private static string ScenarioDirectory => Path.Combine(SharedContracts.RepositoryRoot, "tests", "replay");

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Every_golden_scenario_leaves_the_same_ledger_events_and_messages_on_the_file_and_the_redis_runtime()
    {
        var scenarios = ReplayScenario.Load([ScenarioDirectory]);
        await using var redis = await RedisServer.StartAsync();
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var catalog = ReplayCommand.Runtimes.CatalogBeside(scenarios[0]);

        var results = await ReplayHarness.RunAsync(
            scenarios,
            [ReplayCommand.Runtimes.File(catalog), ReplayCommand.Runtimes.Redis(redis.ConnectionString, catalog)],
            (_, _) => admin.GetServers()[0].FlushAllDatabasesAsync(),
            CancellationToken.None);
        await ParityReport.WriteAsync(Path.Combine(SharedContracts.RepositoryRoot, "TestResults", "replay"), results, CancellationToken.None);

        Assert.True(scenarios.Count >= 10, $"{scenarios.Count} golden scenarios; the harness promises at least 10.");
        Assert.All(results, r => Assert.False(r.HasFailures || r.HasDifferences, ParityReport.Markdown([r])));
        // Each scenario did something a person could see, so "no difference" is not "nothing happened".
        Assert.All(results, r => Assert.NotEmpty(r.Outcomes[0].Replies));
        Assert.Contains(results, r => r.Outcomes[0].Board.Count >= 12);
    }

    [Fact]
    public async Task A_store_that_diverges_is_reported_as_a_difference()
    {
        var scenario = ReplayScenario.Load([Path.Combine(ScenarioDirectory, "01-create-and-show.json")]);
        var file = ReplayCommand.Runtimes.File(ReplayCommand.Runtimes.CatalogBeside(scenario[0]));
        var diverging = file with
        {
            Name = "diverging",
            Configure = builder => builder.Services.AddSingleton<IOutboxStore>(sp => new RetitlingOutboxStore(sp.GetRequiredService<IStorageBackend>())),
        };

        var results = await ReplayHarness.RunAsync(scenario, [file, diverging], beforeEachRun: null, CancellationToken.None);

        var differences = Assert.Single(results).Differences["diverging"];
        Assert.Contains(differences, d => d.Section == "board" && d.Actual!.Contains("(diverged)", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.Section == "messages");
        Assert.Contains("(diverged)", ParityReport.Markdown(results), StringComparison.Ordinal);
    }

    [Fact]
    public void A_scenario_file_with_a_step_of_no_known_kind_is_refused_with_its_path_and_step()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("dlb-replay-bad-").FullName, "bad.json");
        File.WriteAllText(path, """{ "name": "bad", "steps": [ { "slash": "ledger create" }, { "teleport": "mars" } ] }""");

        var refused = Assert.Throws<ReplayScenarioException>(() => ReplayScenario.Load([path]));

        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("step 2", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A test double of a store that corrupts what it keeps: every create's title gains " (diverged)".</summary>
    private sealed class RetitlingOutboxStore(IOutboxStore inner) : IOutboxStore
    {
        public Task<OutboxAppendResult> AppendAsync(OutboxAppend command, CancellationToken cancellationToken = default)
        {
            if (command.CommandKind != "create" || JsonNode.Parse(command.PayloadJson) is not JsonObject payload)
            {
                return inner.AppendAsync(command, cancellationToken);
            }

            payload["title"] = payload["title"]!.GetValue<string>() + " (diverged)";
            return inner.AppendAsync(new OutboxAppend(command.IdempotencyKey, command.PartitionKey, command.CommandKind, payload.ToJsonString()), cancellationToken);
        }

        public Task<IReadOnlyList<OutboxRecord>> ClaimBatchAsync(int maxRecords, TimeSpan claimDuration, CancellationToken cancellationToken = default) => inner.ClaimBatchAsync(maxRecords, claimDuration, cancellationToken);

        public Task<IReadOnlyList<OutboxRecord>> RenewClaimsAsync(IReadOnlyList<OutboxClaim> claims, TimeSpan claimDuration, CancellationToken cancellationToken = default) => inner.RenewClaimsAsync(claims, claimDuration, cancellationToken);

        public Task<OutboxRecord> MarkConfirmedAsync(string idempotencyKey, string mondayItemId, int? claimVersion = null, CancellationToken cancellationToken = default) => inner.MarkConfirmedAsync(idempotencyKey, mondayItemId, claimVersion, cancellationToken);

        public Task<OutboxRecord> MarkFailedAsync(string idempotencyKey, string reason, DateTimeOffset? retryAt, int? claimVersion = null, CancellationToken cancellationToken = default) => inner.MarkFailedAsync(idempotencyKey, reason, retryAt, claimVersion, cancellationToken);

        public Task<OutboxRecord?> GetAsync(string idempotencyKey, CancellationToken cancellationToken = default) => inner.GetAsync(idempotencyKey, cancellationToken);

        public Task<IReadOnlyList<OutboxRecord>> ListAsync(OutboxState state, int limit, CancellationToken cancellationToken = default) => inner.ListAsync(state, limit, cancellationToken);

        public Task<OutboxCounts> CountAsync(CancellationToken cancellationToken = default) => inner.CountAsync(cancellationToken);

        public Task<int> PurgeConfirmedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) => inner.PurgeConfirmedAsync(olderThan, cancellationToken);
    }
}
