using DiscordLedgerBot.Bot.Tests.Outbox;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Hosting;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Hosting;

/// <summary>What a new operator meets when a start goes wrong, checked on the real executable.</summary>
public sealed class StartupProblemsTests : IDisposable
{
    private static readonly TimeSpan ProcessWait = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("dlb-startup-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Missing_settings_are_listed_all_at_once_with_the_board_and_without_a_stack_trace()
    {
        using var bot = await BotProcess.RunAsync(_directory, new Dictionary<string, string>(), ProcessWait, "--Storage:Backend=memory");

        Assert.Equal(BotHost.ConfigurationError, bot.ExitCode);
        Assert.Contains("Monday:Token is required (env Monday__Token)", bot.Output, StringComparison.Ordinal);
        Assert.Contains("Monday:BoardId is required (env Monday__BoardId)", bot.Output, StringComparison.Ordinal);
        Assert.Contains("Discord:Token is required (env Discord__Token)", bot.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", bot.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", bot.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_bot_on_a_held_data_directory_stops_with_a_clear_message_and_exit_code()
    {
        await using var held = EmbeddedStorage.OpenFile(_directory, TimeProvider.System);
        using var bot = await BotProcess.RunAsync(
            _directory,
            new Dictionary<string, string>(),
            ProcessWait,
            "--Storage:Backend=file",
            $"--Storage:DataDirectory={_directory}",
            "--Monday:Token=t",
            "--Monday:BoardId=1",
            "--Discord:Token=t",
            "--Discord:ApplicationId=1100000000000000001");

        Assert.Equal(BotHost.StoreHeld, bot.ExitCode);
        Assert.Contains("is in use by another process", bot.Output, StringComparison.Ordinal);
        Assert.Contains("Storage:DataDirectory", bot.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", bot.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_probes_the_port_the_bot_listens_on()
    {
        using var bot = await BotProcess.RunAsync(_directory, new Dictionary<string, string>(), ProcessWait, "healthcheck", "--urls=http://127.0.0.1:9", "--timeout-seconds", "2");

        Assert.Equal(1, bot.ExitCode);
        Assert.Contains("http://127.0.0.1:9/healthz did not answer", bot.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cli_command_recorded_while_redis_is_down_reaches_the_bots_outbox_and_the_board()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var bot = await ComposedBot.StartAsync("--Storage:Backend=redis", $"--Redis:ConnectionString={redis.ConnectionString}", "--Storage:FailoverProbeInterval=00:00:00.200");
        await redis.KillAsync();

        var create = await bot.CliAsync("ledger", "create", "--title", "Written during the outage", "--key", "cli:outage-1", "--no-wait", "--Storage:Backend=redis", $"--Redis:ConnectionString={redis.ConnectionString}");
        Assert.True(create.Exit == 0, create.Error);
        Assert.Contains("the running bot sends it", create.Output, StringComparison.Ordinal);

        await redis.RestartAsync();
        var store = bot.Services.GetRequiredService<IOutboxStore>();
        await Eventually.TrueAsync(
            async () => (await store.GetAsync("cli:outage-1"))?.State == OutboxState.Confirmed,
            "the command recorded during the outage is reconciled into Redis and confirmed on the board",
            TimeSpan.FromSeconds(60));

        Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Written during the outage");
    }
}
