using System.Net;
using System.Net.Sockets;
using DiscordLedgerBot.Core.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Registry;

/// <summary>The Quartz-driven health checks end to end: real scheduler, real TCP endpoint, events awaited (no sleeps).</summary>
public sealed class RegistryHealthSchedulerTests
{
    [Fact]
    public async Task Scheduled_tcp_check_turns_the_tool_passing_then_critical_when_the_endpoint_goes_away()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sink = new AwaitingEventSink();
        await using var host = await RegistryHost.StartAsync(
            [RegistryHost.Tool("local", new HealthCheckDocument { Kind = "tcp", IntervalSeconds = 3, TimeoutMs = 2000, Host = "127.0.0.1", Port = port })],
            new Dictionary<string, string?> { ["Registry:HealthChecksEnabled"] = "true" },
            services => services.AddSingleton<IRegistryEventSink>(sink));
        ToolHealthChanged passing;
        try
        {
            // On a loaded machine an early check may time out first, so the tool can reach Passing from Unknown or Critical.
            passing = await sink.WaitAsync<ToolHealthChanged>(e => e.ToolId == "local" && e.Current == HealthStatus.Passing);
            Assert.True(host.Registry.FindTool("local")!.Health.Samples >= 1);
        }
        finally
        {
            listener.Stop();
        }

        var critical = await sink.WaitAsync<ToolHealthChanged>(e => e.ToolId == "local" && e.Current == HealthStatus.Critical, after: passing);
        Assert.Equal(HealthStatus.Passing, critical.Previous);
        Assert.Contains("ConnectionRefused", critical.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_added_at_run_time_gets_its_own_trigger()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sink = new AwaitingEventSink();
        try
        {
            await using var host = await RegistryHost.StartAsync(
                [RegistryHost.Tool("idle", new HealthCheckDocument { Kind = "tcp", IntervalSeconds = 60, TimeoutMs = 500, Host = "127.0.0.1", Port = 9 })],
                new Dictionary<string, string?> { ["Registry:HealthChecksEnabled"] = "true" },
                services => services.AddSingleton<IRegistryEventSink>(sink));

            await host.Registry.UpsertToolAsync(
                RegistryHost.Tool("late", new HealthCheckDocument { Kind = "tcp", IntervalSeconds = 1, TimeoutMs = 500, Host = "127.0.0.1", Port = port }),
                "ops",
                CancellationToken.None);

            await sink.WaitAsync<ToolHealthChanged>(e => e.ToolId == "late" && e.Current == HealthStatus.Passing);
        }
        finally
        {
            listener.Stop();
        }
    }

    private sealed class AwaitingEventSink : IRegistryEventSink
    {
        private readonly Lock _gate = new();
        private readonly List<RegistryEvent> _events = [];
        private readonly List<(Func<RegistryEvent, bool> Match, TaskCompletionSource<RegistryEvent> Done)> _waiters = [];

        public void Publish(RegistryEvent registryEvent)
        {
            lock (_gate)
            {
                _events.Add(registryEvent);
                foreach (var waiter in _waiters.Where(w => w.Match(registryEvent)).ToList())
                {
                    waiter.Done.TrySetResult(registryEvent);
                    _waiters.Remove(waiter);
                }
            }
        }

        /// <summary>The first matching event, optionally only among those published after <paramref name="after"/>.</summary>
        public async Task<T> WaitAsync<T>(Func<T, bool> match, RegistryEvent? after = null)
            where T : RegistryEvent
        {
            var done = new TaskCompletionSource<RegistryEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                var start = after is null ? 0 : _events.IndexOf(after) + 1;
                if (_events.Skip(start).OfType<T>().FirstOrDefault(match) is { } seen)
                {
                    return seen;
                }

                _waiters.Add((e => e is T typed && match(typed), done));
            }

            return (T)await done.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }
}
