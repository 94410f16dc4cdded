using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Bot.Tests.Hosting;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Sync;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Sync;

/// <summary>The composed bot writing a burst through its outbox while it polls, with monday answering a share of requests 429.</summary>
public sealed class StormBurstTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_1000_write_burst_with_polling_under_a_429_storm_loses_nothing_duplicates_nothing_and_never_runs_ahead_of_a_hint()
    {
        await using var bot = await ComposedBot.StartAsync("--Sync:PollInterval=00:00:01");
        var monday = bot.Environment.Monday;
        var confirmed = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        using var outcomes = bot.Services.GetRequiredService<IEventBus>().Subscribe<OutboxCommandConfirmed>("storm-test", 8192);
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            await foreach (var outcome in outcomes.Reader.ReadAllAsync(stop.Token))
            {
                confirmed[outcome.EntryKey] = 0;
            }
        });

        monday.Faults.SetRateLimitStorm(0.25, seed: 15, retryInSeconds: 1);
        var ingestion = bot.Services.GetRequiredService<LedgerIngestion>();
        var keys = Enumerable.Range(0, 1000).Select(i => $"api:storm-{i}").ToList();
        foreach (var key in keys)
        {
            await ingestion.RecordAsync(new CreateLedgerEntry("storm-" + key, LedgerKey.Parse(key), $"Storm item {key}", LedgerSource.Api), CancellationToken.None);
        }

        await Eventually.TrueAsync(() => keys.All(confirmed.ContainsKey), "every create to be confirmed", TimeSpan.FromMinutes(4));
        var stormAnswers = monday.Stats.FaultsInjected;
        monday.Faults.Clear();
        await stop.CancelAsync();
        await reader.ContinueWith(_ => { }, TaskScheduler.Default);

        var stored = monday.Items(long.Parse(bot.Environment.BoardId, System.Globalization.CultureInfo.InvariantCulture))
            .Select(i => i.ColumnValues.TryGetValue(LedgerBoardSchema.KeyColumn, out var value) ? JsonNode.Parse(value)!.GetValue<string>() : null)
            .Where(k => k is not null && k.StartsWith("api:storm-", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(1000, stored.Count);
        Assert.Equal(1000, stored.Distinct(StringComparer.Ordinal).Count());
        Assert.True(stormAnswers > 0, "the storm answered some requests 429");
        Assert.Equal(0, monday.Stats.RequestsBeforeHint);
        Assert.NotNull(bot.Services.GetRequiredService<LedgerSync>().Watermark); // the poller ran beside the burst
    }
}
