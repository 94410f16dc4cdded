using System.Diagnostics;
using System.Net;
using DiscordLedgerBot.Bot.Tests.Api;
using DiscordLedgerBot.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DiscordLedgerBot.Bot.Tests.Telemetry;

/// <summary>Spans, metrics, /metrics and log hygiene of the composed bot.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task One_ledger_write_shows_its_spans_and_metrics_from_the_http_surface_to_mondays_confirmation()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        await using var bot = await Hosting.ComposedBot.StartAsync(builder =>
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
            builder.Services.ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics));
        }, ApiArgs());
        using var http = bot.Http(ApiTestKit.Full);

        await ApiTestKit.CreateConfirmedAsync(http, "Traced write", "traced-1");
        bot.Services.GetRequiredService<TracerProvider>().ForceFlush();
        bot.Services.GetRequiredService<MeterProvider>().ForceFlush();

        Activity[] snapshot;
        lock (spans)
        {
            snapshot = [.. spans];
        }

        var surface = Assert.Single(snapshot, s => s.Kind == ActivityKind.Server && s.DisplayName.StartsWith("POST /api/v1/items", StringComparison.Ordinal));
        Assert.Equal(200, surface.GetTagItem("http.response.status_code"));
        var flush = Assert.Single(snapshot, s => s.OperationName == "outbox.flush" && ((string?)s.GetTagItem("outbox.commands"))?.Contains("api:traced-1", StringComparison.Ordinal) == true);
        Assert.Equal(1, flush.GetTagItem("outbox.confirmed"));
        // The flush runs on the outbox's schedule, not inside the request, and links back to the request's trace.
        Assert.Contains(flush.Links, link => link.Context.TraceId == surface.TraceId);
        var mutation = Assert.Single(snapshot, s => s.OperationName == "monday.mutation" && s.ParentSpanId == flush.SpanId);
        Assert.NotNull(mutation.GetTagItem("monday.complexity.query"));
        Assert.NotNull(mutation.GetTagItem("monday.complexity.budget_after"));
        // The HttpClient span of the GraphQL call sits under the monday span.
        Assert.Contains(snapshot, s => s.Kind == ActivityKind.Client && s.ParentSpanId == mutation.SpanId);

        string[] names;
        lock (metrics)
        {
            names = [.. metrics.Select(m => m.Name).Distinct()];
        }

        Assert.Contains("dlb.ledger.commands_recorded", names);
        Assert.Contains("dlb.ledger.confirm_latency", names);
        Assert.Contains("dlb.monday.complexity_used", names);
        Assert.Contains("dlb.monday.requests", names);
        Assert.Contains("dlb.outbox.depth", names);
        Assert.Contains("http.server.request.duration", names);
    }

    [Fact]
    public async Task Discord_gateway_events_discord_rest_calls_and_registry_checks_are_traced()
    {
        var spans = new List<Activity>();
        await using var bot = await Hosting.ComposedBot.StartAsync(builder =>
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)), ApiArgs());
        bool Exported(Func<Activity, bool> span)
        {
            bot.Services.GetRequiredService<TracerProvider>().ForceFlush();
            lock (spans)
            {
                return spans.Any(span);
            }
        }

        // Connecting dispatches READY and GUILD_CREATE (a span ends, and is exported, once its handler has run); the
        // slash-command declaration is a REST call, which may finish before the first dispatch does.
        await Testing.Eventually.TrueAsync(() => Exported(s => s.OperationName == "discord.gateway.event"), "a gateway event span");
        await Testing.Eventually.TrueAsync(() => bot.Environment.Discord.RegisteredCommands(Emulators.Discord.EmulatedGuild.Ids.Guild).Count > 0, "the slash commands are declared");

        await bot.Services.GetRequiredService<Core.Registry.RegistryHealthMonitor>().CheckToolAsync("cursor", CancellationToken.None);
        bot.Services.GetRequiredService<TracerProvider>().ForceFlush();

        Activity[] snapshot;
        lock (spans)
        {
            snapshot = [.. spans];
        }

        Assert.Contains(snapshot, s => s.OperationName == "discord.gateway.event" && (string?)s.GetTagItem("discord.event") is { Length: > 0 });
        Assert.Contains(snapshot, s => s.OperationName == "discord.rest" && s.Kind == ActivityKind.Client && s.GetTagItem("http.request.method") as string == "PUT"
            && ((string?)s.GetTagItem("discord.route"))?.Contains("commands", StringComparison.Ordinal) == true);
        // The scheduler may have probed cursor too; every probe is a span with its outcome.
        var checks = snapshot.Where(s => s.OperationName == "registry.check" && s.GetTagItem("registry.tool") as string == "cursor").ToList();
        Assert.NotEmpty(checks);
        Assert.All(checks, check => Assert.NotNull(check.GetTagItem("registry.succeeded")));
        Assert.All(checks, check => Assert.NotNull(check.GetTagItem("registry.check_kind")));
    }

    [Fact]
    public async Task Metrics_are_scraped_in_prometheus_text_format()
    {
        await using var bot = await ApiTestKit.StartAsync();
        using var http = bot.Http(ApiTestKit.Full);
        await ApiTestKit.CreateConfirmedAsync(http, "Scraped write");
        using var scraper = bot.Http(ApiTestKit.Scraper);
        using var anonymous = bot.Http();

        using var response = await scraper.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        using var refused = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var withoutScope = await http.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, withoutScope.StatusCode);
        Assert.DoesNotContain("dlb_", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("# TYPE dlb_ledger_commands_recorded_total counter", text, StringComparison.Ordinal);
        Assert.Contains("dlb_monday_complexity_used_total", text, StringComparison.Ordinal);
        Assert.Contains("dlb_registry_tool_health{", text, StringComparison.Ordinal);
        Assert.Contains("dlb_event_stream_subscribers", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_can_be_opened_to_anonymous_scrapers_on_a_trusted_network()
    {
        await using var bot = await ApiTestKit.StartAsync("--Telemetry:AnonymousMetrics=true");
        using var anonymous = bot.Http();

        using var response = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("dlb_event_stream_subscribers", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_token_reaches_the_logs_even_at_trace_level()
    {
        await using var bot = await Hosting.ComposedBot.StartAsync(_ => { }, [.. ApiArgs(), .. TraceEverything]);
        using var http = bot.Http(ApiTestKit.Full);
        using var wrong = bot.Http("a-wrong-token-that-must-not-be-logged");
        await ApiTestKit.CreateConfirmedAsync(http, "Quiet write");
        using var refused = await wrong.GetAsync(new Uri("/api/v1/items", UriKind.Relative));
        using var stream = await http.GetAsync(new Uri("/api/v1/events?lastEventId=0", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        var send = await bot.CliAsync("ledger", "create", "--title", "Via the CLI");

        Assert.Equal(0, send.Exit);
        string[] secrets =
        [
            ApiTestKit.Full, "a-wrong-token-that-must-not-be-logged", SandboxEnvironment.MondayToken, "sandbox-discord-token", bot.Environment.AdminToken,
        ];
        var lines = bot.Logs.Entries.Select(e => e.Message).ToList();
        Assert.True(lines.Count > 50, $"only {lines.Count} log lines at trace level");
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }

    // appsettings.json quiets some categories explicitly; each needs its own override.
    private static readonly string[] TraceEverything =
    [
        "--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft.AspNetCore=Trace", "--Logging:LogLevel:Microsoft.Extensions.Http=Trace",
        "--Logging:LogLevel:System.Net.Http.HttpClient=Trace", "--Logging:LogLevel:Polly=Trace",
    ];

    private static string[] ApiArgs() =>
    [
        "--Api:Tokens:0:Name=ops", $"--Api:Tokens:0:Token={ApiTestKit.Full}", "--Api:Tokens:0:Scopes=ledger:read ledger:write registry:read registry:admin",
    ];
}
