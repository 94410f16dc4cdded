using DiscordLedgerBot.Api.Events;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace DiscordLedgerBot.Api;

/// <summary>The downstream HTTP surface: /api/v1 (items, commands, registry, escalations, events) and its OpenAPI document.</summary>
public static class ApiComposition
{
    public const string OpenApiDocumentName = "v1";
    public const string EventLogFileName = "events.log";

    /// <summary>Called by AddLedgerBot: the options (validated at start), the shared write path and the durable event log.</summary>
    public static IServiceCollection AddLedgerBotApi(this IServiceCollection services, IConfiguration configuration, bool hostsEndpoints)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>());
        services.TryAddSingleton<ApiAuthorization>();
        services.TryAddSingleton<LedgerCommandSubmitter>();
        services.TryAddSingleton<LedgerBotMetrics>();
        if (hostsEndpoints)
        {
            services.TryAddSingleton(CreateEventLog);
            services.TryAddSingleton(sp => new RedisEventStream(
                sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(),
                sp.GetRequiredService<EventLog>(),
                sp.GetRequiredService<IOptions<StorageOptions>>().Value.RedisKeyPrefix,
                sp.GetRequiredService<IOptions<ApiOptions>>().Value.Events.Capacity,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<RedisEventStream>>()));
            services.TryAddSingleton<IEventLogSink>(sp => Scaling.SharedStateComposition.UsesRedis(sp) ? sp.GetRequiredService<RedisEventStream>() : sp.GetRequiredService<EventLog>());
            services.AddHostedService<EventLogRecorder>();
            services.AddHostedService<RedisEventStreamFollower>();
            services.AddHostedService<TelemetryEventReader>();
            services.AddOpenApi(OpenApiDocumentName, options =>
            {
                options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
                options.AddDocumentTransformer((document, _, _) =>
                {
                    document.Info.Title = "DiscordLedgerBot API";
                    document.Info.Description = "The team ledger (a monday.com board) and the capability registry. Writes are recorded in the durable outbox and confirmed asynchronously; see docs/operations/http-api.md.";
                    // The listening address differs per deployment (and per test run); clients know where they connect.
                    document.Servers = [];
                    document.Components ??= new OpenApiComponents();
                    document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                    document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        Description = "A token from Api:Tokens; its scopes (ledger:read, ledger:write, registry:read, registry:admin) decide which routes answer.",
                    };
                    document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
                    return Task.CompletedTask;
                });
            });
        }

        return services;
    }

    /// <summary>Maps /api/v1 and its OpenAPI document; called by BotHost.BuildAsync.</summary>
    public static IEndpointRouteBuilder MapLedgerBotApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(LedgerApiEndpoints.Prefix).WithTags("v1");
        api.MapLedgerApi();
        api.MapEscalationApi();
        api.MapRegistryApi();
        api.MapEventStream();
        endpoints.MapOpenApi("/api/{documentName}/openapi.json");
        return endpoints;
    }

    private static EventLog CreateEventLog(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ApiOptions>>().Value.Events;
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        // With Redis the log is the cluster's stream; this process keeps a memory copy of it.
        var path = Scaling.SharedStateComposition.UsesRedis(services) ? null
            : !string.IsNullOrWhiteSpace(options.LogPath) ? options.LogPath
            : storage.Backend == StorageBackendKind.Memory ? null
            : Path.Combine(storage.DataDirectory, EventLogFileName);
        return new EventLog(options.Capacity, path, services.GetRequiredService<TimeProvider>());
    }
}
